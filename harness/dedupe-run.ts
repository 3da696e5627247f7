/**
 * The engine of bench/dedupe.ts and of its quick variant in the test suite: a fleet of replicas (the
 * built server as child processes) configured by a wait strategy, hit with bursts of identical
 * expensive requests spread over the replicas, and what it cost: computations per unit (from
 * each replica's /metrics) and how much later than the holder the others were answered.
 */
import { type ServerProcess, startServerProcess } from "./process.js";
import { RedisServer } from "./redis.js";
import { percentile, scrape, sumMetric } from "./report.js";
import { randomOhlcv } from "./series.js";

export type StrategyName = "notify" | "poll" | "off";

export const STRATEGIES: Record<
  StrategyName,
  { readonly label: string; readonly env: Record<string, string> }
> = {
  notify: { label: "notify (product)", env: { COORDINATION_WAIT: "notify" } },
  poll: {
    label: "poll 3 x 500 ms (origin design)",
    env: { COORDINATION_WAIT: "poll", POLL_INTERVAL_MS: "500", POLL_ATTEMPTS: "3" },
  },
  off: { label: "off (no Redis)", env: {} },
};

export interface DedupeOptions {
  readonly strategies: readonly StrategyName[];
  /** Requests per burst, one row each. */
  readonly concurrencies: readonly number[];
  /** Bursts per concurrency level, one after the other, each on a new series. */
  readonly bursts: number;
  /** DEBUG_COMPUTE_DELAY_MS: what every computation costs. */
  readonly computeMs: number;
  /** Progress lines (stderr in the bench, silent in the test). */
  readonly log?: (line: string) => void;
}

export interface DedupeRow {
  readonly strategy: StrategyName;
  readonly label: string;
  readonly computeMs: number;
  readonly concurrency: number;
  /** Unique units: one per burst. */
  readonly units: number;
  /** Sum of indicator_computations_total deltas over the replicas. */
  readonly computations: number;
  /** Responses whose result says `computed` (should equal `computations`). */
  readonly computedResponses: number;
  /** Sum of indicator_duplicate_computations_total deltas: computed after giving up waiting. */
  readonly duplicateMetric: number;
  /** Response count by `source`. */
  readonly sources: Readonly<Record<string, number>>;
  /** Everyone but the holder: their response time minus the holder's, same burst (ms). */
  readonly waiterExtraMs: readonly number[];
  /** The holder's response time (ms), one per burst. */
  readonly holderMs: readonly number[];
  /** Non-200 responses and failed requests. */
  readonly failures: readonly string[];
}

interface Timed {
  readonly replica: number;
  readonly ms: number;
  readonly source: string | undefined;
  readonly failure?: string;
}

/** One indicator per request, so each response holds exactly one unit and one source. */
const INDICATOR = { name: "BBANDS" };
const REPLICAS = 3;
const CANDLES = 1_000;

