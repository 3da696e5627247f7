import { createRequire } from "node:module";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { ServiceError } from "../errors/registry.js";
import { operationalRole } from "./route-roles.js";

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

/** Redis for fleet-wide counters, with the coordination tier's breaker and deadlines around each call. */
export interface GuardedRedis {
  readonly client: Redis;
  /** Runs `operation` under the breaker: rejects at once while it is open, or past the deadline. */
  guard<T>(operation: () => Promise<T>): Promise<T>;
}

export interface RateLimitOptions {
  readonly max: number;
  readonly windowMs: number;
  /** Shared counters, so the limit holds across replicas; null in standalone mode. */
  readonly redis: GuardedRedis | null;
  readonly keyPrefix: string;
}

type Counted = { current: number; ttl: number };

/**
 * Counts in Redis while Redis works and in this replica's memory otherwise: with Redis down, or
 * too slow for the breaker's deadline, the limit degrades to a per-replica limit instead of
 * failing or holding requests, or switching limiting off.
 */
class FallbackStore implements RateLimitStore {
  constructor(
    private readonly shared: { store: RateLimitStore; guard: GuardedRedis["guard"] } | null,
    private readonly local: RateLimitStore,
  ) {}

  incr(key: string, callback: Parameters<RateLimitStore["incr"]>[1], timeWindow: number, max: number): void {
    const shared = this.shared;
    if (!shared) {
      this.local.incr(key, callback, timeWindow, max);
      return;
    }
    shared
      .guard(
        () =>
          new Promise<Counted>((resolve, reject) =>
            shared.store.incr(
              key,
              (error, result) =>
                error || !result ? reject(error ?? new Error("no count")) : resolve(result),
              timeWindow,
              max,
            ),
          ),
      )
      .then(
        (result) => callback(null, result),
        () => this.local.incr(key, callback, timeWindow, max),
      );
  }

  child(routeOptions: unknown): RateLimitStore {
    return new FallbackStore(
      this.shared && { store: this.shared.store.child(routeOptions), guard: this.shared.guard },
      this.local.child(routeOptions),
    );
  }
}

/** Per API key when keys are configured, else per client address. Probes and metrics are never limited. */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  if (options.max <= 0) return;
  const { redis } = options;
  const shared = redis && {
    store: new RedisStore(false, false, redis.client, `${options.keyPrefix}ratelimit:`),
    guard: <T>(operation: () => Promise<T>) => redis.guard(operation),
  };
  const store = new FallbackStore(shared, new LocalStore(false, false, 10_000));
  app.register(rateLimit, {
    max: options.max,
    timeWindow: options.windowMs,
    store: function Store() {
      return store;
    } as unknown as StoreConstructor,
    allowList: (request) => operationalRole(request) !== undefined,
    keyGenerator: (request) => (request.apiKeyId ? `key:${request.apiKeyId}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new ServiceError(
        "TOO_MANY_REQUESTS",
        `More than ${context.max} requests in ${Math.round(options.windowMs / 1_000)} s; retry after ${context.after}.`,
      ),
  });
}
