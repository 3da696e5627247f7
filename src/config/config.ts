import { existsSync } from "node:fs";
import { z } from "zod";

const MiB = 1024 * 1024;

const booleanFromEnv = z.stringbool({
  truthy: ["true", "1", "yes", "on"],
  falsy: ["false", "0", "no", "off"],
});
/** Strict: `" "`, `"12abc"` or `"1e3"` is an error, never a silently coerced 0 or NaN. */
const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const decimal = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, "must be a number")
    .transform(Number)
    .pipe(z.number().min(min).max(max));

/**
 * Every setting the service reads from its environment. Defaults are what a first run on a
 * laptop needs; the README config table is written from this schema, keep them in step.
 */
export const ConfigSchema = z.object({
  PORT: int(0, 65_535).default(8080).describe("TCP port to listen on (0 picks a free port)."),
  HOST: z.string().min(1).default("0.0.0.0").describe("Interface to bind."),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info")
    .describe("pino log level."),
  LOG_FORMAT: z
    .enum(["auto", "json", "pretty"])
    .default("auto")
    .describe("`auto` pretty-prints when stdout is a TTY and pino-pretty is installed, JSON otherwise."),
  MAX_CANDLES: int(1, 10_000_000).default(100_000).describe("Most candles one request may send."),
  MAX_INDICATORS: int(1, 1_000).default(64).describe("Most indicators one request may ask for."),
  MAX_REQUEST_COMPUTE_MS: decimal(1, 3_600_000)
    .default(10_000)
    .describe("Most estimated compute time one request may ask for; a larger one is refused with 422."),
  MAX_RESPONSE_VALUES: int(1, 100_000_000)
    .default(10_000_000)
    .describe("Most numbers one response may hold (results x outputs x returned candles)."),
  BODY_LIMIT_BYTES: int(1_024, 1_024 * MiB)
    .default(32 * MiB)
    .describe("Largest accepted request body; 100k candles as rows of full-precision numbers need ~16 MiB."),
  JSON_BODY_WORKER_MIN_BYTES: int(0, 1_024 * MiB)
    .default(512 * 1_024)
    .describe(
      "JSON bodies of at least this many bytes are parsed and checked in a worker thread (SCHEDULER_MAX_WORKERS of them), not on the event loop; smaller ones inline, where the thread hop costs more than it saves (npm run bench:json-body: the worker is faster from ~500 KiB, 10k candles).",
    ),
  CACHE_ENABLED: booleanFromEnv.default(true).describe("Keep computed results in the memory cache."),
  CACHE_MAX_BYTES: int(0, 64 * 1024 * MiB)
    .default(256 * MiB)
    .describe("Memory cache bound in bytes (numeric arrays plus their serialized JSON)."),
  CACHE_TTL_SECONDS: int(1, 30 * 86_400)
    .default(3_600)
    .describe("How long a cached result lives."),
  SCHEDULER_MODE: z
    .enum(["sync", "parallel"])
    .default("parallel")
    .describe("`sync` computes every unit inline; `parallel` sends costly units to a worker-thread pool."),
  SCHEDULER_MAX_WORKERS: int(1, 256).default(4).describe("Worker threads in the pool (parallel mode)."),
  SCHEDULER_MAX_QUEUE: int(1, 1_000_000)
    .default(512)
    .describe(
      "Units that may wait for a pool thread; a request that would queue more is refused with 503 and Retry-After.",
    ),
  MAX_INFLIGHT_BYTES: int(MiB, 1024 * 1024 * MiB)
    .default(384 * MiB)
    .describe(
      "Estimated bytes (bodies, their columns, results and responses) a replica holds for the requests it has admitted; beyond it, 503 with Retry-After.",
    ),
  MAX_INFLIGHT_COMPUTE_MS: decimal(1, 3_600_000)
    .default(30_000)
    .describe(
      "Estimated compute time a replica may have admitted and not finished; beyond it, 503 with Retry-After.",
    ),
  REQUEST_DEADLINE_MS: int(100, 3_600_000)
    .default(20_000)
    .describe(
      "Longest a calculation may take before it is answered with 504; its work goes on and lands in the caches.",
    ),
  SCHEDULER_POOL_MIN_COST_MS: decimal(0, 60_000)
    .default(8)
    .describe(
      "Units whose estimated compute time (the cost model: candles and window) reaches this run in the pool; also each request's budget for inline work.",
    ),
  SHUTDOWN_DRAIN_MS: int(0, 600_000)
    .default(5_000)
    .describe(
      "After SIGTERM, readiness answers 503 this long before the listener closes, so balancers stop sending.",
    ),
  SHUTDOWN_TIMEOUT_MS: int(100, 3_600_000)
    .default(30_000)
    .describe(
      "After SIGTERM, the longest the drain plus in-flight requests may take before the process exits anyway.",
    ),
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: int(0, 600_000)
    .default(1_000)
    .describe("Shed requests with 503 while the event-loop delay exceeds this (0: off)."),
  OVERLOAD_MAX_EVENT_LOOP_UTILIZATION: decimal(0, 1)
    .default(0)
    .describe(
      "Shed requests with 503 while event-loop utilization exceeds this (0: off). Off by default: a CPU-bound replica at capacity is near 1 without clients suffering; delay is what they feel.",
    ),
  OVERLOAD_MAX_HEAP_USED_BYTES: int(0, 1024 * 1024 * MiB)
    .default(0)
    .describe("Shed requests with 503 while the V8 heap in use exceeds this (0: off)."),
  OVERLOAD_SAMPLE_INTERVAL_MS: int(10, 60_000)
    .default(1_000)
    .describe("How often the overload measures are sampled."),
  API_KEYS: z
    .string()
    .optional()
    .describe(
      "Comma-separated API keys; when set, every route but the probes (and /metrics) needs `Authorization: Bearer <key>`.",
    ),
  TRUST_PROXY: z
    .string()
    .optional()
    .describe(
      "Proxies whose X-Forwarded-For is believed (client address for rate limits and logs): comma-separated addresses or CIDRs, or `loopback`, `linklocal`, `uniquelocal`. Unset: none.",
    ),
  AUTH_FAILURE_LIMIT: int(0, 1_000_000)
    .default(20)
    .describe(
      "With API_KEYS: failed authentications per client address and AUTH_FAILURE_WINDOW_MS (per replica) before that address gets 429; 0: no limit.",
    ),
  AUTH_FAILURE_WINDOW_MS: int(1_000, 86_400_000)
    .default(60_000)
    .describe("The window of AUTH_FAILURE_LIMIT."),
  METRICS_REQUIRE_API_KEY: booleanFromEnv.default(false).describe("Whether /metrics needs an API key too."),
  RATE_LIMIT_MAX: int(0, 10_000_000)
    .default(0)
    .describe("Requests per window per API key (or client address without keys); 0: no rate limit."),
  RATE_LIMIT_WINDOW_MS: int(100, 86_400_000).default(60_000).describe("The rate-limit window."),
  CORS_ORIGINS: z
    .string()
    .optional()
    .describe("Allowed CORS origins, comma-separated, or `*`; unset: CORS off."),
  METRICS_ENABLED: booleanFromEnv.default(true).describe("Serve Prometheus metrics at GET /metrics."),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/ })
    .optional()
    .describe("Turns distributed mode on: shared cache, locks, wake-on-result. Unset: standalone."),
  REDIS_LOCK_URLS: z
    .string()
    .optional()
    .describe("Comma-separated independent Redis masters for a Redlock quorum. Default: REDIS_URL alone."),
  REDIS_TLS_CA_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      "PEM file of the CA that signed the Redis server certificate, for rediss:// with a private CA.",
    ),
  REDIS_KEY_PREFIX: z
    .string()
    .min(1)
    .max(64)
    .default("indicator:")
    .describe("Prefix of every Redis key and channel this service uses."),
  REDIS_COMMAND_TIMEOUT_MS: int(10, 60_000)
    .default(200)
    .describe(
      "Deadline of one Redis round trip, raised to 5 typical heartbeat round trips (median of the last 5) on a slower link; each further round trip of one call gets a quarter of it (or 5 typical round trips, if more).",
    ),
  REDIS_MIN_BYTES_PER_SECOND: int(1_000, 100_000_000_000)
    .default(20_000_000)
    .describe(
      "Slowest transfer rate expected of a healthy Redis link: a shared-cache entry's deadline is one round trip plus its bytes at this rate, started again while Redis keeps sending.",
    ),
  REDIS_CONNECT_TIMEOUT_MS: int(50, 60_000).default(1_000).describe("Deadline of one connection attempt."),
  DISTRIBUTED_LOCK_ENABLED: booleanFromEnv
    .default(true)
    .describe(
      "`false`: share the Redis cache but take no locks (replicas may compute the same unit at once).",
    ),
  LOCK_LEASE_MS: int(100, 600_000)
    .default(10_000)
    .describe("Lock lease; the holder extends it every third of a lease while computing."),
  LOCK_WAIT_TIMEOUT_MS: int(100, 600_000)
    .default(15_000)
    .describe(
      "Longest a replica waits for another's result before computing it itself (a duplicate); shorter than REQUEST_DEADLINE_MS.",
    ),
  COORDINATION_WAIT: z
    .enum(["notify", "poll"])
    .default("notify")
    .describe(
      "How a replica waits for another's result: `notify` (pub/sub wake-up, lease-aware) or `poll` (re-read the shared cache every POLL_INTERVAL_MS, POLL_ATTEMPTS times, then compute: the origin design, for Redis deployments without pub/sub).",
    ),
  POLL_INTERVAL_MS: int(1, 60_000)
    .default(500)
    .describe("With COORDINATION_WAIT=poll: time between shared-cache reads."),
  POLL_ATTEMPTS: int(1, 1_000)
    .default(3)
    .describe("With COORDINATION_WAIT=poll: reads before computing anyway."),
  BREAKER_FAILURE_THRESHOLD: int(1, 1_000)
    .default(3)
    .describe(
      "Consecutive failed Redis calls that open the circuit breaker (degraded mode); a failed heartbeat or a dropped connection opens it at once.",
    ),
  BREAKER_PROBE_INTERVAL_MS: int(50, 60_000)
    .default(500)
    .describe("How often Redis is pinged: a heartbeat while closed, the half-open probe while open."),
  COORDINATION_MIN_COST_MS: z
    .union([z.literal("auto"), decimal(0, 60_000)])
    .default("auto")
    .describe("Units estimated cheaper than this skip the lock; `auto` = 4 measured Redis round trips."),
  MAX_JOB_SERIES: int(1, 1_000_000).default(10_000).describe("Most series one batch job may hold."),
  MAX_JOB_CANDLES: int(1, 1_000_000_000)
    .default(20_000_000)
    .describe("Most candles one batch job may hold, all series together."),
  MAX_JOB_BYTES: int(1_024, 4_096 * MiB)
    .default(256 * MiB)
    .describe("Largest accepted POST /jobs body (BODY_LIMIT_BYTES bounds every other route)."),
  JOB_TTL_SECONDS: int(10, 30 * 86_400)
    .default(86_400)
    .describe("How long a job, its results and its events are kept after it was created."),
  JOB_CHUNK_SERIES: int(1, 10_000)
    .default(25)
    .describe(
      "Series per queued chunk: what one replica takes at a time, and what another redoes if it dies (its finished series are kept).",
    ),
  JOB_CONCURRENCY: int(1, 256).default(2).describe("Chunks this replica works on at once."),
  JOB_POOL_WAIT_MS: int(0, 3_600_000)
    .default(60_000)
    .describe(
      "How long a job's series waits, retrying, for room in a full worker-pool queue (calculate requests get 503 instead) before it fails as OVERLOADED.",
    ),
  JOB_LOCK_MS: int(1_000, 600_000)
    .default(30_000)
    .describe(
      "With Redis: BullMQ's lock on a running chunk; a dead replica's chunk goes to another within about 1.5x this.",
    ),
  JOB_MEMORY_MAX_BYTES: int(MiB, 64 * 1024 * MiB)
    .default(512 * MiB)
    .describe(
      "Standalone: the jobs' inputs, results and events held in memory; ended jobs are evicted to make room, and a job that does not fit is refused with 503.",
    ),
  JOB_MAX_FOLLOWERS: int(1, 100_000)
    .default(1_000)
    .describe(
      "With Redis: event streams (SSE, WebSocket) this replica serves at once; each holds a connection.",
    ),
  JOB_EVENTS_HEARTBEAT_MS: int(100, 600_000)
    .default(15_000)
    .describe(
      "Interval of the SSE heartbeat comment (and WebSocket ping) that keeps proxies from closing idle streams.",
    ),
  DEBUG_COMPUTE_DELAY_MS: int(0, 600_000)
    .default(0)
    .describe("Test hook: every computation waits this long first. Never set it in production."),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment once; a bad value is one clear line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(ConfigSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== "")
      .map((key) => [key, env[key]]),
  );
  const parsed = ConfigSchema.safeParse(known);
  if (parsed.success) {
    const lockUrls = lockUrlsOf(parsed.data);
    const badLockUrl = lockUrls.find((url) => !/^rediss?:\/\/./.test(url));
    if (badLockUrl !== undefined) {
      throw new ConfigError(
        `Invalid configuration: REDIS_LOCK_URLS contains ${JSON.stringify(badLockUrl)}, not a redis:// URL`,
      );
    }
    const keys = listOf(parsed.data.API_KEYS);
    // Set but empty (" , " or "${K1},${K2}" with both unset) would silently switch keys off.
    if (parsed.data.API_KEYS !== undefined && keys.length === 0) {
      throw new ConfigError(
        "Invalid configuration: API_KEYS is set but lists no key; unset it to run without keys",
      );
    }
    if (keys.some((key) => key.length < 16 || /\s/.test(key))) {
      throw new ConfigError(
        "Invalid configuration: API_KEYS: every key must be at least 16 characters, without whitespace",
      );
    }
    if (parsed.data.SHUTDOWN_DRAIN_MS >= parsed.data.SHUTDOWN_TIMEOUT_MS) {
      throw new ConfigError(
        "Invalid configuration: SHUTDOWN_DRAIN_MS must be shorter than SHUTDOWN_TIMEOUT_MS, or every stop is a forced exit",
      );
    }
    const { LOCK_WAIT_TIMEOUT_MS, REQUEST_DEADLINE_MS, SHUTDOWN_DRAIN_MS, SHUTDOWN_TIMEOUT_MS } = parsed.data;
    // A waiter that outlives its request's deadline has nobody left to answer.
    if (LOCK_WAIT_TIMEOUT_MS >= REQUEST_DEADLINE_MS) {
      throw new ConfigError(
        "Invalid configuration: LOCK_WAIT_TIMEOUT_MS must be shorter than REQUEST_DEADLINE_MS, or a waiting request is answered 504 before it may compute",
      );
    }
    // A request admitted just before SIGTERM must be answered (at worst 504) before the forced exit.
    if (REQUEST_DEADLINE_MS + SHUTDOWN_DRAIN_MS > SHUTDOWN_TIMEOUT_MS) {
      throw new ConfigError(
        "Invalid configuration: REQUEST_DEADLINE_MS + SHUTDOWN_DRAIN_MS must not exceed SHUTDOWN_TIMEOUT_MS, or a stop cuts requests off without an answer",
      );
    }
    const caFile = parsed.data.REDIS_TLS_CA_FILE;
    if (caFile !== undefined && !existsSync(caFile)) {
      throw new ConfigError(
        `Invalid configuration: REDIS_TLS_CA_FILE=${JSON.stringify(caFile)}: no such file`,
      );
    }
    if (lockUrls.length > 0 && parsed.data.REDIS_URL === undefined) {
      throw new ConfigError("Invalid configuration: REDIS_LOCK_URLS is set but REDIS_URL is not");
    }
    return parsed.data;
  }
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "config");
    return `${name}=${JSON.stringify(shownValue(name, env[name] ?? ""))}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
}

/** Values that may carry secrets are never echoed whole in an error: keys are hidden, URL credentials masked. */
function shownValue(name: string, value: string): string {
  if (name === "API_KEYS") return "(hidden)";
  return value.replace(/\/\/[^@/]*@/g, "//***@");
}

/** A comma-separated setting as a list, blanks dropped. */
export function listOf(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** The Redlock nodes: REDIS_LOCK_URLS when given, else nothing (the main connection is used). */
export function lockUrlsOf(config: Pick<Config, "REDIS_LOCK_URLS">): string[] {
  return listOf(config.REDIS_LOCK_URLS);
}
