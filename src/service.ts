import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { type Logger, pino } from "pino";
import { DelayedExecutor } from "./compute/delayed-executor.js";
import { type ComputeExecutor, InlineExecutor, PoolExecutor } from "./compute/executor.js";
import { type Config, listOf, lockUrlsOf } from "./config/config.js";
import { createCoordinator, type RedisTierOptions } from "./coordination/create.js";
import { buildApp } from "./http/app.js";
import { JsonBodyPool } from "./http/calculate/json-body-pool.js";
import { createJobs } from "./jobs/create.js";
import { eventLagMs } from "./jobs/events.js";
import { Lifecycle } from "./lifecycle.js";
import { JobMetrics } from "./metrics/job-metrics.js";
import { ServiceMetrics } from "./metrics/metrics.js";
import { AdmissionBudget } from "./scheduler/admission.js";
import type { Coordinator } from "./scheduler/coordinator.js";
import { MemoryCache } from "./scheduler/memory-cache.js";
import { SmartScheduler } from "./scheduler/scheduler.js";
import { SchedulerStats } from "./scheduler/stats.js";

export interface Service {
  readonly app: FastifyInstance;
  readonly scheduler: SmartScheduler;
  /** The fleet tier: its mode for logs, `abandon()` for a forced shutdown. */
  readonly coordinator: Coordinator;
  readonly lifecycle: Lifecycle;
  /** Readiness off, wait `drainMs` for balancers to notice, then stop accepting and finish in-flight work. */
  shutdown(drainMs: number): Promise<void>;
  close(): Promise<void>;
}

const SILENT = pino({ level: "silent" });
/** Retry-After bounds: at least a second (the header's unit), at most what a client will sensibly wait. */
const MIN_RETRY_AFTER_S = 1;
const MAX_RETRY_AFTER_S = 30;

/** A refused client's wait: the admitted compute spread over the pool's threads. */
function retryAfterSeconds(admittedComputeMs: number, threads: number): number {
  const seconds = Math.ceil(admittedComputeMs / threads / 1_000);
  return Math.min(MAX_RETRY_AFTER_S, Math.max(MIN_RETRY_AFTER_S, seconds));
}

/** The Redis tier as the config describes it; none without REDIS_URL (standalone). */
function redisTierOptions(config: Config): RedisTierOptions | undefined {
  if (config.REDIS_URL === undefined) return undefined;
  return {
    url: config.REDIS_URL,
    lockUrls: lockUrlsOf(config),
    keyPrefix: config.REDIS_KEY_PREFIX,
    connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS,
    tlsCaFile: config.REDIS_TLS_CA_FILE,
    cacheTtlMs: config.CACHE_TTL_SECONDS * 1_000,
    lockLeaseMs: config.LOCK_LEASE_MS,
    minCostMs: config.COORDINATION_MIN_COST_MS,
    coordinator: {
      lockEnabled: config.DISTRIBUTED_LOCK_ENABLED,
      wait:
        config.COORDINATION_WAIT === "poll"
          ? { strategy: "poll", intervalMs: config.POLL_INTERVAL_MS, attempts: config.POLL_ATTEMPTS }
          : { strategy: "notify" },
      waitTimeoutMs: config.LOCK_WAIT_TIMEOUT_MS,
      breakerFailureThreshold: config.BREAKER_FAILURE_THRESHOLD,
      breakerProbeIntervalMs: config.BREAKER_PROBE_INTERVAL_MS,
      callTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
      minBytesPerSecond: config.REDIS_MIN_BYTES_PER_SECOND,
    },
  };
}

