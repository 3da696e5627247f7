import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomOhlcv } from "../../harness/series.js";
import { calculateRequest, captureLog, startTestService } from "../../harness/service.js";
import { InlineExecutor } from "../../src/compute/executor.js";
import type { ServiceError } from "../../src/errors/registry.js";
import { buildApp } from "../../src/http/app.js";
import { JsonBodyPool } from "../../src/http/calculate/json-body-pool.js";
import { type ValidJob, validateJob } from "../../src/jobs/validate.js";
import { Lifecycle } from "../../src/lifecycle.js";
import { SmartScheduler } from "../../src/scheduler/scheduler.js";
import type { Service } from "../../src/service.js";

/**
 * Large JSON bodies are read in worker threads (src/http/calculate/json-body-pool.ts). Whatever
 * thread reads a body, the answer must be the same, errors included; a worker that dies fails
 * only the body it held.
 */
let inWorker: Service;
let inline: Service;

beforeAll(async () => {
  [inWorker, inline] = await Promise.all([
    startTestService({ JSON_BODY_WORKER_MIN_BYTES: 0 }),
    startTestService({ JSON_BODY_WORKER_MIN_BYTES: 1_024 * 1_024 * 1_024 }),
  ]);
});

afterAll(async () => {
  await Promise.all([inWorker?.close(), inline?.close()]);
});

const series = randomOhlcv(3_000, 31);
const indicators = [
  { name: "BBANDS" },
  { name: "RSI", params: { period: 9 } },
  { name: "MFI" },
  { name: "ATR" },
];
const columnar = {
  time: series.time,
  open: series.open,
  high: series.high,
  low: series.low,
  close: series.close,
  volume: series.volume,
};
const rows = series.close.map((close, i) => ({
  time: series.time[i],
  high: series.high[i],
  low: series.low[i],
  close,
  volume: series.volume[i],
}));

async function both(body: unknown) {
  const [fromWorker, fromInline] = await Promise.all(
    [inWorker, inline].map((service) => service.app.inject(calculateRequest(body))),
  );
  return {
    fromWorker: fromWorker as NonNullable<typeof fromWorker>,
    fromInline: fromInline as NonNullable<typeof fromInline>,
  };
}

const withoutElapsed = (text: string) => text.replace(/"elapsedMs":[\d.]+/g, '"elapsedMs":0');
const withoutRequestId = (body: Record<string, unknown>) => ({ ...body, requestId: "" });

