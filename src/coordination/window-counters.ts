import type { Redis, Result } from "ioredis";

/**
 * One hit of a fixed window: the window starts (and expires) with the key's first hit. A key left
 * without an expiry (PTTL -1, e.g. an expiry lost to a failover) gets one, so it cannot count forever.
 */
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) return {count, tonumber(ARGV[1])} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    incrementWindow(key: string, windowMs: number): Result<[number, number], Context>;
  }
}

/**
 * Fixed-window counters in Redis for the rate limiter, each call under the coordination tier's
 * breaker and deadline (`guard`), so a slow Redis sends the limiter to its local counters.
 */
export class RedisWindowCounters {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #guard: <T>(operation: () => Promise<T>) => Promise<T>;

  constructor(client: Redis, prefix: string, guard: <T>(operation: () => Promise<T>) => Promise<T>) {
    this.#client = client;
    this.#prefix = prefix;
    this.#guard = guard;
    client.defineCommand("incrementWindow", { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const [count, ttlMs] = await this.#guard(() =>
      this.#client.incrementWindow(this.#prefix + key, windowMs),
    );
    return { count, ttlMs };
  }
}
