import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compareEventIds,
  followSse,
  followWebSocket,
  jobBody,
  type ReceivedEvent,
  resultLines,
  submitJob,
  TERMINAL_EVENTS,
} from "../../harness/jobs.js";
import { total } from "../../harness/metrics.js";
import { RedisServer, requireRedisBinary } from "../../harness/redis.js";
import { startTestService } from "../../harness/service.js";
import { planCalculation } from "../../src/calculation/plan.js";
import { calculateBodySchema } from "../../src/calculation/request-schema.js";
import { computeTask } from "../../src/compute/task.js";
import type { Config } from "../../src/config/config.js";
import type { JobView } from "../../src/jobs/model.js";
import type { Service } from "../../src/service.js";

/**
 * One contract for both job engines: the in-process queue and memory store (standalone) and
 * BullMQ with the Redis store. Real HTTP on a socket, the `eventsource` and `ws` clients.
 */

const INDICATORS = [{ name: "SMA", params: { period: 5 } }, { name: "RSI" }, { name: "MACD" }];

/** What a series' results must be, computed here without the service. */
function reference(series: ReturnType<typeof jobBody>["series"][number]): string[] {
  const parsed = calculateBodySchema({ maxCandles: 100_000, maxIndicators: 64 }).parse({
    candles: series.candles,
    indicators: INDICATORS,
  });
  return planCalculation(parsed).results.map((planned) => computeTask(planned.unit).valuesBytes.toString());
}

async function listen(overrides: Partial<Config>): Promise<{ service: Service; base: string }> {
  const service = await startTestService({ LOG_LEVEL: "silent", ...overrides });
  const address = await service.app.listen({ port: 0, host: "127.0.0.1" });
  return { service, base: address };
}

const engines: [string, boolean][] = [
  ["standalone", false],
  ["redis", true],
];
const redisEnabled = requireRedisBinary();

