/** A key's count in its current window, and the milliseconds until that window ends. */
export interface WindowCount {
  readonly count: number;
  readonly ttlMs: number;
}

/**
 * Fixed-window counters shared by the replicas (the rate limiter's port): each key's window
 * starts at its first hit and lasts `windowMs`. `coordination/window-counters.ts` implements it
 * over Redis; it may reject (Redis down, breaker open), and the limiter then counts locally.
 */
export interface SharedWindowCounters {
  increment(key: string, windowMs: number): Promise<WindowCount>;
}

/** Keys whose windows are remembered: a spray from many addresses must not grow memory without end. */
const MAX_TRACKED_KEYS = 10_000;

/** Fixed-window counters in this replica's memory, oldest windows forgotten first past the bound. */
export class LocalWindowCounters {
  readonly #windows = new Map<string, { count: number; endsAt: number }>();
  readonly #maxKeys: number;

  constructor(maxKeys = MAX_TRACKED_KEYS) {
    this.#maxKeys = maxKeys;
  }

  increment(key: string, windowMs: number, now = Date.now()): WindowCount {
    const window = this.#windows.get(key);
    if (window && now < window.endsAt) {
      window.count++;
      return { count: window.count, ttlMs: window.endsAt - now };
    }
    this.#windows.delete(key);
    // Maps iterate in insertion order: the first key is the oldest window.
    if (this.#windows.size >= this.#maxKeys)
      this.#windows.delete(this.#windows.keys().next().value as string);
    this.#windows.set(key, { count: 1, endsAt: now + windowMs });
    return { count: 1, ttlMs: windowMs };
  }

  /** The count without counting: 0 when the key has no open window. */
  peek(key: string, now = Date.now()): WindowCount {
    const window = this.#windows.get(key);
    if (!window) return { count: 0, ttlMs: 0 };
    if (now >= window.endsAt) {
      this.#windows.delete(key);
      return { count: 0, ttlMs: 0 };
    }
    return { count: window.count, ttlMs: window.endsAt - now };
  }
}
