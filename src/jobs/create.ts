import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { PlanOptions } from "../calculation/plan.js";
import type { Config } from "../config/config.js";
import { closeClient, connect } from "../coordination/redis-connections.js";
import type { SmartScheduler } from "../scheduler/scheduler.js";
import { BullJobQueue } from "./bull-queue.js";
import { LocalJobQueue } from "./local-queue.js";
import { MemoryJobStore } from "./memory-store.js";
import type { JobObserver, JobQueue, JobStore } from "./model.js";
import { RedisJobStore } from "./redis-store.js";
import { JobRunner, type JobRunnerOptions } from "./runner.js";

export interface Jobs {
  readonly runner: JobRunner;
  /** Stops taking chunks and finishes the running ones; the store still serves status, events and results. */
  drain(): Promise<void>;
  /** Drains, then closes the store; once, however often called. */
  close(): Promise<void>;
}

function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= close();
    return closing;
  };
}

/** Retry-After of a refused job: Redis reconnects every half second, a job is not urgent to the second. */
const RETRY_AFTER_S = 5;

/**
 * The job engine for this config: BullMQ and the Redis store with REDIS_URL, the in-process
 * queue and memory store without. The same runner and routes serve both.
 */
export function createJobs(
  config: Config,
  scheduler: SmartScheduler,
  plan: PlanOptions,
  log: Logger,
  observer?: JobObserver,
): Jobs {
  const common = {
    scheduler,
    plan,
    seriesPerChunk: config.JOB_CHUNK_SERIES,
    retryAfterSeconds: RETRY_AFTER_S,
    poolWaitMs: config.JOB_POOL_WAIT_MS,
    log,
    observer,
  };
  if (config.REDIS_URL === undefined) {
    const store = new MemoryJobStore({
      maxBytes: config.JOB_MEMORY_MAX_BYTES,
      ttlMs: config.JOB_TTL_SECONDS * 1_000,
      retryAfterSeconds: RETRY_AFTER_S,
    });
    return assemble(common, store, new LocalJobQueue(config.JOB_CONCURRENCY), () => store.close());
  }
  const tls = config.REDIS_TLS_CA_FILE === undefined ? undefined : readFileSync(config.REDIS_TLS_CA_FILE);
  // The store's commands fail fast (a job refused with 503 beats a request that hangs).
  const commands = connect(
    config.REDIS_URL,
    { commandTimeoutMs: 30_000, connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS, tlsCa: tls },
    "indicator-service:jobs",
    // Unpipelined: its record script would meet the auto-pipeline's NOSCRIPT bug (see
    // redis-connections.ts), and job calls gain nothing from batching with one another.
    { autoPipelining: false },
  );
  commands.on("error", () => undefined);
  // BullMQ's own connection: it blocks on a duplicate and must retry commands across reconnects
  // (maxRetriesPerRequest null), so running jobs resume when Redis returns.
  const bull = new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: null,
    connectionName: "indicator-service:bullmq",
    ...(tls && config.REDIS_URL.startsWith("rediss:") ? { tls: { ca: tls } } : {}),
  });
  bull.on("error", () => undefined);
  const store = new RedisJobStore(commands, {
    prefix: config.REDIS_KEY_PREFIX,
    ttlMs: config.JOB_TTL_SECONDS * 1_000,
    maxFollowers: config.JOB_MAX_FOLLOWERS,
    seriesCacheTtlMs: config.CACHE_TTL_SECONDS * 1_000,
  });
  const queue = new BullJobQueue(bull, {
    prefix: `${config.REDIS_KEY_PREFIX}bull`,
    concurrency: config.JOB_CONCURRENCY,
    lockDurationMs: config.JOB_LOCK_MS,
    log,
  });
  return assemble(common, store, queue, async () => {
    await Promise.all([closeClient(commands, 1_000), closeClient(bull, 1_000)]);
  });
}

/** The runner on its store and queue; closing drains the queue first, then `release`s the rest. */
function assemble(
  options: Omit<JobRunnerOptions, "store" | "queue">,
  store: JobStore,
  queue: JobQueue,
  release: () => Promise<void>,
): Jobs {
  const drain = once(() => queue.close());
  return {
    runner: new JobRunner({ ...options, store, queue }),
    drain,
    close: once(async () => {
      await drain();
      await release();
    }),
  };
}