describe.each(engines)("jobs contract: %s", (_name, withRedis) => {
  let redis: RedisServer | undefined;
  let fast: { service: Service; base: string };
  let slow: { service: Service; base: string };
  const run = withRedis && !redisEnabled ? it.skip : it;

  beforeAll(async () => {
    if (withRedis && !redisEnabled) return;
    redis = withRedis ? await RedisServer.start() : undefined;
    const common = {
      JOB_CHUNK_SERIES: 4,
      API_KEYS: "key-a,key-b",
      ...(redis ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: "fast:" } : {}),
    };
    fast = await listen(common);
    // Every computation waits 25 ms: a job long enough to disconnect from, cancel, and resume.
    slow = await listen({
      ...common,
      ...(redis ? { REDIS_KEY_PREFIX: "slow:" } : {}),
      DEBUG_COMPUTE_DELAY_MS: 25,
      JOB_CONCURRENCY: 1,
      JOB_CHUNK_SERIES: 2,
      JOB_EVENTS_HEARTBEAT_MS: 100,
      // Every job body through the body workers: the other service reads them on the event loop.
      JSON_BODY_WORKER_MIN_BYTES: 0,
    });
  });

  afterAll(async () => {
    await fast?.service.close();
    await slow?.service.close();
    await redis?.stop();
  });

  const A = { authorization: "Bearer key-a" };
  const B = { authorization: "Bearer key-b" };

  run("computes every series as calculate would, streams events and results in input order", async () => {
    const body = jobBody(10, 300, INDICATORS, 100);
    const { response, json } = await submitJob(fast.base, body, A);
    expect(response.status).toBe(202);
    expect(response.headers.get("location")).toBe(`/jobs/${json.id}`);
    expect(json).toMatchObject({ status: "queued", total: 10 });
    expect(Buffer.from(json.id, "base64url").length).toBeGreaterThanOrEqual(16);

    const events = await followSse(`${fast.base}${json.links.events}`, { headers: A });
    const ids = events.map((event) => event.id);
    expect([...ids].sort(compareEventIds)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const series = events.filter((event) => event.type === "series");
    expect(series.map((event) => event.data.key).sort()).toEqual(body.series.map((s) => s.key).sort());
    expect(events.at(-1)).toMatchObject({
      type: "completed",
      data: { status: "completed", done: 10, total: 10 },
    });
    const progress = events.filter((event) => event.type === "progress");
    expect(progress.at(-1)?.data).toMatchObject({ done: 10, failed: 0, total: 10 });

    const status = (await (await fetch(`${fast.base}/jobs/${json.id}`, { headers: A })).json()) as JobView;
    expect(status).toMatchObject({
      id: json.id,
      status: "completed",
      progress: { done: 10, failed: 0, total: 10 },
    });
    expect(status.progress.sources.computed).toBe(30);
    expect(Date.parse(status.finishedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(status.startedAt as string),
    );

    const { response: results, lines } = await resultLines(`${fast.base}${json.links.results}`, A);
    expect(results.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    expect(lines.map((line) => line.key)).toEqual(body.series.map((s) => s.key));
    lines.forEach((line, i) => {
      const expected = reference(body.series[i] as (typeof body.series)[number]);
      expect(line.results?.map((result) => JSON.stringify(result.values))).toEqual(expected);
    });

    const one = await resultLines(`${fast.base}${json.links.results}?key=S3`, A);
    expect(one.lines).toHaveLength(1);
    expect(one.lines[0]?.key).toBe("S3");
    const missing = await fetch(`${fast.base}${json.links.results}?key=nope`, { headers: A });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe("SERIES_NOT_FOUND");
  });

  run("a resubmitted job completes from the caches without computing", async () => {
    const body = jobBody(8, 200, INDICATORS, 300);
    const first = await submitJob(fast.base, body, A);
    await followSse(`${fast.base}${first.json.links.events}`, { headers: A });
    // The same series under other keys: results are cached by content, not by name.
    const renamed = { ...body, series: body.series.map((series, i) => ({ ...series, key: `again-${i}` })) };
    const again = await submitJob(fast.base, renamed, A);
    const events = await followSse(`${fast.base}${again.json.links.events}`, { headers: A });
    const sources = events.at(-1)?.data.sources as Record<string, number>;
    expect(sources.computed).toBe(0);
    // With Redis every series is one read of the series cache; standalone the memory cache answers.
    expect(withRedis ? sources.shared : sources.memory).toBe(24);
    const before = await resultLines(`${fast.base}${first.json.links.results}`, A);
    const after = await resultLines(`${fast.base}${again.json.links.results}`, A);
    expect(after.lines.map((line) => line.key)).toEqual(renamed.series.map((series) => series.key));
    expect(after.lines.map((line) => line.results?.map((result) => result.values))).toEqual(
      before.lines.map((line) => line.results?.map((result) => result.values)),
    );
    expect(new Set(after.lines.flatMap((line) => line.results?.map((result) => result.source)))).toEqual(
      new Set([withRedis ? "shared" : "memory"]),
    );
  });

  run("a client reconnecting five times with Last-Event-ID sees every event once, in order", async () => {
    const body = jobBody(12, 100, [{ name: "SMA", params: { period: 3 } }], 500);
    const { json } = await submitJob(slow.base, body, A);
    const url = `${slow.base}${json.links.events}`;
    const seen: ReceivedEvent[] = [];
    for (let round = 0; round < 5; round++) {
      seen.push(...(await followSse(url, { headers: A, after: seen.at(-1)?.id, stopAfter: 3 })));
    }
    seen.push(...(await followSse(url, { headers: A, after: seen.at(-1)?.id })));
    const whole = await followSse(url, { headers: A });
    expect(seen.map((event) => event.id)).toEqual(whole.map((event) => event.id));
    expect(seen).toEqual(whole);
    expect(seen.filter((event) => event.type === "series")).toHaveLength(12);
    // Resuming after the final event ends at once, with nothing repeated.
    const after = await fetch(url, { headers: { ...A, "last-event-id": whole.at(-1)?.id as string } });
    expect(await after.text()).not.toMatch(/^id:/m);
  });

  run("the WebSocket carries the same events, resumable by message", async () => {
    const body = jobBody(6, 100, [{ name: "EMA", params: { period: 3 } }], 700);
    const { json } = await submitJob(slow.base, body, A);
    const wsUrl = `${slow.base}/jobs/${json.id}/ws`;
    const { events, closeCode } = await followWebSocket(wsUrl, { headers: A });
    expect(closeCode).toBe(1000);
    const sse = await followSse(`${slow.base}${json.links.events}`, { headers: A });
    expect(events).toEqual(sse);
    const cut = sse[4]?.id as string;
    const resumed = await followWebSocket(wsUrl, { headers: A, resumeWith: cut });
    // Events from the start may arrive before the resume message is read; after it, exactly the rest.
    const rest = resumed.events.slice(resumed.events.findLastIndex((event) => event.id === cut) + 1);
    const expected = sse.slice(5);
    expect(rest.slice(-expected.length)).toEqual(expected);
    const fromQuery = await followWebSocket(wsUrl, { headers: A, after: cut });
    expect(fromQuery.events).toEqual(expected);
  });

  run("DELETE cancels: running series finish, nothing new starts", async () => {
    const body = jobBody(40, 100, [{ name: "SMA", params: { period: 4 } }], 900);
    const { json } = await submitJob(slow.base, body, A);
    await followSse(`${slow.base}${json.links.events}`, { headers: A, stopAfter: 2 });
    const cancelled = await fetch(`${slow.base}/jobs/${json.id}`, { method: "DELETE", headers: A });
    expect(cancelled.status).toBe(200);
    const view = (await cancelled.json()) as JobView;
    expect(view.status).toBe("cancelled");
    const events = await followSse(`${slow.base}${json.links.events}`, { headers: A });
    expect(events.at(-1)?.type).toBe("cancelled");
    expect(events.filter((event) => TERMINAL_EVENTS.includes(event.type))).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const later = (await (await fetch(`${slow.base}/jobs/${json.id}`, { headers: A })).json()) as JobView;
    expect(later.status).toBe("cancelled");
    expect(later.progress.done).toBeLessThan(40);
    expect(later.progress.done).toBe(view.progress.done);
  });

  run("another API key can neither read, follow, fetch nor cancel a job", async () => {
    const { json } = await submitJob(fast.base, jobBody(2, 50, INDICATORS, 1_100), A);
    for (const [method, path] of [
      ["GET", ""],
      ["GET", "/events"],
      ["GET", "/results"],
      ["DELETE", ""],
    ] as const) {
      const response = await fetch(`${fast.base}/jobs/${json.id}${path}`, { method, headers: B });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { code: string }).code).toBe("JOB_NOT_FOUND");
    }
    await expect(followWebSocket(`${fast.base}/jobs/${json.id}/ws`, { headers: B })).rejects.toMatchObject({
      status: 404,
    });
    const noKey = await fetch(`${fast.base}/jobs/${json.id}`);
    expect(noKey.status).toBe(401);
    const own = await fetch(`${fast.base}/jobs/${json.id}`, { headers: A });
    expect(own.status).toBe(200);
  });

  run.each([
    [
      "an unknown field in a series",
      { series: [{ key: "a", candles: { close: [1, 2] }, colour: "red" }], indicators: INDICATORS },
      400,
      "series[0]",
    ],
    [
      "duplicate keys",
      {
        series: [
          { key: "a", candles: { close: [1, 2, 3] } },
          { key: "a", candles: { close: [1, 2, 3] } },
        ],
        indicators: [{ name: "SMA", params: { period: 2 } }],
      },
      400,
      "series[1].key",
    ],
    [
      "a bad candle value deep in a series",
      {
        series: [{ candles: { close: [1, 2, 3] } }, { candles: { close: [1, "x", 3] } }],
        indicators: [{ name: "SMA", params: { period: 2 } }],
      },
      400,
      "series[1].candles.close[1]",
    ],
    [
      "an indicator that needs columns a series lacks",
      { series: [{ candles: { close: [1, 2, 3] } }], indicators: [{ name: "ATR" }] },
      400,
      "series[0].candles.high",
    ],
    [
      "an unknown indicator",
      { series: [{ candles: { close: [1, 2, 3] } }], indicators: [{ name: "NOPE" }] },
      400,
      "indicators[0].name",
    ],
    ["no series", { series: [], indicators: INDICATORS }, 400, "series"],
  ])("%s is answered with problem+json before anything is queued", async (_what, body, status, path) => {
    // Read on the event loop (fast) and in a body worker (slow): the same answer.
    for (const { base } of [fast, slow]) {
      const { response, json } = await submitJob(base, body, A);
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect((json as unknown as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain(path);
    }
  });

  run("a malformed body and a job beyond the limits are refused", async () => {
    const malformed = await fetch(`${fast.base}/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", ...A },
      body: '{"series": [',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { code: string }).code).toBe("MALFORMED_JSON");
    const many = {
      series: Array.from({ length: 10_001 }, () => ({ candles: { close: [1] } })),
      indicators: INDICATORS,
    };
    const { response, json } = await submitJob(fast.base, many, A);
    expect(response.status).toBe(422);
    expect((json as unknown as { code: string }).code).toBe("JOB_TOO_LARGE");
  });

  run("metrics count jobs, series, durations and event lag", async () => {
    const scrape = async () => (await fetch(`${fast.base}/metrics`, { headers: A })).text();
    const before = await scrape();
    const { json } = await submitJob(fast.base, jobBody(5, 50, INDICATORS, 1_500), A);
    await followSse(`${fast.base}${json.links.events}`, { headers: A });
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      total(after, name, labels) - total(before, name, labels);
    expect(delta("indicator_jobs_submitted_total")).toBe(1);
    expect(delta("indicator_jobs_ended_total", { status: "completed" })).toBe(1);
    expect(delta("indicator_job_series_total", { outcome: "done" })).toBe(5);
    expect(delta("indicator_job_duration_seconds_count")).toBe(1);
    // 5 series events, at least one progress event and the final one reached this client.
    expect(delta("indicator_job_event_lag_seconds_count")).toBeGreaterThanOrEqual(7);
    // The final event is recorded before BullMQ marks the last chunk done, so the gauge follows.
    await expect
      .poll(async () => total(await scrape(), "indicator_job_chunks_queued"), { timeout: 5_000 })
      .toBe(0);
  });

  run("an unknown job is 404 and a malformed Last-Event-ID is 400", async () => {
    const unknown = await fetch(`${fast.base}/jobs/AAAAAAAAAAAAAAAAAAAAAA`, { headers: A });
    expect(unknown.status).toBe(404);
    const { json } = await submitJob(fast.base, jobBody(1, 20, INDICATORS, 1_300), A);
    const bad = await fetch(`${fast.base}${json.links.events}`, {
      headers: { ...A, "last-event-id": "yesterday" },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("Last-Event-ID");
  });
});

describe("a job while the worker pool's queue is full", () => {
  // One pool thread, one waiting unit, every unit pooled, four one-series chunks at once: most
  // units find the queue full, as under heavy calculate traffic.
  const crowded = {
    SCHEDULER_MAX_WORKERS: 1,
    SCHEDULER_MAX_QUEUE: 1,
    SCHEDULER_POOL_MIN_COST_MS: 0,
    JOB_CONCURRENCY: 4,
    JOB_CHUNK_SERIES: 1,
  };
  const finished = async (overrides: Partial<Config>) => {
    const { service, base } = await listen({ ...crowded, ...overrides });
    try {
      const { json } = await submitJob(base, jobBody(12, 400, INDICATORS, 1_700));
      await followSse(`${base}${json.links.events}`);
      return (await (await fetch(`${base}/jobs/${json.id}`)).json()) as JobView;
    } finally {
      await service.close();
    }
  };

  it("waits for room and computes every series (JOB_POOL_WAIT_MS)", async () => {
    const job = await finished({});
    expect(job.progress).toMatchObject({ done: 12, failed: 0 });
  });

  it("without waiting, fails the series that found no room as OVERLOADED, not INTERNAL", async () => {
    const job = await finished({ JOB_POOL_WAIT_MS: 0 });
    expect(job.progress.failed).toBeGreaterThan(0);
    expect(new Set(job.errors.map((error) => error.code))).toEqual(new Set(["OVERLOADED"]));
  });
});
