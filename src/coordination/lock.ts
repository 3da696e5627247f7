import { ExecutionError, type Lock, type Redlock, ResourceLockedError } from "@sesamecare-oss/redlock";
import type { Redis } from "ioredis";

export interface HeldLock {
  /** Stops extending and releases; never throws (an unreleased lease simply expires). */
  release(): Promise<void>;
}

export interface LockEvents {
  onExtensionFailed?(error: unknown): void;
}

/**
 * Non-blocking Redlock locks named `{prefix}{unitKey}` (the origin design's
 * `indicator:calc:{NAME}:...`), extended every third of a lease while held. The lock protects
 * efficiency, not correctness: results are deterministic, so a lost lock costs a duplicate
 * computation at worst, and no fencing is needed.
 */
export class LockManager {
  readonly #redlock: Redlock;
  /** Where lease lengths are read: the first lock node. */
  readonly #leaseReader: Redis;
  readonly #prefix: string;
  readonly #leaseMs: number;
  readonly #events: LockEvents;

  constructor(
    redlock: Redlock,
    leaseReader: Redis,
    prefix: string,
    leaseMs: number,
    events: LockEvents = {},
  ) {
    this.#redlock = redlock;
    this.#leaseReader = leaseReader;
    this.#prefix = prefix;
    this.#leaseMs = leaseMs;
    this.#events = events;
  }

  resourceKey(unitKey: string): string {
    return `${this.#prefix}${unitKey}`;
  }

  /** The lock, or null when another holder has it; throws when Redis itself failed. */
  async tryAcquire(unitKey: string, onExtended?: () => void): Promise<HeldLock | null> {
    let lock: Lock;
    try {
      lock = await this.#redlock.acquire([this.resourceKey(unitKey)], this.#leaseMs, { retryCount: 0 });
    } catch (error) {
      if (await isContention(error)) return null;
      throw error;
    }
    return this.#hold(lock, onExtended);
  }

  /** Milliseconds left on the current holder's lease; 0 when nobody holds the lock. */
  async remainingLeaseMs(unitKey: string): Promise<number> {
    const ttl = await this.#leaseReader.pttl(this.resourceKey(unitKey));
    return Math.max(ttl, 0);
  }

  #hold(acquired: Lock, onExtended?: () => void): HeldLock {
    let lock = acquired;
    let extending: Promise<void> = Promise.resolve();
    const timer = setInterval(
      () => {
        extending = lock.extend(this.#leaseMs).then(
          (extended) => {
            lock = extended;
            onExtended?.();
          },
          (error: unknown) => this.#events.onExtensionFailed?.(error),
        );
      },
      Math.max(10, Math.floor(this.#leaseMs / 3)),
    );
    timer.unref();
    return {
      release: async () => {
        clearInterval(timer);
        await extending;
        await this.#redlock.release(lock, { retryCount: 0 }).catch(() => undefined);
      },
    };
  }
}

/** Redlock reports "someone else holds it" and "Redis failed" as the same ExecutionError. */
async function isContention(error: unknown): Promise<boolean> {
  if (!(error instanceof ExecutionError)) return false;
  const attempts = await Promise.all(error.attempts);
  return attempts.some((stats) =>
    [...stats.votesAgainst.values()].some((reason) => reason instanceof ResourceLockedError),
  );
}
