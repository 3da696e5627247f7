import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postCalculate, type ServerProcess, startServerProcess } from "../../harness/process.js";
import { RedisServer, requireRedisBinary } from "../../harness/redis.js";
import { randomOhlcv } from "../../harness/series.js";

const enabled = requireRedisBinary();

let redis: RedisServer;
let replicas: ServerProcess[] = [];

interface Load {
  ok: number;
  failed: string[];
  latenciesMs: number[];
  stop(): Promise<void>;
}

/** Bounded request loops against every replica: a mix of repeated and new series. */
function startLoad(): Load {
  const load: Load = { ok: 0, failed: [], latenciesMs: [], stop: async () => {} };
  let running = true;
  let seed = 90_000;
  const loop = async (replica: ServerProcess, worker: number) => {
    const deadline = Date.now() + 60_000;
    for (let i = 0; running && Date.now() < deadline && i < 5_000; i++) {
      const series = randomOhlcv(3_000, i % 3 === 0 ? 7 : seed++);
      const body = JSON.stringify({
        candles: { high: series.high, low: series.low, close: series.close },
        indicators: [
          { name: "BBANDS" },
          { name: "ATR" },
          { name: "RSI", params: { period: 7 + (worker % 3) } },
        ],
      });
      const start = performance.now();
      try {
        const response = await postCalculate(replica.url, body, { signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        load.latenciesMs.push(performance.now() - start);
        if (response.status === 200) load.ok++;
        else load.failed.push(`${response.status}`);
      } catch (error) {
        load.failed.push(String(error));
      }
    }
  };
  const loops = replicas.flatMap((replica, r) => [loop(replica, r * 2), loop(replica, r * 2 + 1)]);
  load.stop = async () => {
    running = false;
    await Promise.all(loops);
  };
  return load;
}

async function modes(): Promise<string[]> {
  return Promise.all(
    replicas.map(async (replica) => {
      const health = (await (await fetch(`${replica.url}/health`)).json()) as { mode: string };
      return health.mode;
    }),
  );
}

/** Milliseconds until every replica reports `mode`, polling /health every 25 ms. */
async function timeUntilMode(mode: string, limitMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    if ((await modes()).every((m) => m === mode)) return performance.now() - start;
    await sleep(25);
  }
  throw new Error(`replicas did not all reach ${mode} within ${limitMs} ms: ${(await modes()).join(", ")}`);
}

describe.skipIf(!enabled)("Redis failures under load (two replicas, real redis-server)", () => {
  beforeAll(async () => {
    redis = await RedisServer.start();
    replicas = await Promise.all(
      [0, 1].map(() =>
        startServerProcess({ REDIS_URL: redis.url, COORDINATION_MIN_COST_MS: "0", LOG_LEVEL: "warn" }),
      ),
    );
  }, 60_000);
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop("SIGKILL")));
    await redis?.stop();
  });

  it("Redis stopped, frozen with SIGSTOP, restored: zero failed requests, /health follows within bounds", async () => {
    expect(await modes()).toEqual(["distributed", "distributed"]);
    const load = startLoad();
    const timings: Record<string, number> = {};
    try {
      await sleep(500);

      await redis.stop();
      timings.stoppedToDegraded = await timeUntilMode("degraded", 1_000);
      await sleep(500);
      await redis.restart();
      timings.restartedToDistributed = await timeUntilMode("distributed", 2_000);
      await sleep(500);

      redis.freeze();
      timings.frozenToDegraded = await timeUntilMode("degraded", 1_000);
      await sleep(500);
      redis.thaw();
      timings.thawedToDistributed = await timeUntilMode("distributed", 2_000);
      await sleep(500);
    } finally {
      redis.thaw();
      await load.stop();
    }
    const sorted = [...load.latenciesMs].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const max = sorted.at(-1) ?? 0;
    console.log(
      `fault timings (ms): ${Object.entries(timings)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(
          ", ",
        )}; requests ok ${load.ok}, failed ${load.failed.length}; latency p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms`,
    );
    expect(load.failed).toEqual([]);
    // A Redis outage may cost a request about one command timeout (200 ms), not seconds; the
    // margin is for a shared CI machine.
    expect(max).toBeLessThan(600);
    expect(load.ok).toBeGreaterThan(20);
  });

  it("logs one line per mode change, not one per request", () => {
    for (const replica of replicas) {
      const lines = replica.output().split("\n");
      const degraded = lines.filter((line) => line.includes("degraded mode")).length;
      // Stopped, then frozen: two changes to degraded, and no flapping in between.
      expect(degraded).toBe(2);
    }
  });
});
