import type { Redis } from "ioredis";

export type Completion = "ok" | "error";

export interface Expectation {
  readonly completion: Promise<Completion>;
  cancel(): void;
}

/**
 * Wake-on-result over Redis pub/sub: one channel, one subscriber connection per replica,
 * multiplexed over every local waiter. Pub/sub is fire-and-forget, so a waiter registers here
 * *before* re-checking the shared cache: an announcement can then only be missed if it
 * happened before the re-check, which the re-check sees.
 */
export class CompletionBus {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #waiters = new Map<string, Set<{ resolve(c: Completion): void; reject(e: Error): void }>>();

  constructor(publisher: Redis, subscriber: Redis, channel: string) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#channel = channel;
    this.#subscriber.on("message", (channel: string, message: string) => {
      if (channel === this.#channel) this.#deliver(message);
    });
  }

  async start(): Promise<void> {
    await this.#subscriber.subscribe(this.#channel);
  }

  expect(unitKey: string): Expectation {
    let waiter!: { resolve(c: Completion): void; reject(e: Error): void };
    const completion = new Promise<Completion>((resolve, reject) => {
      waiter = { resolve, reject };
    });
    let set = this.#waiters.get(unitKey);
    if (!set) {
      set = new Set();
      this.#waiters.set(unitKey, set);
    }
    set.add(waiter);
    return {
      completion,
      cancel: () => {
        set.delete(waiter);
        if (set.size === 0 && this.#waiters.get(unitKey) === set) this.#waiters.delete(unitKey);
      },
    };
  }

  async announce(unitKey: string, completion: Completion): Promise<void> {
    // Local waiters first: they must not depend on a round trip through Redis.
    this.#deliver(`${completion}|${unitKey}`);
    await this.#publisher.publish(this.#channel, `${completion}|${unitKey}`);
  }

  /** Wakes every waiter with an error, e.g. when Redis went away and no announcement can arrive. */
  failAll(error: Error): void {
    const sets = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const set of sets) for (const waiter of set) waiter.reject(error);
  }

  get waiting(): number {
    let count = 0;
    for (const set of this.#waiters.values()) count += set.size;
    return count;
  }

  #deliver(message: string): void {
    const separator = message.indexOf("|");
    const completion = message.slice(0, separator);
    if (completion !== "ok" && completion !== "error") return;
    const unitKey = message.slice(separator + 1);
    const set = this.#waiters.get(unitKey);
    if (!set) return;
    this.#waiters.delete(unitKey);
    for (const waiter of set) waiter.resolve(completion);
  }
}
