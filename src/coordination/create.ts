import { readFileSync } from "node:fs";
import { Redlock } from "@sesamecare-oss/redlock";
import type { Logger } from "pino";
import { type Config, lockUrlsOf } from "../config/config.js";
import { type Coordinator, StandaloneCoordinator } from "../scheduler/coordinator.js";
import type { SchedulerStats } from "../scheduler/stats.js";
import { CompletionBus } from "./completion-bus.js";
import { CostPolicy } from "./cost-policy.js";
import { LockManager } from "./lock.js";
import { closeClient, connect, whenReady } from "./redis-connections.js";
import { RedisCoordinator } from "./redis-coordinator.js";
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

/** Standalone without REDIS_URL; otherwise the Redis tier, started (degraded if Redis is down). */
export async function createCoordinator(
  config: Config,
  stats: SchedulerStats,
  log: Logger,
): Promise<Coordination> {
  if (config.REDIS_URL === undefined)
    return { coordinator: new StandaloneCoordinator(), windowCounters: null };

  const settings = {
    commandTimeoutMs: STUCK_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS,
    tlsCa: config.REDIS_TLS_CA_FILE === undefined ? undefined : readFileSync(config.REDIS_TLS_CA_FILE),
  };
  const prefix = config.REDIS_KEY_PREFIX;
  const commands = connect(config.REDIS_URL, settings, "indicator-service");
  const subscriber = connect(config.REDIS_URL, settings, "indicator-service:subscriber");
  const bulk = connect(config.REDIS_URL, settings, "indicator-service:bulk", { autoPipelining: false });
  const lockUrls = lockUrlsOf(config);
  const lockNodes =
    lockUrls.length > 0
      ? lockUrls.map((url, i) => connect(url, settings, `indicator-service:lock${i}`))
      : [commands];
  const allClients = [...new Set([commands, subscriber, bulk, ...lockNodes])];

  const bus = new CompletionBus(commands, subscriber, `${prefix}done`);
  const cache = new SharedCache(bulk, prefix, config.CACHE_TTL_SECONDS * 1_000);
  const redisUsable = () => coordinator.mode === "distributed";
  const coordinator: RedisCoordinator = new RedisCoordinator(
    {
      cache,
      locks: new LockManager(
        new Redlock(lockNodes, { retryCount: 0, automaticExtensionThreshold: 0 }),
        lockNodes,
        prefix,
        config.LOCK_LEASE_MS,
        {
          redisUsable,
          onExtensionFailed: (error) => log.warn({ err: error }, "lock lease extension failed"),
          onLateAcquire: () => log.debug("lock granted after its deadline: released at once"),
        },
      ),
      bus,
      policy: new CostPolicy(config.COORDINATION_MIN_COST_MS),
      stats,
      log,
      // Healthy means: both connections answer and announcements can arrive (SUBSCRIBE confirmed).
      ping: async () => {
        if (!bus.subscribed) await bus.subscribe();
        await Promise.all([commands.ping(), cache.ping()]);
      },
      closeConnections: async () => {
        await Promise.all(allClients.map((client) => closeClient(client, config.REDIS_COMMAND_TIMEOUT_MS)));
      },
    },
    {
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
    windowCounters: new RedisWindowCounters(commands, `${config.REDIS_KEY_PREFIX}ratelimit:`, (operation) =>
      coordinator.guard(operation),
    ),
  };
}
