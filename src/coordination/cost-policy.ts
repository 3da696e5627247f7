export type CoordinationRoute =
  /** Cheaper to compute than one Redis round trip: no Redis at all. */
  | "local"
  /** Worth a shared-cache read and write, not a lock (acquire, announce, release). */
  | "cache-only"
  /** Full Check-Lock-Check-Compute. */
  | "lock";

/** Round trips a lock costs beyond the cache read: acquire, announce, release, plus a margin. */
const LOCK_ROUND_TRIPS = 4;
const INITIAL_RTT_MS = 0.25;
const WINDOW = 20;
/**
 * Below this the estimate is timer noise. There is no upper bound: the minimum of the window
 * already ignores stalls, and a Redis far away really does cost its round trip (a cap made a
 * 120 ms network look like 20 ms and sent cheap units into three-round-trip locks).
 */
const MIN_RTT_MS = 0.02;

/**
 * Coordinate only when it pays. The Redis round trip is measured by the breaker's heartbeat;
 * the estimate is the *minimum* of the last samples, because a sample can only be inflated
 * (by a busy event loop delaying the reply's callback), never deflated. A loaded replica so
 * keeps locking the units worth locking, which is when deduplication matters most.
 */
export class CostPolicy {
  readonly #fixedLockMinCostMs: number | null;
  readonly #samples: number[] = [];

  constructor(lockMinCostMs: number | "auto") {
    this.#fixedLockMinCostMs = lockMinCostMs === "auto" ? null : lockMinCostMs;
  }

  observeRoundTrip(ms: number): void {
    this.#samples.push(ms);
    if (this.#samples.length > WINDOW) this.#samples.shift();
  }

  get roundTripMs(): number {
    if (this.#samples.length === 0) return INITIAL_RTT_MS;
    return Math.max(MIN_RTT_MS, Math.min(...this.#samples));
  }

  get lockMinCostMs(): number {
    return this.#fixedLockMinCostMs ?? this.roundTripMs * LOCK_ROUND_TRIPS;
  }

  route(costMs: number): CoordinationRoute {
    if (costMs < this.roundTripMs) return "local";
    if (costMs < this.lockMinCostMs) return "cache-only";
    return "lock";
  }
}
