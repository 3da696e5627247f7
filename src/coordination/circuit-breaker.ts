import type { BreakerState } from "../scheduler/coordinator.js";

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export class BreakerOpenError extends Error {
  override name = "BreakerOpenError";
  constructor() {
    super("Redis circuit breaker is open");
  }
}

export class DeadlineError extends Error {
  override name = "DeadlineError";
  /** The deadline fired far too late: the event loop, not Redis, was stuck. */
  readonly stalled: boolean;

  constructor(message: string, stalled: boolean) {
    super(message);
    this.stalled = stalled;
  }
}

export interface CircuitBreakerOptions {
  /**
   * Consecutive failed calls that open the breaker: one slow reply is not an outage. A dropped
   * connection or a failed heartbeat opens it at once (`trip`).
   */
  readonly failureThreshold: number;
  /** Interval of the heartbeat (closed) and of the probe (open). */
  readonly probeIntervalMs: number;
  /**
   * Deadline of one round trip. A guarded call that needs several (a contended Redlock acquire
   * is an acquire, a release of partial votes and a lease read) gets one per round trip, and a
   * bulk transfer gets extra time for its bytes: a slow network must not look like a dead one.
   */
  readonly callTimeoutMs: number;
  /** Resolves when the dependency answers; its own deadline is the caller's business. */
  readonly probe: () => Promise<void>;
  /**
   * Whether an error says the dependency is unreachable. Reply errors (WRONGTYPE, OOM) do not:
   * they fail that one call, not the whole replica's coordination.
   */
  readonly isOutage?: (error: unknown) => boolean;
  readonly onChange?: (state: BreakerState, error: Error | null) => void;
}

export interface CallBudget {
  /**
   * Round trips the call makes (default 1). The first gets a whole round-trip deadline; each
   * later one follows an answer, so it gets a few typical round trips (at least a quarter of
   * `callTimeoutMs`): a Redis that froze mid-call costs the caller about one deadline, not one
   * per round trip.
   */
  readonly roundTrips?: number;
  /** Added to the deadline, e.g. the transfer time of a large entry. */
  readonly extraMs?: number;
  /**
   * A count that grows while the call's transfer moves (bytes received on its connection). A
   * deadline that passes while it grew starts again: a link or a replica slowed down by a
   * starved CPU is still delivering, and a dead or frozen Redis delivers nothing. At most
   * MAX_PROGRESS_RESTARTS times, so a trickle cannot hold a call open for ever.
   */
  readonly progress?: () => number;
}

/**
 * A deadline timer that fires more than a whole deadline late (at least this many ms) means the
 * event loop, not Redis, was stuck; ordinary load delays timers by far less.
 */
const MIN_STALL_MS = 100;
/**
 * After a stall the deadline starts again, so a reply queued behind the stall can still land;
 * a loop that keeps stalling gives up after this many restarts (failing the call, not Redis).
 */
const MAX_STALL_RESTARTS = 3;
/** Deadlines a call may start again because its transfer moved (see CallBudget.progress). */
const MAX_PROGRESS_RESTARTS = 10;
/**
 * A round trip's deadline is at least this many typical heartbeats (the median of the last
 * HEARTBEAT_SAMPLES): a Redis 120 ms away is slow, not dead, and must not fail every call a
 * 200 ms deadline would. Replies on a busy 2-core replica were seen at 4x an idle heartbeat.
 */
const ROUND_TRIP_DEADLINE_FACTOR = 5;
const HEARTBEAT_SAMPLES = 5;

