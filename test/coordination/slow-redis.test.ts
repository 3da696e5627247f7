import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultProxy } from "../../harness/fault-proxy.js";
import { total } from "../../harness/metrics.js";
import { freePort, postCalculate, type ServerProcess, startServerProcess } from "../../harness/process.js";
import { RedisServer, requireRedisBinary } from "../../harness/redis.js";
import { randomOhlcv } from "../../harness/series.js";
import { planCalculation } from "../../src/calculation/plan.js";
import { calculateBodySchema } from "../../src/calculation/request-schema.js";
import { decodeResult, encodeResult } from "../../src/compute/result-entry.js";
import { computeTask } from "../../src/compute/task.js";

/**
 * The service against a slow network to Redis rather than a dead one: replicas are child
 * processes talking to a real redis-server through the fault proxy, so every round trip gains
 * what the proxy adds each way. Assertions read Redis directly, past the proxy.
 */
const enabled = requireRedisBinary();
const PREFIX = "indicator:";
const LEASE_MS = 3_000;

let redis: RedisServer;
let proxy: FaultProxy;
let direct: Redis;
let replicas: ServerProcess[] = [];
let seed = 70_000;

interface Result {
  id: string;
  source: string;
  values: Array<number | null> | Record<string, Array<number | null>>;
}

function body(indicators: object[], candles = 4_000, options?: object) {
  const series = randomOhlcv(candles, seed++);
  return {
    candles: { high: series.high, low: series.low, close: series.close },
    indicators,
    ...(options ? { options } : {}),
  };
}

function planOf(request: ReturnType<typeof body>) {
  return planCalculation(calculateBodySchema({ maxCandles: 100_000, maxIndicators: 64 }).parse(request));
}

async function post(replica: ServerProcess, request: object): Promise<{ status: number; results: Result[] }> {
  const response = await postCalculate(replica.url, request);
  const text = await response.text();
  if (response.status !== 200) return { status: response.status, results: [] };
  return { status: 200, results: (JSON.parse(text) as { results: Result[] }).results };
}

async function metricTotal(replica: ServerProcess, name: string): Promise<number> {
  return total(await (await fetch(`${replica.url}/metrics`)).text(), name);
}

async function fleetTotal(name: string): Promise<number> {
  const totals = await Promise.all(replicas.map((replica) => metricTotal(replica, name)));
  return totals.reduce((sum, value) => sum + value, 0);
}

/** Every mode any replica reported while `work` ran, polled every 50 ms. */
async function modesDuring<T>(work: Promise<T>): Promise<{ result: T; modes: Set<string> }> {
  const modes = new Set<string>();
  let done = false;
  const polling = (async () => {
    while (!done) {
      for (const replica of replicas) {
        const health = (await (await fetch(`${replica.url}/health`)).json()) as { mode: string };
        modes.add(health.mode);
      }
      await sleep(50);
    }
  })();
  try {
    return { result: await work, modes };
  } finally {
    done = true;
    await polling;
  }
}

/** Lock keys alive right now: every `{prefix}calc:...` key that is not a result entry. */
async function lockKeys(): Promise<string[]> {
  const keys = await direct.keys(`${PREFIX}calc:*`);
  return keys.filter((key) => !key.endsWith(":result"));
}

async function untilMode(mode: string, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const modes = await Promise.all(
      replicas.map(
        async (replica) => ((await (await fetch(`${replica.url}/health`)).json()) as { mode: string }).mode,
      ),
    );
    if (modes.every((found) => found === mode)) return;
    if (Date.now() > deadline) throw new Error(`replicas did not reach ${mode}: ${modes.join(", ")}`);
    await sleep(50);
  }
}