describe("JSON bodies read in a worker thread", () => {
  it("answer exactly as bodies read on the event loop, columnar and rows, with tail and precision", async () => {
    for (const body of [
      { candles: columnar, indicators },
      { candles: rows, indicators, options: { tail: 100, precision: 4 }, symbol: "AB€" },
    ]) {
      const { fromWorker, fromInline } = await both(body);
      expect(fromWorker.statusCode, fromWorker.body.slice(0, 300)).toBe(200);
      expect(withoutElapsed(fromWorker.body)).toBe(withoutElapsed(fromInline.body));
    }
  });

  it("report every kind of bad body with the same status, code and field issues", async () => {
    const bad: unknown[] = [
      "",
      '{"candles": ',
      '{"__proto__": {"x": 1}, "candles": {"close": [1]}, "indicators": [{"name": "SMA"}]}',
      {
        candles: { ...columnar, close: columnar.close.map((value, i) => (i % 500 === 7 ? "1.5" : value)) },
        indicators,
      },
      { candles: columnar, indicators: [{ name: "NOPE" }, { name: "SMA", params: { period: 0 } }] },
      // A candle rule (lengths differ) reported together with the plan's own problems.
      {
        candles: { ...columnar, high: columnar.high.slice(1) },
        indicators: [{ name: "NOPE" }, ...indicators],
      },
      { candles: columnar, indicators, options: { tail: 0, precision: 99 }, extra: true },
      {
        candles: rows.map((row, i) => (i === 9 ? { ...row, low: (row.high as number) + 1 } : row)),
        indicators,
      },
    ];
    for (const body of bad) {
      const { fromWorker, fromInline } = await both(body);
      expect(fromWorker.statusCode, JSON.stringify(body).slice(0, 80)).toBe(fromInline.statusCode);
      expect(fromWorker.statusCode).toBeGreaterThanOrEqual(400);
      expect(fromWorker.statusCode).toBeLessThan(500);
      expect(fromWorker.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(withoutRequestId(fromWorker.json())).toEqual(withoutRequestId(fromInline.json()));
    }
  });
});

describe("a worker that dies mid-body", () => {
  it("fails only that request, with problem+json and nothing cached; the next body is read by a new worker", async () => {
    const { logger } = captureLog("fatal");
    const pool = new JsonBodyPool({ maxThreads: 1, maxQueue: 8 });
    const executor = new InlineExecutor();
    const app = buildApp({
      scheduler: new SmartScheduler({
        mode: "sync",
        cache: null,
        inline: executor,
        pool: executor,
        poolMinCostMs: 1,
      }),
      lifecycle: new Lifecycle(),
      limits: { maxCandles: 200_000, maxIndicators: 8 },
      bodyLimitBytes: 64 * 1024 * 1024,
      jsonBodies: { pool, minBytes: 0 },
      log: logger,
    });
    try {
      // Rows of 150k candles: long enough to parse that the worker can be stopped while it does.
      const big = randomOhlcv(150_000, 5);
      const body = {
        candles: big.close.map((close, i) => ({ high: big.high[i], low: big.low[i], close })),
        indicators: [{ name: "SMA" }],
      };
      // A first body starts the worker: one stopped while it boots takes its queue down with it
      // (piscina then starts no other), which is not the failure under test.
      const small = { candles: { close: [1, 2, 3] }, indicators: [{ name: "SMA", params: { period: 2 } }] };
      expect((await app.inject(calculateRequest(small))).statusCode).toBe(200);
      // inject() starts only once awaited or then()-ed.
      const answer = app.inject(calculateRequest(body)).then((response) => response);
      while (pool.pending === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      await Promise.all(pool.threads.map((thread) => thread.terminate()));
      const failed = await answer;
      expect(failed.statusCode).toBe(500);
      expect(failed.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(failed.json()).toMatchObject({ code: "INTERNAL" });
      expect(failed.body).toMatch(/nothing was computed or cached/);

      const again = await app.inject(calculateRequest(body));
      expect(again.statusCode, again.body.slice(0, 300)).toBe(200);
      expect(again.json().results[0].source).toBe("computed");
    } finally {
      await app.close();
      await pool.close();
    }
  }, 60_000);
});

describe("a large JSON job split over the body threads", () => {
  const limits = { maxCandles: 50_000, maxIndicators: 64 };
  const jobLimits = { maxSeries: 10_000, maxCandles: 2_000_000 };
  const task = { jobLimits, plan: {}, format: "json" as const };
  const jobIndicators = [{ name: "SMA", params: { period: 5 } }, { name: "RSI" }];
  let pool: JsonBodyPool;
  beforeAll(() => {
    pool = new JsonBodyPool({ maxThreads: 2, maxQueue: 16 });
  });
  afterAll(() => pool.close());

  /** ~1.5 MiB: over the size from which jobs are split. Every third series has no key. */
  const jobSeries = () =>
    Array.from({ length: 120 }, (_, i) => {
      const { high, low, close } = randomOhlcv(400, 500 + i);
      return { ...(i % 3 === 0 ? {} : { key: `K${i}` }), candles: { high, low, close } };
    });

  /** What the pool answers, and what validating the body whole in this thread answers. */
  async function splitAndWhole(text: string, limitsOfJob = jobLimits) {
    const before = pool.completedTasks;
    const outcome = await pool
      .parseJob(Buffer.from(text), limits, { ...task, jobLimits: limitsOfJob })
      .then((body) => ({ job: body.value }))
      .catch((error: ServiceError) => ({ refused: { code: error.code, issues: error.issues } }));
    const tasks = pool.completedTasks - before;
    let whole: unknown;
    try {
      whole = { job: validateJob(JSON.parse(text), limits, limitsOfJob, {}) };
    } catch (error) {
      const refusal = error as ServiceError;
      whole = { refused: { code: refusal.code, issues: refusal.issues } };
    }
    return { outcome, whole, tasks };
  }

  it("validates a valid job in parts: the same series, keys by index across parts, in order", async () => {
    const text = JSON.stringify({ series: jobSeries(), indicators: jobIndicators });
    expect(text.length).toBeGreaterThan(1_024 * 1_024);
    const { outcome, whole, tasks } = await splitAndWhole(text);
    expect(tasks).toBe(3);
    expect(outcome).toEqual(whole);
    const keys = (outcome as { job: ValidJob }).job.series.map(({ key }) => key);
    expect(keys.slice(117)).toEqual(["117", "K118", "K119"]);
  });

  it.each([
    [
      "a bad value in the last part",
      (series: Record<string, unknown>[]) => {
        (series[110] as { candles: { close: unknown[] } }).candles.close[7] = "7";
      },
    ],
    [
      "the same key in two parts",
      (series: Record<string, unknown>[]) => {
        (series[1] as { key: string }).key = "K100";
      },
    ],
    [
      "a default key taken by another series",
      (series: Record<string, unknown>[]) => {
        (series[100] as { key: string }).key = "3";
      },
    ],
  ])("refuses %s exactly as an unsplit job is refused", async (_, spoil) => {
    const series = jobSeries();
    spoil(series);
    const { outcome, whole, tasks } = await splitAndWhole(
      JSON.stringify({ series, indicators: jobIndicators }),
    );
    expect(outcome).toHaveProperty("refused");
    expect(outcome).toEqual(whole);
    // The split, its two parts and the whole body again.
    expect(tasks).toBe(4);
  });

  it("refuses too many candles in all, which no part holds alone, as an unsplit job", async () => {
    const text = JSON.stringify({ series: jobSeries(), indicators: jobIndicators });
    const { outcome, whole } = await splitAndWhole(text, { ...jobLimits, maxCandles: 40_000 });
    expect((outcome as { refused: { code: string } }).refused.code).toBe("JOB_TOO_LARGE");
    expect(outcome).toEqual(whole);
  });

  it("reads a second series member spelled with escapes as JSON.parse does: the last one counts", async () => {
    const text = JSON.stringify({ series: jobSeries(), indicators: jobIndicators }).replace(
      /}$/,
      ',"ser\\u0069es":[{"key":"only","candles":{"close":[1,2,3,4,5,6]}}]}',
    );
    const { outcome, whole, tasks } = await splitAndWhole(text);
    expect((outcome as { job: ValidJob }).job.series.map(({ key }) => key)).toEqual(["only"]);
    expect(outcome).toEqual(whole);
    expect(tasks).toBe(1);
  });
});
