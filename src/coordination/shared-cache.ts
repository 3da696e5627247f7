import type { Redis } from "ioredis";
import type { UnitResult } from "../scheduler/types.js";
import { decodeResult, encodeResult } from "./codec.js";

export type SharedLookup =
  | { readonly kind: "hit"; readonly result: UnitResult }
  | { readonly kind: "miss" }
  /** Present but unreadable or written for another key: treated as a miss and overwritten. */
  | { readonly kind: "invalid" };

/** Results shared by every replica, under `{prefix}{unitKey}:result`, with a TTL. */
export class SharedCache {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(redis: Redis, prefix: string, ttlMs: number) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#ttlMs = ttlMs;
  }

  redisKey(unitKey: string): string {
    return `${this.#prefix}${unitKey}:result`;
  }

  async get(unitKey: string): Promise<SharedLookup> {
    const buffer = await this.#redis.getBuffer(this.redisKey(unitKey));
    if (buffer === null) return { kind: "miss" };
    const result = decodeResult(unitKey, buffer);
    return result ? { kind: "hit", result } : { kind: "invalid" };
  }

  async set(unitKey: string, result: UnitResult): Promise<void> {
    await this.#redis.set(this.redisKey(unitKey), encodeResult(unitKey, result), "PX", this.#ttlMs);
  }
}
