import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomOhlcv } from "../../harness/series.js";
import { calculateRequest, startTestService } from "../../harness/service.js";
import { INDICATORS } from "../../src/compute/catalog/index.js";
import type { Service } from "../../src/service.js";

interface CalcResult {
  id: string;
  name: string;
  params: Record<string, number>;
  warmup: number | null;
  source: string;
  elapsedMs: number;
  values: Array<number | null> | Record<string, Array<number | null>>;
}
interface CalcResponse {
  symbol?: string;
  interval?: string;
  results: CalcResult[];
  meta: { candles: number; mode: string; elapsedMs: number };
}

let service: Service;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service.close();
});

async function calculate(body: unknown): Promise<CalcResponse> {
  const response = await service.app.inject(calculateRequest(body));
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  return response.json<CalcResponse>();
}

const series = randomOhlcv(200, 42);
const { time: _time, ...ohlcv } = series;

describe("POST /indicators/calculate", () => {
  it("returns aligned series with warm-up nulls, default ids, labels and meta", async () => {
    const body = await calculate({
      symbol: "AAPL",
      interval: "1d",
      candles: ohlcv,
      indicators: [
        { name: "SMA", params: { period: 20 }, id: "fast" },
        { name: "MACD", params: { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 } },
      ],
    });
    expect(body.symbol).toBe("AAPL");
    expect(body.interval).toBe("1d");
    expect(body.meta).toMatchObject({ candles: 200, mode: "standalone" });
    expect(body.meta.elapsedMs).toBeGreaterThan(0);
    const [sma, macd] = body.results as [CalcResult, CalcResult];
    expect(sma).toMatchObject({ id: "fast", name: "SMA", params: { period: 20 }, warmup: 19 });
    const values = sma.values as Array<number | null>;
    expect(values).toHaveLength(200);
    expect(values.slice(0, 19).every((v) => v === null)).toBe(true);
    const expected = series.close.slice(0, 20).reduce((a, b) => a + b, 0) / 20;
    expect(values[19]).toBeCloseTo(expected, 10);
    expect(macd.id).toBe("MACD(12,26,9)");
    expect(Object.keys(macd.values)).toEqual(["macd", "signal", "histogram"]);
  });

  it("gives identical results for row candles and columnar candles", async () => {
    const rows = series.close.map((_, i) => ({
      time: series.time[i],
      open: series.open[i],
      high: series.high[i],
      low: series.low[i],
      close: series.close[i],
      volume: series.volume[i],
    }));
    const indicators = [{ name: "ATR" }, { name: "OBV" }, { name: "BBANDS" }, { name: "STOCH" }];
    const fromRows = await calculate({ candles: rows, indicators });
    const fromColumns = await calculate({ candles: series, indicators });
    expect(fromRows.results.map((r) => r.values)).toEqual(fromColumns.results.map((r) => r.values));
  });

  it("resolves names case-insensitively and through aliases to the canonical name", async () => {
    const body = await calculate({
      candles: ohlcv,
      indicators: [{ name: "bollingerbands" }, { name: "sMa", id: "s" }],
    });
    expect(body.results.map((r) => r.name)).toEqual(["BBANDS", "SMA"]);
    expect(body.results[0]?.id).toBe("BBANDS(20,2)");
  });

  it("applies tail and precision without changing warm-up", async () => {
    const body = await calculate({
      candles: ohlcv,
      indicators: [{ name: "SMA", params: { period: 5 } }, { name: "BBANDS" }],
      options: { tail: 3, precision: 2 },
    });
    const full = await calculate({ candles: ohlcv, indicators: [{ name: "SMA", params: { period: 5 } }] });
    const sma = body.results[0]?.values as number[];
    expect(sma).toHaveLength(3);
    const fullValues = full.results[0]?.values as number[];
    expect(sma).toEqual(fullValues.slice(-3).map((v) => Math.round(v * 100) / 100));
    expect(body.results[0]?.warmup).toBe(4);
    expect((body.results[1]?.values as Record<string, number[]> | undefined)?.upper).toHaveLength(3);
  });

  it("reports joined for concurrent identical requests and memory for a repeat", async () => {
    // Computations that take a while, so concurrent identical requests overlap for real.
    const slow = await startTestService({ DEBUG_COMPUTE_DELAY_MS: 50 });
    try {
      const fresh = randomOhlcv(3_000, 777);
      const request = { candles: { close: fresh.close }, indicators: [{ name: "RSI" }, { name: "EMA" }] };
      const concurrent = await Promise.all(
        Array.from({ length: 4 }, () => slow.app.inject(calculateRequest(request))),
      );
      const bodies = concurrent.map((response) => response.json<CalcResponse>());
      const sources = bodies.flatMap((body) => body.results.map((result) => result.source));
      expect(sources.filter((source) => source === "computed")).toHaveLength(2);
      expect(sources.filter((source) => source === "joined")).toHaveLength(6);
      expect(slow.scheduler.stats.totals()).toMatchObject({ computed: 2, joins: 6 });
      const again = (await slow.app.inject(calculateRequest(request))).json<CalcResponse>();
      expect(again.results.map((r) => r.source)).toEqual(["memory", "memory"]);
      // Each result's time is its own: the 50 ms computation (or the wait for it), a memory read.
      for (const result of bodies.flatMap((body) => body.results))
        expect(result.elapsedMs).toBeGreaterThanOrEqual(45);
      for (const result of again.results) expect(result.elapsedMs).toBeLessThan(45);
      for (const body of bodies)
        expect(body.results.map((r) => r.values)).toEqual(again.results.map((r) => r.values));
    } finally {
      await slow.close();
    }
  });

  it("returns a single-output indicator as an array whatever its output is called", async () => {
    const body = await calculate({
      candles: ohlcv,
      indicators: [{ name: "SuperTrend" }, { name: "GannHiLo" }],
    });
    for (const result of body.results) expect(Array.isArray(result.values)).toBe(true);
  });

  it("rounds with precision without losing digits of large values or overflowing", async () => {
    const body = await calculate({
      candles: { close: [1e300, 702206.6019672193, -2.5, 2.5, 0.1234567890123456] },
      indicators: [{ name: "SMA", params: { period: 1 } }],
      options: { precision: 12 },
    });
    expect(body.results[0]?.values).toEqual([1e300, 702206.6019672193, -2.5, 2.5, 0.123456789012]);
    const integers = await calculate({
      candles: { close: [-2.5, 2.5, -0.4] },
      indicators: [{ name: "SMA", params: { period: 1 } }],
      options: { precision: 0 },
    });
    expect(integers.results[0]?.values).toEqual([-3, 3, 0]);
  });

  it("returns null warm-up when the series is shorter than the indicator needs", async () => {
    const body = await calculate({
      candles: { close: [1, 2, 3] },
      indicators: [{ name: "SMA", params: { period: 5 } }],
    });
    expect(body.results[0]?.warmup).toBeNull();
    expect(body.results[0]?.values).toEqual([null, null, null]);
  });

  it("does not let one client's request change the cached result another client gets", async () => {
    const request = {
      candles: { close: series.close },
      indicators: [{ name: "SMA", params: { period: 3 } }],
    };
    const before = await calculate(request);
    await calculate({ ...request, options: { precision: 0, tail: 2 } });
    const after = await calculate(request);
    expect(after.results[0]?.values).toEqual(before.results[0]?.values);
  });
});