describe.skipIf(!enabled)("a slow network between the replicas and Redis", () => {
  beforeAll(async () => {
    redis = await RedisServer.start();
    direct = redis.client();
    proxy = await FaultProxy.start({ port: redis.port });
    replicas = await Promise.all(
      [0, 1, 2].map(() =>
        startServerProcess({
          REDIS_URL: proxy.url,
          // Every unit takes the lock, so every round of requests contends (the hardest case).
          COORDINATION_MIN_COST_MS: "0",
          // And costs more than the slow link's 125 ms round trip, so it is worth coordinating at
          // all: a cheaper one is rightly computed by each replica without asking Redis.
          DEBUG_COMPUTE_DELAY_MS: "150",
          LOCK_LEASE_MS: String(LEASE_MS),
          LOG_LEVEL: "warn",
        }),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    direct?.disconnect();
    await proxy?.close();
    await redis?.stop();
  });

  it("60 ms each way: every request 200, no replica ever degraded, every unit computed once and shared", async () => {
    proxy.set({ latencyMs: 60, jitterMs: 5 });
    // A link's latency does not jump in production: let the heartbeats (every 500 ms, median of
    // five) measure it before the burst, as they would have long before.
    await sleep(3_000);
    const indicators = [
      { name: "SMA", params: { period: 20 } },
      { name: "EMA", params: { period: 50 } },
      { name: "RSI" },
      { name: "BBANDS" },
      { name: "ATR" },
      { name: "MACD" },
    ];
    const rounds = Array.from({ length: 5 }, () => body(indicators));
    const computedBefore = await fleetTotal("indicator_computations_total");
    // Each round's identical body goes to all three replicas at once: every unit is contended.
    const { result: answers, modes } = await modesDuring(
      Promise.all(rounds.flatMap((request) => replicas.map((replica) => post(replica, request)))),
    );

    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    expect([...modes]).toEqual(["distributed"]);
    expect(await fleetTotal("indicator_degraded_computations_total")).toBe(0);
    expect(await fleetTotal("indicator_duplicate_computations_total")).toBe(0);
    const units = rounds.length * indicators.length;
    expect((await fleetTotal("indicator_computations_total")) - computedBefore).toBe(units);
    const keys = rounds.flatMap((request) => planOf(request).results.map((planned) => planned.unit.key));
    expect(await direct.exists(...keys.map((key) => `${PREFIX}${key}:result`))).toBe(units);
    // And the answers are the numbers themselves, whichever replica computed them.
    const expected = planOf(rounds[0] as ReturnType<typeof body>).results.map((planned) =>
      computeTask(planned.unit).valuesBytes.toString(),
    );
    for (const answer of answers.slice(0, replicas.length)) {
      expect(answer.results.map((result) => JSON.stringify(result.values))).toEqual(expected);
    }
  }, 60_000);

  it("300 ms each way: requests still answer 200, and once the work is done no lock outlives its lease", async () => {
    proxy.set({ latencyMs: 300 });
    const indicators = [{ name: "SMA" }, { name: "RSI" }, { name: "ADX" }, { name: "STOCH" }];
    const rounds = Array.from({ length: 3 }, () => body(indicators));
    const answers = await Promise.all(
      rounds.flatMap((request) => replicas.map((replica) => post(replica, request))),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));

    // The network heals: the breaker closes and lease extension would resume for any lock
    // granted after its caller gave up. None may be left.
    proxy.set({});
    await untilMode("distributed", 10_000);
    await sleep(LEASE_MS + 1_500);
    expect(await lockKeys()).toEqual([]);
  }, 60_000);

  it.each([
    ["healthy Redis", {}],
    // Below REDIS_MIN_BYTES_PER_SECOND (20 MB/s): the last of 16 entries arrives after ~5 s, far
    // past the deadline that rate gives it, and is still shared because its bytes keep moving.
    ["a link of 8 MB/s", { bandwidthBytesPerSecond: 8_000_000 }],
  ])(
    "%s, 16 x BBANDS over 100k candles (2.4 MB entries): all 16 shared on the second replica",
    async (_link, settings) => {
      proxy.set({});
      await untilMode("distributed", 10_000);
      proxy.set(settings);
      const request = body(
        Array.from({ length: 16 }, (_, i) => ({ name: "BBANDS", params: { period: 10 + i } })),
        100_000,
        { tail: 5 },
      );
      const degradedBefore = await fleetTotal("indicator_degraded_computations_total");
      const first = await post(replicas[0] as ServerProcess, request);
      expect(first.results.map((result) => result.source)).toEqual(first.results.map(() => "computed"));
      const second = await post(replicas[1] as ServerProcess, request);
      expect(
        second.results.map((result) => result.source),
        (replicas[1] as ServerProcess).output().slice(-4_000),
      ).toEqual(second.results.map(() => "shared"));
      expect(second.results.map((result) => result.values)).toEqual(
        first.results.map((result) => result.values),
      );
      expect(await fleetTotal("indicator_degraded_computations_total")).toBe(degradedBefore);
      proxy.set({});
    },
    60_000,
  );

  it("a forged entry with the unit's key but no outputs is a miss: recomputed, counted and overwritten", async () => {
    // Long enough that both units cost more than a round trip and so go through the shared cache.
    const request = body([{ name: "RSI" }, { name: "MACD" }], 50_000);
    const plan = planOf(request);
    for (const planned of plan.results) {
      const forged = encodeResult(planned.unit.key, {
        series: { warmup: 0, outputs: {} },
      });
      await direct.set(`${PREFIX}${planned.unit.key}:result`, forged);
    }
    const replica = replicas[2] as ServerProcess;
    const invalidBefore = await metricTotal(replica, "indicator_shared_cache_invalid_total");

    const tailed = await post(replica, { ...request, options: { tail: 3 } });
    expect(tailed.status).toBe(200);
    expect(tailed.results.map((result) => result.source)).toEqual(["computed", "computed"]);
    expect(await metricTotal(replica, "indicator_shared_cache_invalid_total")).toBe(invalidBefore + 2);
    // The numbers themselves: each output's last three values of the reference computation.
    const lastThree = (values: unknown): unknown =>
      Array.isArray(values)
        ? values.slice(-3)
        : Object.fromEntries(
            Object.entries(values as object).map(([name, series]) => [name, lastThree(series)]),
          );
    const expected = plan.results.map((planned) =>
      lastThree(JSON.parse(computeTask(planned.unit).valuesBytes.toString())),
    );
    expect(tailed.results.map((result) => result.values)).toEqual(expected);
    expect(JSON.stringify(expected)).toMatch(/\d/);

    // The recomputed results replaced the forged entries for everyone.
    for (const planned of plan.results) {
      const entry = await direct.getBuffer(`${PREFIX}${planned.unit.key}:result`);
      expect(entry && decodeResult(planned.unit, entry)?.series.outputs).toBeTruthy();
    }
  }, 30_000);
});

describe.skipIf(!enabled)("public /health while Redis is unreachable", () => {
  it("says degraded and names no host, port or error text", async () => {
    const port = await freePort();
    const replica = await startServerProcess({ REDIS_URL: `redis://127.0.0.1:${port}`, LOG_LEVEL: "warn" });
    try {
      let text = "";
      const deadline = Date.now() + 10_000;
      while (!text.includes('"degraded"') && Date.now() < deadline) {
        text = await (await fetch(`${replica.url}/health`)).text();
        await sleep(50);
      }
      expect(JSON.parse(text)).toMatchObject({ mode: "degraded" });
      expect(text).not.toContain(String(port));
      expect(text).not.toMatch(/127\.0\.0\.1|localhost|ECONN|Error|timeout|redis:\/\//i);
    } finally {
      await replica.stop();
    }
  }, 30_000);
});
