import { readFileSync } from "node:fs";
import { Redlock } from "@sesamecare-oss/redlock";
import type { Logger } from "pino";
import { type Config, lockUrlsOf } from "../config/config.js";
import type { SchedulerStats } from "../scheduler/stats.js";
import { CompletionBus } from "./completion-bus.js";
import { CostPolicy } from "./cost-policy.js";
import { LockManager } from "./lock.js";
import { closeClient, connect, whenReady } from "./redis-connections.js";
import { RedisCoordinator } from "./redis-coordinator.js";
import { SharedCache } from "./shared-cache.js";
import { type Coordinator, StandaloneCoordinator } from "./types.js";

/** Standalone without REDIS_URL; otherwise the Redis tier, started (degraded if Redis is down). */
export async function createCoordinator(
  config: Config,
  stats: SchedulerStats,
  log: Logger,
): Promise<Coordinator> {
  if (config.REDIS_URL === undefined) return new StandaloneCoordinator();

  const settings = {
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS,
    tlsCa: config.REDIS_TLS_CA_FILE === undefined ? undefined : readFileSync(config.REDIS_TLS_CA_FILE),
  };
  const prefix = config.REDIS_KEY_PREFIX;
  const commands = connect(config.REDIS_URL, settings, "indicator-service");
  const subscriber = connect(config.REDIS_URL, settings, "indicator-service:subscriber");
  const lockUrls = lockUrlsOf(config);
  const lockClients =
    lockUrls.length > 0
      ? lockUrls.map((url, i) => connect(url, settings, `indicator-service:lock${i}`))
      : [commands];
  const allClients = [...new Set([commands, subscriber, ...lockClients])];

  const bus = new CompletionBus(commands, subscriber, `${prefix}done`);
  const coordinator: RedisCoordinator = new RedisCoordinator(
    {
      cache: new SharedCache(commands, prefix, config.CACHE_TTL_SECONDS * 1_000),
      locks: new LockManager(
        new Redlock(lockClients, { retryCount: 0, automaticExtensionThreshold: 0 }),
        lockClients[0] ?? commands,
        prefix,
        config.LOCK_LEASE_MS,
        { onExtensionFailed: (error) => log.warn({ err: error }, "lock lease extension failed") },
      ),
      bus,
      policy: new CostPolicy(config.COORDINATION_MIN_COST_MS),
      stats,
      log,
      ping: async () => {
        if (subscriber.status !== "ready") throw new Error(`subscriber connection is ${subscriber.status}`);
        await commands.ping();
      },
      closeConnections: async () => {
        await Promise.all(allClients.map((client) => closeClient(client, config.REDIS_COMMAND_TIMEOUT_MS)));
      },
    },
    {
      lockEnabled: config.DISTRIBUTED_LOCK_ENABLED,
      waitTimeoutMs: config.LOCK_WAIT_TIMEOUT_MS,
      breakerFailureThreshold: config.BREAKER_FAILURE_THRESHOLD,
      breakerProbeIntervalMs: config.BREAKER_PROBE_INTERVAL_MS,
      callTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    },
  );

  for (const client of allClients) {
    // ioredis prints unhandled "error" events to stderr; the breaker is the one place they go.
    client.on("error", () => undefined);
    client.on("close", () => coordinator.connectionLost(new Error("Redis connection closed")));
  }
  // Subscribes on every (re)connect: an initial SUBSCRIBE that failed is not auto-resubscribed.
  subscriber.on("ready", () => void bus.start().catch(() => undefined));

  await Promise.allSettled([
    whenReady(commands, settings.connectTimeoutMs),
    whenReady(subscriber, settings.connectTimeoutMs),
  ]);
  await bus.start().catch(() => undefined);
  await coordinator.start();
  return coordinator;
}
