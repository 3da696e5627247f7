import type { Redis } from "ioredis";

/** `unavailable`: Redis went away, no announcement can arrive (the waiter should stop waiting). */
export type Completion = "ok" | "error" | "unavailable";

export interface Expectation {
  /** Never rejects: a waiter may stop listening at any time without leaving a rejection behind. */
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
  readonly #waiters = new Map<string, Set<(completion: Completion) => void>>();
  #subscribed = false;

  constructor(publisher: Redis, subscriber: Redis, channel: string) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#channel = channel;
    this.#subscriber.on("message", (channel: string, message: string) => {
      if (channel === this.#channel) this.#deliver(message);
    });
    this.#subscriber.on("close", () => {
      this.#subscribed = false;
    });
  }

  /** True once SUBSCRIBE succeeded on the current connection: only then can waiters be woken. */
  get subscribed(): boolean {
    return this.#subscribed && this.#subscriber.status === "ready";
  }

  /** Subscribes (again); a failure leaves `subscribed` false, which keeps the breaker open. */
  async subscribe(): Promise<void> {
    await this.#subscriber.subscribe(this.#channel);
    this.#subscribed = true;
  }

  expect(unitKey: string): Expectation {
    let wake!: (completion: Completion) => void;
    const completion = new Promise<Completion>((resolve) => {
      wake = resolve;
    });
    let set = this.#waiters.get(unitKey);
    if (!set) {
      set = new Set();
      this.#waiters.set(unitKey, set);
    }
    set.add(wake);
    return {
      completion,
      cancel: () => {
        set.delete(wake);
        if (set.size === 0 && this.#waiters.get(unitKey) === set) this.#waiters.delete(unitKey);
      },
    };
  }

  async announce(unitKey: string, completion: "ok" | "error"): Promise<void> {
    // Local waiters first: they must not depend on a round trip through Redis.
    this.#deliver(`${completion}|${unitKey}`);
    await this.#publisher.publish(this.#channel, `${completion}|${unitKey}`);
  }

  /** Wakes every waiter: Redis went away and no announcement can arrive. */
  wakeAll(): void {
    const sets = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const set of sets) for (const wake of set) wake("unavailable");
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
    for (const wake of set) wake(completion);
  }
}
