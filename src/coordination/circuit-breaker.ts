export type BreakerState = "closed" | "open" | "half-open";

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
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number;
  /** Interval of the heartbeat (closed) and of the probe (open). */
  readonly probeIntervalMs: number;
  /**
   * Deadline of one guarded call. Client command timeouts bound single commands; this bounds
   * composite ones too (a failed Redlock acquire also tries a release before it gives up).
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

/**
 * A deadline timer that fires more than a whole deadline late (at least this many ms) means the
 * event loop, not Redis, was stuck; ordinary load delays timers by far less.
 */
const MIN_STALL_MS = 100;

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

  async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#state !== "closed") throw new BreakerOpenError();
    try {
      const value = await this.#withDeadline(operation());
      this.#failures = 0;
      return value;
    } catch (error) {
      const stalled = error instanceof DeadlineError && error.stalled;
      if (!stalled && (this.#options.isOutage?.(error) ?? true)) this.recordFailure(error);
      throw error;
    }
  }

  /** Counts a failure seen outside `run` (a dropped connection, say). */
  recordFailure(error: unknown): void {
    this.#lastError = error instanceof Error ? error : new Error(String(error));
    this.#failures++;
    if (this.#state === "closed" && this.#failures >= this.#options.failureThreshold) this.#open();
  }

  /**
   * Rejects when the deadline passes, but only after one more turn of the event loop
   * (setImmediate runs after pending socket reads): timers run before I/O, so after a stall a
   * reply already waiting would otherwise lose to its own deadline. A deadline that fired far
   * too late is reported as a stall, which fails the call but is not held against Redis.
   */
  #withDeadline<T>(operation: Promise<T>): Promise<T> {
    const { callTimeoutMs } = this.#options;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const started = performance.now();
      const timer = setTimeout(() => {
        setImmediate(() => {
          if (settled) return;
          settled = true;
          const elapsed = performance.now() - started;
          const stalled = elapsed > callTimeoutMs + Math.max(callTimeoutMs, MIN_STALL_MS);
          reject(
            new DeadlineError(
              stalled
                ? `Redis call deadline passed while the event loop stalled (${Math.round(elapsed)} ms)`
                : `Redis call exceeded ${callTimeoutMs} ms`,
              stalled,
            ),
          );
        });
      }, callTimeoutMs);
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
      await this.#withDeadline(this.#options.probe());
      if (wasOpen) this.#close();
    } catch (error) {
      if (wasOpen) {
        this.#state = "open";
        this.#lastError = error instanceof Error ? error : new Error(String(error));
      } else if (!(error instanceof DeadlineError && error.stalled)) {
        this.recordFailure(error);
      }
    } finally {
      this.#probing = false;
    }
  }

  #open(): void {
    this.#state = "open";
    this.#since = Date.now();
    this.#options.onChange?.("open", this.#lastError);
  }

  #close(): void {
    this.#state = "closed";
    this.#failures = 0;
    this.#since = Date.now();
    this.#options.onChange?.("closed", null);
  }
}
