import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import { problem } from "../errors/registry.js";
import { LocalWindowCounters, type SharedWindowCounters, type WindowCount } from "./fixed-windows.js";
import { operationalRole } from "./route-roles.js";

export interface RateLimitOptions {
  readonly max: number;
  readonly windowMs: number;
  /** Counters shared by the fleet, so the limit holds across replicas; null in standalone mode. */
  readonly shared: SharedWindowCounters | null;
}

/**
 * The store contract of @fastify/rate-limit (`incr` with a callback, `child` for routes with a
 * limit of their own), over our counters: the fleet's while they answer, this replica's otherwise.
 * With Redis down, or too slow for the breaker's deadline, the limit degrades to a per-replica
 * limit instead of failing or holding requests, or switching limiting off.
 */
class FallbackStore implements FastifyRateLimitStore {
  constructor(
    private readonly shared: SharedWindowCounters | null,
    private readonly local: LocalWindowCounters,
    private readonly prefix = "",
  ) {}

  incr(key: string, callback: Parameters<FastifyRateLimitStore["incr"]>[1], timeWindow: number): void {
    const answer = ({ count, ttlMs }: WindowCount) => callback(null, { current: count, ttl: ttlMs });
    const prefixed = this.prefix + key;
    if (!this.shared) {
      answer(this.local.increment(prefixed, timeWindow));
      return;
    }
    this.shared
      .increment(prefixed, timeWindow)
      .then(answer, () => answer(this.local.increment(prefixed, timeWindow)));
  }

  child(routeOptions: Parameters<FastifyRateLimitStore["child"]>[0]): FallbackStore {
    // Declared as the route's options, passed as the merged limit params with the route under
    // `routeInfo` (index.js of @fastify/rate-limit 11).
    const { method, url } = (routeOptions as unknown as { routeInfo: { method: string; url: string } })
      .routeInfo;
    return new FallbackStore(this.shared, this.local, `${this.prefix}${method}${url}-`);
  }
}

/** Per API key when keys are configured, else per client address. Probes and metrics are never limited. */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  if (options.max <= 0) return;
  const store = new FallbackStore(options.shared, new LocalWindowCounters());
  app.register(rateLimit, {
    max: options.max,
    timeWindow: options.windowMs,
    // The plugin constructs its store with `new`; a constructor that returns an object yields it.
    store: function Store() {
      return store;
    } as unknown as FastifyRateLimitStoreCtor,
    allowList: (request) => operationalRole(request) !== undefined,
    keyGenerator: (request) => (request.apiKeyId ? `key:${request.apiKeyId}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      problem("TOO_MANY_REQUESTS", {
        reason: `More than ${context.max} requests in ${Math.round(options.windowMs / 1_000)} s`,
        retryAfterSeconds: Math.ceil(context.ttl / 1_000),
      }),
  });
}