describe("TA-Lib's parameter names", () => {
  it("port a TA-Lib call by its keyword arguments: the same results as our names", async () => {
    const ours = await calculate({
      candles: ohlcv,
      indicators: [
        { name: "STOCH", params: { kPeriod: 9, kSlowingPeriod: 4, dPeriod: 5 } },
        { name: "MACD", params: { fastPeriod: 8, slowPeriod: 21, signalPeriod: 5 } },
        { name: "RSI", params: { period: 9 } },
      ],
    });
    const talibs = await calculate({
      candles: ohlcv,
      indicators: [
        { name: "STOCH", params: { fastk_period: 9, slowk_period: 4, slowd_period: 5 } },
        { name: "MACD", params: { fastperiod: 8, slowperiod: 21, signalperiod: 5 } },
        { name: "RSI", params: { timeperiod: 9 } },
      ],
    });
    const strip = (body: CalcResponse) =>
      body.results.map(({ id, params, values }) => ({ id, params, values }));
    expect(strip(talibs)).toEqual(strip(ours));
    expect(talibs.results[2]?.params).toEqual({ period: 9 });
  });

  it("refuses one param under both names, naming the TA-Lib one, and unknown names as before", async () => {
    const response = await service.app.inject(
      calculateRequest({
        candles: ohlcv,
        indicators: [
          { name: "RSI", params: { period: 9, timeperiod: 9 } },
          { name: "ALMA", params: { timeperiod: 9 } },
          { name: "RSI", params: { timeperiod: 0 } },
        ],
      }),
    );
    expect(response.statusCode).toBe(400);
    const paths = response.json<{ errors: { path: string; message: string }[] }>().errors.map((e) => e.path);
    // A refused value is named as the client sent it.
    expect(paths).toEqual([
      "indicators[0].params.timeperiod",
      "indicators[1].params",
      "indicators[2].params.timeperiod",
    ]);
  });

  it("are listed per indicator in the catalog", async () => {
    const catalog = (await service.app.inject({ url: "/indicators" })).json<{
      indicators: { name: string; talibParams: Record<string, string> }[];
    }>();
    const of = (name: string) => catalog.indicators.find((entry) => entry.name === name)?.talibParams;
    expect(of("STOCH")).toEqual({
      fastk_period: "kPeriod",
      slowk_period: "kSlowingPeriod",
      slowd_period: "dPeriod",
    });
    expect(of("ULTOSC")).toEqual({
      timeperiod1: "shortPeriod",
      timeperiod2: "mediumPeriod",
      timeperiod3: "longPeriod",
    });
    // BBANDS's one stdDev is both of TA-Lib's nbdevup and nbdevdn: neither alone may stand for it.
    expect(of("BBANDS")).toEqual({ timeperiod: "period" });
    expect(of("ALMA")).toEqual({});
  });
});

