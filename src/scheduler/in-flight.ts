/**
 * Concurrent identical units on one replica share one promise. The entry is removed when the
 * promise settles either way, so a failure reaches every waiter and leaves nothing poisoned.
 */
export class InFlight<T> {
  readonly #pending = new Map<string, Promise<T>>();

  get(key: string): Promise<T> | undefined {
    return this.#pending.get(key);
  }

  /** Starts `work` for `key` and registers it until it settles. */
  start(key: string, work: () => Promise<T>): Promise<T> {
    const promise = work().finally(() => {
      if (this.#pending.get(key) === promise) this.#pending.delete(key);
    });
    this.#pending.set(key, promise);
    return promise;
  }

  get size(): number {
    return this.#pending.size;
  }
}