/** The composition root: wires config into coordination, scheduler, cache and HTTP. */
export async function createService(config: Config, log: Logger = SILENT): Promise<Service> {
  const delayed = (executor: ComputeExecutor) =>
    config.DEBUG_COMPUTE_DELAY_MS > 0
      ? new DelayedExecutor(executor, config.DEBUG_COMPUTE_DELAY_MS)
      : executor;
  if (config.DEBUG_COMPUTE_DELAY_MS > 0) {
    log.warn(
      { delayMs: config.DEBUG_COMPUTE_DELAY_MS },
      "DEBUG_COMPUTE_DELAY_MS is set: every computation is slowed",
    );
  }
  const stats = new SchedulerStats();
  const { coordinator, windowCounters } = await createCoordinator(redisTierOptions(config), stats, log);
  const cache = config.CACHE_ENABLED
    ? new MemoryCache({ maxBytes: config.CACHE_MAX_BYTES, ttlMs: config.CACHE_TTL_SECONDS * 1_000 })
    : null;
  const pool = new PoolExecutor({
    maxThreads: config.SCHEDULER_MAX_WORKERS,
    maxQueue: config.SCHEDULER_MAX_QUEUE,
  });
  const scheduler = new SmartScheduler({
    mode: config.SCHEDULER_MODE,
    cache,
    inline: delayed(new InlineExecutor()),
    pool: delayed(pool),
    poolMinCostMs: config.SCHEDULER_POOL_MIN_COST_MS,
    coordinator,
    stats,
  });
  const jsonBodyPool = new JsonBodyPool({
    maxThreads: config.SCHEDULER_MAX_WORKERS,
    maxQueue: config.SCHEDULER_MAX_QUEUE,
  });
  const admission = new AdmissionBudget({
    maxBytes: config.MAX_INFLIGHT_BYTES,
    maxComputeMs: config.MAX_INFLIGHT_COMPUTE_MS,
  });
  const metrics = config.METRICS_ENABLED
    ? new ServiceMetrics({ stats, coordinator, cache, admission, poolQueued: () => pool.queued })
    : null;
  const lifecycle = new Lifecycle();
  const plan = {
    maxComputeMs: config.MAX_REQUEST_COMPUTE_MS,
    maxResponseValues: config.MAX_RESPONSE_VALUES,
    extraCostMs: config.DEBUG_COMPUTE_DELAY_MS,
  };
  const jobMetrics = metrics ? new JobMetrics(metrics.registry) : undefined;
  const jobs = createJobs(config, scheduler, plan, log, jobMetrics);
  jobMetrics?.watchQueue(() => jobs.runner.queue.depth());
  const app = buildApp({
    scheduler,
    fleet: coordinator,
    lifecycle,
    limits: { maxCandles: config.MAX_CANDLES, maxIndicators: config.MAX_INDICATORS },
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustProxy: listOf(config.TRUST_PROXY),
    plan,
    jobs: {
      runner: jobs.runner,
      jobLimits: { maxSeries: config.MAX_JOB_SERIES, maxCandles: config.MAX_JOB_CANDLES },
      maxBodyBytes: config.MAX_JOB_BYTES,
      heartbeatMs: config.JOB_EVENTS_HEARTBEAT_MS,
      onEvent: jobMetrics && ((event) => jobMetrics.delivered(eventLagMs(event))),
    },
    log,
    metrics,
    access: {
      apiKeys: listOf(config.API_KEYS),
      protectMetrics: config.METRICS_REQUIRE_API_KEY,
      authFailureLimit: config.AUTH_FAILURE_LIMIT,
      authFailureWindowMs: config.AUTH_FAILURE_WINDOW_MS,
      corsOrigins: listOf(config.CORS_ORIGINS),
      rateLimit: {
        max: config.RATE_LIMIT_MAX,
        windowMs: config.RATE_LIMIT_WINDOW_MS,
        shared: windowCounters,
      },
    },
    jsonBodies: { pool: jsonBodyPool, minBytes: config.JSON_BODY_WORKER_MIN_BYTES },
    admission: {
      budget: admission,
      retryAfterSeconds: () => retryAfterSeconds(admission.computeMs, config.SCHEDULER_MAX_WORKERS),
      deadlineMs: config.REQUEST_DEADLINE_MS,
    },
    overload: {
      maxEventLoopDelayMs: config.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS,
      maxEventLoopUtilization: config.OVERLOAD_MAX_EVENT_LOOP_UTILIZATION,
      maxHeapUsedBytes: config.OVERLOAD_MAX_HEAP_USED_BYTES,
      sampleIntervalMs: config.OVERLOAD_SAMPLE_INTERVAL_MS,
    },
  });
  app.addHook("onClose", async () => {
    // Jobs first: their running chunks still need the scheduler.
    await jobs.close();
    await Promise.all([scheduler.close(), jsonBodyPool.close()]);
  });
  const close = async () => {
    lifecycle.markDraining();
    await app.close();
  };
  return {
    app,
    scheduler,
    coordinator,
    lifecycle,
    shutdown: async (drainMs) => {
      lifecycle.markDraining();
      // A draining replica takes no new job chunk: the fleet's other workers take them while
      // this one finishes what it runs.
      const jobsDrained = jobs.drain();
      await sleep(drainMs);
      await jobsDrained;
      await close();
    },
    close,
  };
}