describe("a single-input indicator's source", () => {
  it("computes over the candles' hl2, reading high and low, and is its own result", async () => {
    const body = await calculate({
      candles: ohlcv,
      indicators: [
        { name: "SMA", params: { period: 5, source: "hl2" } },
        { name: "SMA", params: { period: 5 } },
        { name: "MEDPRICE" },
      ],
    });
    const [sourced, plain, median] = body.results as [CalcResult, CalcResult, CalcResult];
    expect(sourced.params).toEqual({ period: 5, source: "hl2" });
    expect(sourced.id).not.toBe(plain.id);
    expect(sourced.values).not.toEqual(plain.values);
    // SMA over hl2 is the SMA of TA-Lib's MEDPRICE.
    const medians = median.values as number[];
    const expected = medians.map((_, i) =>
      i < 4 ? null : medians.slice(i - 4, i + 1).reduce((sum, v) => sum + v, 0) / 5,
    );
    for (const [i, value] of (sourced.values as Array<number | null>).entries()) {
      if (i < 4) expect(value).toBeNull();
      else expect(value).toBeCloseTo(expected[i] as number, 9);
    }
  });

  it("refuses a source the candles lack, naming the column, and an unknown one, naming the param", async () => {
    const response = await service.app.inject(
      calculateRequest({
        candles: { close: ohlcv.close },
        indicators: [
          { name: "EMA", params: { source: "volume" } },
          { name: "EMA", params: { source: "median" } },
        ],
      }),
    );
    expect(response.statusCode).toBe(400);
    const paths = response.json<{ errors: { path: string }[] }>().errors.map((e) => e.path);
    expect(paths).toEqual(["indicators[1].params.source", "candles.volume"]);
  });
});

describe("GET /indicators", () => {
  it("lists every indicator with aliases, columns, params schema, outputs and warm-up", async () => {
    const response = await service.app.inject({ method: "GET", url: "/indicators" });
    expect(response.statusCode).toBe(200);
    const catalog = response.json<{ count: number; indicators: Array<Record<string, unknown>> }>();
    expect(catalog.count).toBe(INDICATORS.length);
    expect(catalog.indicators.map((indicator) => indicator.name)).toEqual(INDICATORS.map(({ name }) => name));
    const macd = catalog.indicators.find((i) => i.name === "MACD");
    expect(macd).toMatchObject({
      reads: ["close"],
      outputs: ["macd", "signal", "histogram"],
      params: { properties: { fastPeriod: { default: 12, type: "integer", minimum: 1 } } },
    });
    // MACD's two implementations start at different indices, and the catalog says both.
    expect(macd?.warmup).toBe("First value at index slowPeriod + signalPeriod - 2 (TA-Lib's lookback).");
    expect(macd?.warmups).toEqual({
      talib: macd?.warmup,
      "trading-signals": "First value at index slowPeriod - 1.",
    });
    expect(typeof macd?.talibDifference).toBe("string");
  });
});

