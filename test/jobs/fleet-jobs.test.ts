import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { followSse, jobBody, resultLines, submitJob } from "../../harness/jobs.js";
import { total } from "../../harness/metrics.js";
import { postCalculate, type ServerProcess, startServerProcess } from "../../harness/process.js";
import { RedisServer, requireRedisBinary } from "../../harness/redis.js";
import { planCalculation } from "../../src/calculation/plan.js";
import { calculateBodySchema } from "../../src/calculation/request-schema.js";
import { computeTask } from "../../src/compute/task.js";
import type { JobView } from "../../src/jobs/model.js";

/**
 * Jobs on a fleet: three built replicas (child processes) on one real redis-server, every one a
 * BullMQ worker. Computations are slowed so that a job's chunks spread over the fleet and a
 * replica can be killed while it holds one.
 */
const enabled = requireRedisBinary();
const INDICATORS = [
  { name: "SMA", params: { period: 5 } },
  { name: "EMA", params: { period: 8 } },
  { name: "RSI" },
];
const FLEET_ENV = {
  DEBUG_COMPUTE_DELAY_MS: "15",
  JOB_CHUNK_SERIES: "3",
  JOB_CONCURRENCY: "1",
  // A dead replica's chunk goes back to the queue within about 1.5 s.
  JOB_LOCK_MS: "1000",
  // Slowed units are worth a lock; the killed replica's locks then hold its units for one lease.
  LOCK_LEASE_MS: "1000",
  LOG_LEVEL: "warn",
  SHUTDOWN_DRAIN_MS: "200",
};

function reference(series: ReturnType<typeof jobBody>["series"][number]): string[] {
  const parsed = calculateBodySchema({ maxCandles: 100_000, maxIndicators: 64 }).parse({
    candles: series.candles,
    indicators: INDICATORS,
  });
  return planCalculation(parsed).results.map((planned) => computeTask(planned.unit).valuesBytes.toString());
}

async function computedBy(replica: ServerProcess): Promise<number> {
  return total(await (await fetch(`${replica.url}/metrics`)).text(), "indicator_computations_total");
}

describe.skipIf(!enabled)("jobs on a fleet of three replicas", () => {
  let redis: RedisServer;
  let replicas: ServerProcess[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.stop("SIGKILL")));
    replicas = [];
  });

  afterAll(async () => {
    await redis?.stop();
  });

  const startFleet = async (prefix: string) => {
    replicas = await Promise.all(
      [0, 1, 2].map(() =>
        startServerProcess({ ...FLEET_ENV, REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix }),
      ),
    );
  };

  it("spreads a job over the replicas and computes each unit once fleet-wide", async () => {
    await startFleet("spread:");
    const body = jobBody(30, 200, INDICATORS, 2_000);
    const { response, json } = await submitJob(replicas[0]?.url as string, body);
    expect(response.status).toBe(202);
    // Followed on another replica than the one that took it.
    const events = await followSse(`${replicas[2]?.url}${json.links.events}`, { timeoutMs: 30_000 });
    expect(events.at(-1)).toMatchObject({ type: "completed", data: { done: 30, total: 30 } });
    const computed = await Promise.all(replicas.map(computedBy));
    expect(computed.reduce((sum, count) => sum + count, 0)).toBe(90);
    expect(computed.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);

    const again = await submitJob(replicas[1]?.url as string, body);
    const rerun = await followSse(`${replicas[0]?.url}${again.json.links.events}`, { timeoutMs: 30_000 });
    expect((rerun.at(-1)?.data.sources as Record<string, number> | undefined)?.computed).toBe(0);
    expect((await Promise.all(replicas.map(computedBy))).reduce((sum, count) => sum + count, 0)).toBe(90);
  });

  it("a replica SIGKILLed mid-job: the job completes on the others, no series lost or doubled", async () => {
    await startFleet("kill:");
    const body = jobBody(36, 200, INDICATORS, 3_000);
    const { json } = await submitJob(replicas[0]?.url as string, body);
    await followSse(`${replicas[1]?.url}${json.links.events}`, { stopAfter: 4 });
    await replicas[0]?.stop("SIGKILL");
    const events = await followSse(`${replicas[1]?.url}${json.links.events}`, { timeoutMs: 30_000 });
    expect(events.at(-1)).toMatchObject({ type: "completed", data: { done: 36, failed: 0, total: 36 } });
    const seriesEvents = events.filter((event) => event.type === "series").map((event) => event.data.key);
    expect(new Set(seriesEvents).size).toBe(36);
    expect(seriesEvents).toHaveLength(36);
    const { lines } = await resultLines(`${replicas[2]?.url}${json.links.results}`);
    expect(lines.map((line) => line.key)).toEqual(body.series.map((series) => series.key));
    lines.forEach((line, i) => {
      expect(line.results?.map((result) => JSON.stringify(result.values))).toEqual(
        reference(body.series[i] as (typeof body.series)[number]),
      );
    });
  });

  it("a draining replica (SIGTERM) finishes its chunk, takes no more, and the job completes", async () => {
    await startFleet("drain:");
    const body = jobBody(36, 200, INDICATORS, 3_500);
    const { json } = await submitJob(replicas[1]?.url as string, body);
    await followSse(`${replicas[1]?.url}${json.links.events}`, { stopAfter: 4 });
    const exited = replicas[0]?.stop("SIGTERM");
    const events = await followSse(`${replicas[1]?.url}${json.links.events}`, { timeoutMs: 30_000 });
    expect(await exited).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: "completed", data: { done: 36, failed: 0, total: 36 } });
    const keys = events.filter((event) => event.type === "series").map((event) => event.data.key);
    expect(new Set(keys).size).toBe(36);
    expect(keys).toHaveLength(36);
  });

  it("with Redis down a job is refused with 503 and Retry-After, calculate keeps working, and jobs resume after", async () => {
    await startFleet("down:");
    const url = replicas[0]?.url as string;
    await redis.stop();
    try {
      const { response, json } = await submitJob(url, jobBody(2, 50, INDICATORS, 4_000));
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((json as unknown as { code: string }).code).toBe("JOBS_UNAVAILABLE");
      const calculate = await postCalculate(url, {
        candles: { close: [1, 2, 3, 4, 5] },
        indicators: [{ name: "SMA", params: { period: 2 } }],
      });
      expect(calculate.status).toBe(200);
    } finally {
      await redis.restart();
    }
    // Reconnected within a few seconds: the same replica takes and completes a job again.
    const deadline = Date.now() + 15_000;
    let accepted: Awaited<ReturnType<typeof submitJob>> | undefined;
    while (Date.now() < deadline) {
      accepted = await submitJob(url, jobBody(3, 50, INDICATORS, 4_100));
      if (accepted.response.status === 202) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(accepted?.response.status).toBe(202);
    const events = await followSse(`${url}${accepted?.json.links.events}`, { timeoutMs: 30_000 });
    expect(events.at(-1)?.type).toBe("completed");
    const view = (await (await fetch(`${url}/jobs/${accepted?.json.id}`)).json()) as JobView;
    expect(view.progress.done).toBe(3);
  });
});