async function timedPost(url: string, replica: number, body: string, timeoutMs: number): Promise<Timed> {
  const start = performance.now();
  try {
    const response = await fetch(`${url}/indicators/calculate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const ms = performance.now() - start;
    if (response.status !== 200)
      return {
        replica,
        ms,
        source: undefined,
        failure: `replica ${replica}: ${response.status} ${text.slice(0, 200)}`,
      };
    const json = JSON.parse(text) as { results: { source: string }[] };
    return { replica, ms, source: json.results[0]?.source };
  } catch (error) {
    return {
      replica,
      ms: performance.now() - start,
      source: undefined,
      failure: `replica ${replica}: ${String(error)}`,
    };
  }
}

async function fleetCounters(replicas: readonly ServerProcess[]) {
  const texts = await Promise.all(replicas.map((replica) => scrape(replica.url)));
  return {
    computations: texts.reduce((sum, text) => sum + sumMetric(text, "indicator_computations_total"), 0),
    duplicates: texts.reduce(
      (sum, text) => sum + sumMetric(text, "indicator_duplicate_computations_total"),
      0,
    ),
  };
}

async function startFleet(strategy: StrategyName, computeMs: number, count: number, redisUrl: string) {
  const env = {
    ...STRATEGIES[strategy].env,
    DEBUG_COMPUTE_DELAY_MS: String(computeMs),
    LOG_LEVEL: "warn",
    // Empty counts as unset: "off" must not pick up a REDIS_URL from the environment.
    REDIS_URL: strategy === "off" ? "" : redisUrl,
  };
  const started = await Promise.allSettled(Array.from({ length: count }, () => startServerProcess(env)));
  const replicas = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await Promise.all(replicas.map((replica) => replica.stop("SIGKILL")));
    throw failed.reason;
  }
  return replicas;
}

/**
 * Runs every strategy at every concurrency. Replicas are started per strategy (their env
 * differs); with Redis, one redis-server per strategy. The seed base makes every burst's
 * series new, so every burst is one fresh unit.
 */
export async function runDedupe(options: DedupeOptions): Promise<DedupeRow[]> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = 3 * options.computeMs + 15_000;
  let seed = 1 + Math.floor(Math.random() * 1e9);
  const rows: DedupeRow[] = [];

  for (const strategy of options.strategies) {
    const redis = strategy === "off" ? undefined : await RedisServer.start();
    let replicas: ServerProcess[] = [];
    try {
      replicas = await startFleet(strategy, options.computeMs, REPLICAS, redis?.url ?? "");
      // Start each replica's worker pool on a series of its own, outside the measurements.
      await Promise.all(
        replicas.map(async (replica, index) => {
          const body = JSON.stringify({
            candles: { close: randomOhlcv(CANDLES, seed++).close },
            indicators: [INDICATOR],
          });
          const warm = await timedPost(replica.url, index, body, timeoutMs);
          if (warm.failure) throw new Error(`warm-up failed: ${warm.failure}`);
        }),
      );
      for (const concurrency of options.concurrencies) {
        log(
          `${STRATEGIES[strategy].label}: ${options.bursts} bursts of ${concurrency}, compute ${options.computeMs} ms`,
        );
        const before = await fleetCounters(replicas);
        const sources: Record<string, number> = {};
        const waiterExtraMs: number[] = [];
        const holderMs: number[] = [];
        const failures: string[] = [];
        let computedResponses = 0;
        for (let burst = 0; burst < options.bursts; burst++) {
          const body = JSON.stringify({
            candles: { close: randomOhlcv(CANDLES, seed++).close },
            indicators: [INDICATOR],
          });
          const responses = await Promise.all(
            Array.from({ length: concurrency }, (_, i) => {
              const replica = i % replicas.length;
              return timedPost((replicas[replica] as ServerProcess).url, replica, body, timeoutMs);
            }),
          );
          for (const response of responses) {
            if (response.failure) failures.push(response.failure);
            const source = response.source ?? "failed";
            sources[source] = (sources[source] ?? 0) + 1;
          }
          const computed = responses.filter((r) => r.source === "computed");
          computedResponses += computed.length;
          // The holder: the first response to come back with a result it computed.
          const holder = computed.reduce<Timed | undefined>(
            (first, r) => (!first || r.ms < first.ms ? r : first),
            undefined,
          );
          if (!holder) continue;
          holderMs.push(holder.ms);
          for (const response of responses)
            if (response !== holder && !response.failure) waiterExtraMs.push(response.ms - holder.ms);
        }
        const after = await fleetCounters(replicas);
        rows.push({
          strategy,
          label: STRATEGIES[strategy].label,
          computeMs: options.computeMs,
          concurrency,
          units: options.bursts,
          computations: after.computations - before.computations,
          computedResponses,
          duplicateMetric: after.duplicates - before.duplicates,
          sources,
          waiterExtraMs,
          holderMs,
          failures,
        });
      }
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop("SIGKILL")));
      await redis?.stop();
    }
  }
  return rows;
}

export function summarize(row: DedupeRow) {
  return {
    computationsPerUnit: row.computations / row.units,
    extraComputations: row.computations - row.units,
    waiterExtraP50: percentile(row.waiterExtraMs, 50),
    waiterExtraP99: percentile(row.waiterExtraMs, 99),
    waiterExtraMax: percentile(row.waiterExtraMs, 100),
    holderP50: percentile(row.holderMs, 50),
  };
}
