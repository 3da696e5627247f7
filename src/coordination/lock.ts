import { ExecutionError, type Lock, type Redlock } from "@sesamecare-oss/redlock";
import type { Redis } from "ioredis";

export interface HeldLock {
  /** Stops extending and releases; never throws (an unreleased lease simply expires). */
  release(): Promise<void>;
}

export type Acquisition =
  | { readonly kind: "acquired"; readonly lock: HeldLock }
  /** Another holder has it, for about `leaseMs` more. */
  | { readonly kind: "held"; readonly leaseMs: number }
  /** Not acquired, yet nobody holds it: released meanwhile, or the nodes refused (e.g. OOM). */
  | { readonly kind: "free" };

export interface LockCallbacks {
  /** Whether Redis may be called now (the breaker is closed); extensions pause otherwise. */
  readonly redisUsable: () => boolean;
  readonly onExtensionFailed?: (error: unknown) => void;
  /** A lock granted after its caller had given up, released at once instead of held. */
  readonly onLateAcquire?: () => void;
}

/**
 * Non-blocking Redlock locks named `{prefix}{unitKey}` (docs/architecture.md: the origin design's
 * `indicator:calc:{NAME}:...`), extended every third of a lease while held. The lock protects
 * efficiency, not correctness: results are deterministic, so a lost lock costs a duplicate
 * computation at worst, and no fencing is needed. Lock nodes are judged by quorum: one node
 * down or frozen does not make locking fail.
 */
export class LockManager {
  readonly #redlock: Redlock;
  readonly #nodes: readonly Redis[];
  readonly #prefix: string;
  readonly #leaseMs: number;
  readonly #callbacks: LockCallbacks;

  constructor(
    redlock: Redlock,
    nodes: readonly Redis[],
    prefix: string,
    leaseMs: number,
    callbacks: LockCallbacks,
  ) {
    this.#redlock = redlock;
    this.#nodes = nodes;
    this.#prefix = prefix;
    this.#leaseMs = leaseMs;
    this.#callbacks = callbacks;
  }

  resourceKey(unitKey: string): string {
    return `${this.#prefix}${unitKey}`;
  }

  /**
   * One attempt, no retries. Redlock reports "someone else holds it" and "the nodes failed"
   * as the same error, with per-node votes that settle only when the slowest node answers; a
   * lease read answers sooner and tells the two apart.
   *
   * `signal` aborts when the caller stops waiting (its deadline passed). A grant that arrives
   * after that has nobody to compute under it or release it: held and extended, it would block
   * every replica needing the key until a restart, so it is released at once.
   */
  async tryAcquire(unitKey: string, onExtended?: () => void, signal?: AbortSignal): Promise<Acquisition> {
    try {
      const lock = await this.#redlock.acquire([this.resourceKey(unitKey)], this.#leaseMs, { retryCount: 0 });
      if (signal?.aborted) {
        this.#callbacks.onLateAcquire?.();
        await this.#redlock.release(lock, { retryCount: 0 }).catch(() => undefined);
        return { kind: "free" };
      }
      return { kind: "acquired", lock: this.#hold(lock, onExtended) };
    } catch (error) {
      if (!(error instanceof ExecutionError)) throw error;
      const leaseMs = await this.remainingLeaseMs(unitKey);
      return leaseMs > 0 ? { kind: "held", leaseMs } : { kind: "free" };
    }
  }

  /**
   * Milliseconds left on the current holder's lease (0: nobody holds it). The first node that
   * reports a lease answers; a down or frozen node does not delay it. Throws when no node answers.
   */
  async remainingLeaseMs(unitKey: string): Promise<number> {
    const key = this.resourceKey(unitKey);
    const reads = this.#nodes.map((node) => node.pttl(key));
    try {
      return await Promise.any(
        reads.map((read) => read.then((ttl) => (ttl > 0 ? ttl : Promise.reject(ttl)))),
      );
    } catch {
      const settled = await Promise.allSettled(reads);
      if (settled.every((read) => read.status === "rejected")) throw new Error("no lock node answered");
      return 0;
    }
  }

  #hold(acquired: Lock, onExtended?: () => void): HeldLock {
    let lock = acquired;
    let extending: Promise<void> = Promise.resolve();
    let failureReported = false;
    const timer = setInterval(
      () => {
        if (!this.#callbacks.redisUsable()) return;
        extending = lock.extend(this.#leaseMs).then(
          (extended) => {
            lock = extended;
            onExtended?.();
          },
          (error: unknown) => {
            // Once per lock: during an outage every held lock would otherwise log every lease/3.
            if (!failureReported) this.#callbacks.onExtensionFailed?.(error);
            failureReported = true;
          },
        );
      },
      Math.max(10, Math.floor(this.#leaseMs / 3)),
    );
    timer.unref();
    return {
      release: async () => {
        clearInterval(timer);
        await extending;
        if (!this.#callbacks.redisUsable()) return;
        await this.#redlock.release(lock, { retryCount: 0 }).catch(() => undefined);
      },
    };
  }
}
