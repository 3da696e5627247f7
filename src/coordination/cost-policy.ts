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

/**
 * Coordinate only when it pays. The Redis round-trip time is measured by the breaker's
 * heartbeat (an exponentially weighted average), so the thresholds follow the deployment:
 * loopback Redis makes coordination worth it for cheaper units than a cross-zone one does.
 */
export class CostPolicy {
  readonly #fixedLockMinCostMs: number | null;
  #rttMs = INITIAL_RTT_MS;

  constructor(lockMinCostMs: number | "auto") {
    this.#fixedLockMinCostMs = lockMinCostMs === "auto" ? null : lockMinCostMs;
  }

  observeRoundTrip(ms: number): void {
    this.#rttMs = this.#rttMs * 0.8 + ms * 0.2;
  }

  get roundTripMs(): number {
    return this.#rttMs;
  }

  get lockMinCostMs(): number {
    return this.#fixedLockMinCostMs ?? this.#rttMs * LOCK_ROUND_TRIPS;
  }

  route(costMs: number): CoordinationRoute {
    if (costMs < this.#rttMs) return "local";
    if (costMs < this.lockMinCostMs) return "cache-only";
    return "lock";
  }
}
