import { readFileSync } from "node:fs";
import { Redlock } from "@sesamecare-oss/redlock";
import type { Logger } from "pino";
import { type Coordinator, StandaloneCoordinator } from "../scheduler/coordinator.js";
import type { SchedulerStats } from "../scheduler/stats.js";
import { CompletionBus } from "./completion-bus.js";
import { CostPolicy } from "./cost-policy.js";
import { LockManager } from "./lock.js";
import { closeClient, connect, whenReady } from "./redis-connections.js";
import { RedisCoordinator, type RedisCoordinatorSettings } from "./redis-coordinator.js";
import { SharedCache } from "./shared-cache.js";
import { RedisWindowCounters } from "./window-counters.js";

export interface Coordination {
  readonly coordinator: Coordinator;
  /** Fleet-wide rate-limit counters on the command connection, under the breaker; null standalone. */
  readonly windowCounters: RedisWindowCounters | null;
}

/**
 * ioredis's own command timeout, which only frees a command stuck on a frozen server: the
 * breaker's deadlines (scaled by round trips, bytes and the measured link) are what callers wait
 * for, and they can be longer than REDIS_COMMAND_TIMEOUT_MS on a distant Redis.
 */
const STUCK_COMMAND_TIMEOUT_MS = 30_000;

/** Where the Redis tier is and how it behaves; the composition root reads them from the config. */
export interface RedisTierOptions {
  readonly url: string;
  /** Independent Redis nodes for the Redlock quorum; empty: the locks live on `url`. */
  readonly lockUrls: readonly string[];
  readonly keyPrefix: string;
  readonly connectTimeoutMs: number;
  readonly tlsCaFile?: string;
  readonly cacheTtlMs: number;
  readonly lockLeaseMs: number;
  /** Units estimated cheaper skip the lock; `auto`: a few measured Redis round trips. */
  readonly minCostMs: number | "auto";
  readonly coordinator: RedisCoordinatorSettings;
}

/** Standalone without a Redis tier; otherwise the Redis tier, started (degraded if Redis is down). */
export async function createCoordinator(
  redis: RedisTierOptions | undefined,
  stats: SchedulerStats,
  log: Logger,
): Promise<Coordination> {
  if (redis === undefined) return { coordinator: new StandaloneCoordinator(), windowCounters: null };

  const settings = {
    commandTimeoutMs: STUCK_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: redis.connectTimeoutMs,
    tlsCa: redis.tlsCaFile === undefined ? undefined : readFileSync(redis.tlsCaFile),
  };
  const prefix = redis.keyPrefix;
  const commands = connect(redis.url, settings, "indicator-service");
  const subscriber = connect(redis.url, settings, "indicator-service:subscriber");
  const bulk = connect(redis.url, settings, "indicator-service:bulk", { autoPipelining: false });
  const lockUrls = redis.lockUrls;
  const lockNodes =
    lockUrls.length > 0
      ? lockUrls.map((url, i) => connect(url, settings, `indicator-service:lock${i}`))
      : [commands];
  const allClients = [...new Set([commands, subscriber, bulk, ...lockNodes])];

  const bus = new CompletionBus(commands, subscriber, `${prefix}done`);
  const cache = new SharedCache(bulk, prefix, redis.cacheTtlMs);
  const redisUsable = () => coordinator.mode === "distributed";
  const coordinator: RedisCoordinator = new RedisCoordinator(
    {
      cache,
      locks: new LockManager(
        new Redlock(lockNodes, { retryCount: 0, automaticExtensionThreshold: 0 }),
        lockNodes,
        prefix,
        redis.lockLeaseMs,
        {
          redisUsable,
          onExtensionFailed: (error) => log.warn({ err: error }, "lock lease extension failed"),
          onLateAcquire: () => log.debug("lock granted after its deadline: released at once"),
        },
      ),
      bus,
      policy: new CostPolicy(redis.minCostMs),
      stats,
      log,
      // Healthy means: both connections answer and announcements can arrive (SUBSCRIBE confirmed).
      ping: async () => {
        if (!bus.subscribed) await bus.subscribe();
        await Promise.all([commands.ping(), cache.ping()]);
      },
      closeConnections: async () => {
        await Promise.all(allClients.map((client) => closeClient(client, redis.coordinator.callTimeoutMs)));
      },
    },
    redis.coordinator,
  );

  // ioredis prints unhandled "error" events to stderr; errors reach the breaker through calls.
  for (const client of allClients) client.on("error", () => undefined);
  // Only the main connections decide the mode. Lock nodes are judged by quorum: a dead minority
  // node reconnecting every half second must not flap the whole replica.
  for (const client of [commands, subscriber, bulk]) {
    client.on("close", () => coordinator.connectionLost(new Error("Redis connection closed")));
  }
  // Subscribes on every (re)connect: an initial SUBSCRIBE that failed is not auto-resubscribed.
  subscriber.on("ready", () => void bus.subscribe().catch(() => undefined));

  await Promise.allSettled(
    [commands, subscriber, bulk].map((client) => whenReady(client, settings.connectTimeoutMs)),
  );
  await bus.subscribe().catch(() => undefined);
  await coordinator.start();
  return {
    coordinator,
    windowCounters: new RedisWindowCounters(commands, `${prefix}ratelimit:`, (operation) =>
      coordinator.guard(operation),
    ),
  };
}
