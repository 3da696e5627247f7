import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { InlineExecutor, PoolExecutor } from "./compute/executor.js";
import type { Config } from "./config/config.js";
import { buildApp } from "./http/app.js";
import { Lifecycle } from "./lifecycle.js";
import { MemoryCache } from "./scheduler/memory-cache.js";
import { SmartScheduler } from "./scheduler/scheduler.js";

export interface Service {
  readonly app: FastifyInstance;
  readonly scheduler: SmartScheduler;
  readonly lifecycle: Lifecycle;
  close(): Promise<void>;
}

/** The composition root: wires config into scheduler, cache and HTTP. */
export function createService(config: Config, logger: FastifyServerOptions["logger"] = false): Service {
  const scheduler = new SmartScheduler({
    mode: config.SCHEDULER_MODE,
    cache: config.CACHE_ENABLED
      ? new MemoryCache({ maxBytes: config.CACHE_MAX_BYTES, ttlMs: config.CACHE_TTL_SECONDS * 1_000 })
      : null,
    inline: new InlineExecutor(),
    pool: new PoolExecutor(config.SCHEDULER_MAX_WORKERS),
    poolMinCostMs: config.SCHEDULER_POOL_MIN_COST_MS,
  });
  const lifecycle = new Lifecycle();
  const app = buildApp({
    scheduler,
    lifecycle,
    limits: { maxCandles: config.MAX_CANDLES, maxIndicators: config.MAX_INDICATORS },
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    mode: () => "standalone",
    logger,
  });
  app.addHook("onClose", async () => {
    await scheduler.close();
  });
  return {
    app,
    scheduler,
    lifecycle,
    close: async () => {
      lifecycle.markDraining();
      await app.close();
    },
  };
}
