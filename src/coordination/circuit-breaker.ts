export type BreakerState = "closed" | "open" | "half-open";

export class BreakerOpenError extends Error {
  override name = "BreakerOpenError";
  constructor() {
    super("Redis circuit breaker is open");
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
  readonly onChange?: (state: BreakerState, error: Error | null) => void;
}

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
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis call exceeded ${this.#options.callTimeoutMs} ms`)),
        this.#options.callTimeoutMs,
      );
    });
    try {
      const value = await Promise.race([operation(), deadline]);
      this.#failures = 0;
      return value;
    } catch (error) {
      this.recordFailure(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Counts a failure seen outside `run` (a dropped connection, say). */
  recordFailure(error: unknown): void {
    this.#lastError = error instanceof Error ? error : new Error(String(error));
    this.#failures++;
    if (this.#state === "closed" && this.#failures >= this.#options.failureThreshold) this.#open();
  }

  async #tick(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    const wasOpen = this.#state !== "closed";
    if (wasOpen) this.#state = "half-open";
    try {
      await this.#options.probe();
      if (wasOpen) this.#close();
    } catch (error) {
      if (wasOpen) {
        this.#state = "open";
        this.#lastError = error instanceof Error ? error : new Error(String(error));
      } else {
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
