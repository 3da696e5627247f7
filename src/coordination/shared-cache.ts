import type { Redis } from "ioredis";

/**
 * Results shared by every replica, under `{prefix}{unitKey}:result`, with a TTL. It is given a
 * connection of its own: a multi-megabyte entry on the connection that carries lock, announce
 * and heartbeat commands would hold every one of them behind its bytes.
 */
export class SharedCache {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;
  #queuedBytes = 0;

  constructor(redis: Redis, prefix: string, ttlMs: number) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#ttlMs = ttlMs;
  }

  redisKey(unitKey: string): string {
    return `${this.#prefix}${unitKey}:result`;
  }

  /**
   * Bytes of the reads and writes on the connection now: a new call waits behind them, so its
   * deadline must allow for their transfer too (16 entries of 2.4 MB written at once).
   */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * Bytes received on the connection: it grows while Redis is sending, however slowly (an entry,
   * or the replies to the writes ahead of ours). Bytes sent do not count: the kernel's send
   * buffer takes megabytes from a Redis that is frozen.
   */
  received(): number {
    return this.#redis.stream?.bytesRead ?? 0;
  }

  /** The raw entry (about `expectedBytes`): decoding is CPU work, kept outside the Redis call. */
  read(unitKey: string, expectedBytes: number): Promise<Buffer | null> {
    return this.#queued(expectedBytes, this.#redis.getBuffer(this.redisKey(unitKey)));
  }

  /**
   * Whether the connection answers. Only asked of an idle one: behind queued entries a PING
   * measures their bytes, not the link, and the entries' own deadlines watch the connection.
   */
  async ping(): Promise<void> {
    if (this.#queuedBytes === 0) await this.#redis.ping();
  }

  async write(unitKey: string, entry: Buffer): Promise<void> {
    await this.#queued(entry.length, this.#redis.set(this.redisKey(unitKey), entry, "PX", this.#ttlMs));
  }

  async #queued<T>(bytes: number, call: Promise<T>): Promise<T> {
    this.#queuedBytes += bytes;
    try {
      return await call;
    } finally {
      this.#queuedBytes -= bytes;
    }
  }
}
