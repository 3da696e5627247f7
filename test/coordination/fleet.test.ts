import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sample } from "../../harness/metrics.js";
import { postCalculate, type ServerProcess, startServerProcess } from "../../harness/process.js";
import { RedisServer, requireRedisBinary } from "../../harness/redis.js";
import { randomOhlcv } from "../../harness/series.js";
import { planCalculation } from "../../src/calculation/plan.js";
import { calculateBodySchema } from "../../src/calculation/request-schema.js";
import { computeTask } from "../../src/compute/task.js";

const enabled = requireRedisBinary();

/**
 * Every computation takes 800 ms and outlives the 600 ms lease, so each holder must extend it
 * (every 200 ms). The margin keeps a busy CI machine's event-loop stalls from expiring a lease.
 */
const COMPUTE_MS = 800;
const LEASE_MS = 600;
const FLEET_ENV = {
  DEBUG_COMPUTE_DELAY_MS: String(COMPUTE_MS),
  LOCK_LEASE_MS: String(LEASE_MS),
  LOCK_WAIT_TIMEOUT_MS: "10000",
  LOG_LEVEL: "warn",
};

interface Result {
  id: string;
  source: string;
  values: unknown;
}
interface Timed {
  replica: number;
  at: number;
  results: Result[];
}

let redis: RedisServer;
let replicas: ServerProcess[] = [];
let seed = 5_000;

function request(indicators: object[]) {
  const series = randomOhlcv(5_000, seed++);
  return { candles: { high: series.high, low: series.low, close: series.close }, indicators };
}

async function post(replica: number, body: object): Promise<Timed> {
  const server = replicas[replica] as ServerProcess;
  const response = await postCalculate(server.url, body);
  const at = performance.now();
  if (response.status !== 200)
    throw new Error(`replica ${replica}: ${response.status} ${await response.text()}`);
  const json = (await response.json()) as { results: Result[] };
  return { replica, at, results: json.results };
}

/** What a correct response holds, computed here without the service's scheduler. */
function reference(body: ReturnType<typeof request>): string[] {
  const parsed = calculateBodySchema({ maxCandles: 100_000, maxIndicators: 64 }).parse(body);
  return planCalculation(parsed).results.map((planned) => computeTask(planned.unit).valuesBytes.toString());
}

describe.skipIf(!enabled)("three replicas (child processes) on one Redis", () => {
  beforeAll(async () => {
    redis = await RedisServer.start();
    replicas = await Promise.all(
      [0, 1, 2].map(() => startServerProcess({ ...FLEET_ENV, REDIS_URL: redis.url })),
    );
    // Start each replica's worker pool so thread start-up does not stall the first measured run.
    await Promise.all([0, 1, 2].map((replica) => post(replica, request([{ name: "SMA" }]))));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop("SIGKILL")));
    await redis?.stop();
  });

  it.each([1, 2, 3])(
    "computes each unit exactly once across the fleet for dozens of concurrent identical requests (round %i)",
    async () => {
      const body = request([{ name: "BBANDS" }, { name: "ATR" }, { name: "RSI" }]);
      const responses = await Promise.all(Array.from({ length: 36 }, (_, i) => post(i % 3, body)));
      const expected = reference(body);
      for (const [unit, valuesJson] of expected.entries()) {
        const sources = responses.map((response) => response.results[unit]?.source);
        expect(
          sources.filter((source) => source === "computed"),
          `unit ${unit}`,
        ).toHaveLength(1);
        expect(
          sources.every((s) => ["computed", "awaited", "joined", "shared", "memory"].includes(s ?? "")),
        ).toBe(true);
        for (const response of responses)
          expect(JSON.stringify(response.results[unit]?.values)).toBe(valuesJson);
      }
      const waiters = responses.flatMap((r) => r.results.map((x) => x.source)).filter((s) => s === "awaited");
      expect(waiters.length).toBeGreaterThan(0);
    },
  );

  it("wakes waiters within milliseconds of the holder's result", async () => {
    const gaps: number[] = [];
    for (let round = 0; round < 5; round++) {
      const body = request([{ name: "BBANDS" }]);
      const responses = await Promise.all([0, 1, 2].map((replica) => post(replica, body)));
      const holder = responses.find((r) => r.results[0]?.source === "computed");
      const waiters = responses.filter((r) => r.results[0]?.source === "awaited");
      expect(holder).toBeDefined();
      expect(waiters.length).toBeGreaterThan(0);
      for (const waiter of waiters) gaps.push(waiter.at - (holder as Timed).at);
    }
    gaps.sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)] as number;
    console.log(
      `wake-up gap, waiter response minus holder response: median ${median.toFixed(1)} ms, max ${gaps.at(-1)?.toFixed(1)} ms (n=${gaps.length})`,
    );
    expect(gaps.at(-1)).toBeLessThan(150);
  });

  it("extends the lease of a computation longer than the lease so nobody else computes it", async () => {
    const body = request([{ name: "MACD" }]);
    const first = post(0, body);
    await sleep(150);
    const rest = await Promise.all([post(1, body), post(2, body)]);
    const responses = [await first, ...rest];
    expect(responses.map((r) => r.results[0]?.source)).toEqual(["computed", "awaited", "awaited"]);
    // And the fleet's metrics say so: the holder extended its lease; each waiter contended once,
    // waited once, and was served another replica's result.
    const scrape = async (replica: number) =>
      (await fetch(`${(replicas[replica] as ServerProcess).url}/metrics`)).text();
    const [holderMetrics, ...waiterMetrics] = await Promise.all([scrape(0), scrape(1), scrape(2)]);
    expect(
      sample(holderMetrics as string, "indicator_lock_lease_extensions_total", { indicator: "MACD" }),
    ).toBeGreaterThan(0);
    for (const waiter of waiterMetrics) {
      expect(sample(waiter, "indicator_lock_contention_total", { indicator: "MACD" })).toBe(1);
      expect(sample(waiter, "indicator_awaited_total", { indicator: "MACD" })).toBe(1);
      expect(sample(waiter, "indicator_wait_seconds_count", { indicator: "MACD" })).toBe(1);
      expect(sample(waiter, "indicator_duplicate_computations_total", { indicator: "MACD" })).toBe(0);
    }
  });

  it("survives the holder's SIGKILL mid-computation: waiters get the right result after about one lease", async () => {
    const body = request([{ name: "STOCH" }]);
    const holderDone = post(0, body).catch((error: unknown) => error);
    await sleep(150);
    const started = performance.now();
    const waiters = Promise.all([post(1, body), post(2, body)]);
    await sleep(200);
    await replicas[0]?.stop("SIGKILL");
    const responses = await waiters;
    const elapsed = performance.now() - started;
    await holderDone;
    const sources = responses.map((r) => r.results[0]?.source).sort();
    expect(sources).toEqual(["awaited", "computed"]);
    const [expected] = reference(body);
    for (const response of responses) expect(JSON.stringify(response.results[0]?.values)).toBe(expected);
    console.log(
      `holder crash: waiters answered ${elapsed.toFixed(0)} ms after they asked (lease ${LEASE_MS} ms + compute ${COMPUTE_MS} ms)`,
    );
    expect(elapsed).toBeLessThan(LEASE_MS + COMPUTE_MS + 1_500);
  });
});
