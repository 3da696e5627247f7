import { createRequire } from "node:module";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { ServiceError } from "../errors/registry.js";

/** The store contract of @fastify/rate-limit (its built-in stores ship without type declarations). */
interface RateLimitStore {
  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
    max: number,
  ): void;
  child(routeOptions: unknown): RateLimitStore;
}
type StoreConstructor = new (...args: unknown[]) => RateLimitStore;

const require = createRequire(import.meta.url);
const LocalStore = require("@fastify/rate-limit/store/LocalStore.js") as StoreConstructor;
const RedisStore = require("@fastify/rate-limit/store/RedisStore.js") as StoreConstructor;

export interface RateLimitOptions {
  readonly max: number;
  readonly windowMs: number;
  /** Shared counters, so the limit holds across replicas; null in standalone mode. */
  readonly redis: Redis | null;
  /** False while Redis is unusable (breaker open): counting then falls back to this replica. */
  readonly redisUsable: () => boolean;
  readonly keyPrefix: string;
}

/**
 * Counts in Redis while Redis works and in this replica's memory otherwise: with Redis down the
 * limit degrades to a per-replica limit instead of failing requests or switching limiting off.
 */
class FallbackStore implements RateLimitStore {
  constructor(
    private readonly shared: RateLimitStore | null,
    private readonly local: RateLimitStore,
    private readonly usable: () => boolean,
  ) {}

  incr(key: string, callback: Parameters<RateLimitStore["incr"]>[1], timeWindow: number, max: number): void {
    if (!this.shared || !this.usable()) {
      this.local.incr(key, callback, timeWindow, max);
      return;
    }
    this.shared.incr(
      key,
      (error, result) => (error ? this.local.incr(key, callback, timeWindow, max) : callback(null, result)),
      timeWindow,
      max,
    );
  }

  child(routeOptions: unknown): RateLimitStore {
    return new FallbackStore(
      this.shared?.child(routeOptions) ?? null,
      this.local.child(routeOptions),
      this.usable,
    );
  }
}

const NEVER_LIMITED = new Set(["/health", "/health/live", "/health/ready", "/metrics"]);

/** Per API key when keys are configured, else per client address. Probes and metrics are never limited. */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  if (options.max <= 0) return;
  const shared = options.redis
    ? new RedisStore(false, false, options.redis, `${options.keyPrefix}ratelimit:`)
    : null;
  const store = new FallbackStore(shared, new LocalStore(false, false, 10_000), options.redisUsable);
  app.register(rateLimit, {
    max: options.max,
    timeWindow: options.windowMs,
    store: function Store() {
      return store;
    } as unknown as StoreConstructor,
    allowList: (request) => NEVER_LIMITED.has(request.routeOptions.url ?? ""),
    keyGenerator: (request) => (request.apiKeyId ? `key:${request.apiKeyId}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new ServiceError(
        "TOO_MANY_REQUESTS",
        `More than ${context.max} requests in ${Math.round(options.windowMs / 1_000)} s; retry after ${context.after}.`,
      ),
  });
}