describe("health", () => {
  it("reports status, mode, version and uptime", async () => {
    const response = await service.app.inject({ method: "GET", url: "/health" });
    expect(response.json()).toMatchObject({ status: "ok", mode: "standalone", version: expect.any(String) });
  });

  it("liveness is always ok; readiness is 503 problem+json while draining", async () => {
    const draining = await startTestService();
    expect((await draining.app.inject({ url: "/health/ready" })).statusCode).toBe(200);
    draining.lifecycle.markDraining();
    const ready = await draining.app.inject({ url: "/health/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(ready.json()).toMatchObject({ code: "NOT_READY" });
    expect((await draining.app.inject({ url: "/health/live" })).statusCode).toBe(200);
    await draining.close();
  });
});

describe("implementations (options.convention)", () => {
  const closes = randomOhlcv(120, 5).close;

  it("uses the TA-Lib kernel by default where one exists and says so", async () => {
    const body = await calculate({
      candles: { close: closes },
      indicators: [{ name: "SMA" }, { name: "ALMA" }],
    });
    expect(body.results.map((r) => (r as unknown as { implementation: string }).implementation)).toEqual([
      "talib",
      "trading-signals",
    ]);
  });

  it("gives trading-signals' conventions on request, cached apart from TA-Lib's", async () => {
    const series = randomOhlcv(300, 6).close;
    const talib = await calculate({
      candles: { close: series },
      indicators: [{ name: "EMA", params: { period: 10 } }],
    });
    const library = await calculate({
      candles: { close: series },
      indicators: [{ name: "EMA", params: { period: 10 } }],
      options: { convention: "trading-signals" },
    });
    expect(library.results[0]?.source).toBe("computed");
    expect((library.results[0] as unknown as { implementation: string }).implementation).toBe(
      "trading-signals",
    );
    // Both start at index 9 but seed differently (SMA vs first price), so the early values differ.
    expect(talib.results[0]?.warmup).toBe(9);
    expect(library.results[0]?.values).not.toEqual(talib.results[0]?.values);
  });

  it("refuses talib for one indicator that has no kernel, naming what it has", async () => {
    const response = await service.app.inject(
      calculateRequest({ candles: { close: closes }, indicators: [{ name: "ALMA", convention: "talib" }] }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ path: "indicators[0].convention" }] });
  });

  it("STOCHRSI is TA-Lib's (k and d, 0-100); trading-signals' unsmoothed 0-1 variant is StochasticRSI", async () => {
    const series = randomOhlcv(200, 8).close;
    const body = await calculate({
      candles: { close: series },
      indicators: [{ name: "STOCHRSI" }, { name: "StochasticRSI" }],
    });
    const [talib, library] = body.results as unknown as Array<{
      name: string;
      implementation: string;
      warmup: number;
      values: unknown;
    }>;
    expect(talib).toMatchObject({ name: "STOCHRSI", implementation: "talib", warmup: 14 + 5 + 3 - 2 });
    const { k, d } = (talib as { values: { k: (number | null)[]; d: (number | null)[] } }).values;
    // 0-100 up to rounding: TA-Lib's (rsi - lowest) / ((highest - lowest) / 100) can give 100.00000000000001.
    const percent = (v: number | null) => v !== null && v >= -1e-9 && v <= 100 + 1e-9;
    expect(k.slice(20).every(percent)).toBe(true);
    expect(d.slice(20).every(percent)).toBe(true);
    expect(library).toMatchObject({ name: "StochasticRSI", implementation: "trading-signals" });
    const values = library?.values as (number | null)[];
    expect(values.slice(100).some((v) => v !== null && v > 0 && v < 1)).toBe(true);
  });

  it("lists the implementations of each indicator in the catalog, the default first", async () => {
    const catalog = (await service.app.inject({ url: "/indicators" })).json<{
      indicators: Array<{ name: string; implementations: string[] }>;
    }>();
    expect(catalog.indicators.find((i) => i.name === "SMA")?.implementations).toEqual([
      "talib",
      "trading-signals",
    ]);
    expect(catalog.indicators.find((i) => i.name === "ALMA")?.implementations).toEqual(["trading-signals"]);
  });
});