/**
 * Decides whether Redis is used at all. Closed: calls go through and a heartbeat catches a
 * server that froze while idle. Open: calls fail at once without touching Redis, and a probe
 * runs every interval; the first success closes the breaker again (half-open is the probe in
 * flight). One timer, never more than one probe at a time.
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  #state: BreakerState = "closed";
  #failures = 0;
  #since = Date.now();
  #lastError: Error | null = null;
  #timer: NodeJS.Timeout | undefined;
  #probing = false;
  /** Calls waiting on Redis right now: when the breaker opens they fail at once. */
  readonly #inFlight = new Set<AbortController>();
  readonly #heartbeatMs: number[] = [];

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
  }

  get state(): BreakerState {
    return this.#state;
  }

  get since(): number {
    return this.#since;
  }

  get lastError(): Error | null {
    return this.#lastError;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.#tick(), this.#options.probeIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Runs `operation` under a deadline. When the deadline passes, or the breaker opens meanwhile,
   * the call fails and the signal aborts, so work that resolves later (a lock acquired after its
   * caller gave up) can undo itself. Failing waiting calls when the breaker opens bounds what an
   * outage costs a request by the time to notice it, not by the longest deadline in flight (a
   * contended lock attempt has three round trips' worth).
   */
  async run<T>(operation: (signal: AbortSignal) => Promise<T>, budget: CallBudget = {}): Promise<T> {
    if (this.#state !== "closed") throw new BreakerOpenError();
    const abort = new AbortController();
    const laterRoundTrips = (budget.roundTrips ?? 1) - 1;
    const deadlineMs =
      this.#roundTripDeadlineMs() +
      laterRoundTrips *
        Math.max(this.#options.callTimeoutMs / 4, ROUND_TRIP_DEADLINE_FACTOR * this.#typicalMs()) +
      (budget.extraMs ?? 0);
    this.#inFlight.add(abort);
    try {
      const value = await this.#withDeadline(operation(abort.signal), deadlineMs, abort, budget.progress);
      this.#failures = 0;
      return value;
    } catch (error) {
      const stalled = error instanceof DeadlineError && error.stalled;
      if (!stalled && this.#state === "closed" && (this.#options.isOutage?.(error) ?? true))
        this.recordFailure(error);
      throw error;
    } finally {
      this.#inFlight.delete(abort);
    }
  }

  /** The median of the last heartbeats (0 before the first). */
  #typicalMs(): number {
    const sorted = [...this.#heartbeatMs].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? 0;
  }

  #roundTripDeadlineMs(): number {
    return Math.max(this.#options.callTimeoutMs, ROUND_TRIP_DEADLINE_FACTOR * this.#typicalMs());
  }

  /** Counts a failed call; the threshold-th in a row opens the breaker. */
  recordFailure(error: unknown): void {
    this.#lastError = toError(error);
    this.#failures++;
    if (this.#state === "closed" && this.#failures >= this.#options.failureThreshold) this.#open();
  }

  /** Opens at once: evidence stronger than a slow reply (a dropped connection, a failed heartbeat). */
  trip(error: unknown): void {
    this.#lastError = toError(error);
    if (this.#state === "closed") this.#open();
  }

  /**
   * Rejects when `abort` aborts (the breaker opened) or the deadline passes, the latter only after one more turn of the event loop
   * (setImmediate runs after pending socket reads): timers run before I/O, so after a stall a
   * reply already waiting would otherwise lose to its own deadline. A deadline that fired far
   * too late means the event loop was stuck, not Redis: the deadline starts again (a reply
   * queued behind the stall gets its full time) and, if the loop keeps stalling, the call fails
   * as a stall, which is not held against Redis.
   */
  #withDeadline<T>(
    operation: Promise<T>,
    deadlineMs: number,
    abort = new AbortController(),
    progress?: () => number,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let restarts = 0;
      let progressRestarts = 0;
      let timer: NodeJS.Timeout;
      const arm = () => {
        const started = performance.now();
        const moved = progress?.() ?? 0;
        timer = setTimeout(() => {
          setImmediate(() => {
            if (settled) return;
            const elapsed = performance.now() - started;
            const stalled = elapsed > deadlineMs + Math.max(deadlineMs, MIN_STALL_MS);
            if (stalled && restarts < MAX_STALL_RESTARTS) {
              restarts++;
              arm();
              return;
            }
            if (progress && progress() > moved && progressRestarts < MAX_PROGRESS_RESTARTS) {
              progressRestarts++;
              arm();
              return;
            }
            abort.abort(
              new DeadlineError(
                stalled
                  ? `Redis call deadline passed while the event loop stalled (${Math.round(elapsed)} ms)`
                  : `Redis call exceeded ${Math.round(deadlineMs)} ms`,
                stalled,
              ),
            );
          });
        }, deadlineMs);
      };
      arm();
      abort.signal.addEventListener(
        "abort",
        () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(abort.signal.reason);
        },
        { once: true },
      );
      operation.then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  async #tick(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    const wasOpen = this.#state !== "closed";
    if (wasOpen) this.#state = "half-open";
    try {
      const started = performance.now();
      await this.#withDeadline(this.#options.probe(), this.#roundTripDeadlineMs());
      this.#heartbeatMs.push(performance.now() - started);
      if (this.#heartbeatMs.length > HEARTBEAT_SAMPLES) this.#heartbeatMs.shift();
      if (wasOpen) this.#close();
      else this.#failures = 0;
    } catch (error) {
      if (wasOpen) {
        this.#state = "open";
        this.#lastError = toError(error);
      }
      // A heartbeat is one small command whose deadline already allows five typical round trips:
      // if even that fails, Redis is gone or frozen (units too cheap to coordinate make no calls
      // that would notice), so the breaker opens without waiting for more failures.
      else if (!(error instanceof DeadlineError && error.stalled)) this.trip(error);
    } finally {
      this.#probing = false;
    }
  }

  #open(): void {
    this.#state = "open";
    this.#since = Date.now();
    for (const call of this.#inFlight) call.abort(new BreakerOpenError());
    this.#options.onChange?.("open", this.#lastError);
  }

  #close(): void {
    this.#state = "closed";
    this.#failures = 0;
    this.#since = Date.now();
    this.#options.onChange?.("closed", null);
  }
}
