import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calculateRequest, startTestService } from "../../harness/service.js";
import { MAX_REPORTED_ISSUES } from "../../src/errors/registry.js";
import type { Service } from "../../src/service.js";

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
}

/** The defaults a deployment runs with: 100k candles, 64 indicators, a 32 MiB body. */
const CANDLES = 100_000;
const INDICATORS = 64;

let service: Service;
beforeAll(async () => {
  // No cache: every valid request in the cost test computes, as a first request would.
  service = await startTestService({
    MAX_CANDLES: CANDLES,
    MAX_INDICATORS: INDICATORS,
    CACHE_ENABLED: false,
  });
});
afterAll(async () => {
  await service.close();
});

const prices = Array.from({ length: CANDLES }, (_, i) => 100 + (i % 1_000) / 8);
const asStrings = (values: readonly number[]) => values.map(String);
const sma = [{ name: "SMA", params: { period: 20 } }];

async function send(body: unknown): Promise<{ status: number; problem: Problem; ms: number }> {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  const started = performance.now();
  const response = await service.app.inject(calculateRequest(payload));
  const ms = performance.now() - started;
  return { status: response.statusCode, problem: response.json<Problem>(), ms };
}

async function expectCappedValidationFailure(body: unknown): Promise<Problem> {
  const { status, problem } = await send(body);
  expect(status, problem.detail).toBe(400);
  expect(problem.code).toBe("VALIDATION_FAILED");
  expect(problem.errors?.length).toBeGreaterThan(0);
  expect(problem.errors?.length).toBeLessThanOrEqual(MAX_REPORTED_ISSUES);
  return problem;
}

describe("a body with a whole column of bad values", () => {
  it.each(["close", "high"])(
    "100k strings in %s: 400 with at most 20 errors, from the first",
    async (name) => {
      const candles = { close: prices, [name]: asStrings(prices) };
      const problem = await expectCappedValidationFailure({ candles, indicators: sma });
      expect(problem.errors?.[0]).toEqual({
        path: `candles.${name}[0]`,
        message: "Invalid input: expected number, received string",
      });
      expect(problem.detail).toMatch(/^100000 problems/);
    },
  );

  it("100k strings in every column: still a 400, not a RangeError's 500", async () => {
    const bad = asStrings(prices);
    const candles = { time: bad, open: bad, high: bad, low: bad, close: bad, volume: bad };
    const problem = await expectCappedValidationFailure({ candles, indicators: sma });
    expect(problem.detail).toMatch(/^600000 problems/);
  });

  it("100k bad rows: 400 with at most 20 errors at exact row paths", async () => {
    const rows = prices.map((close) => ({ close: String(close) }));
    const problem = await expectCappedValidationFailure({ candles: rows, indicators: sma });
    expect(problem.errors?.[0]?.path).toBe("candles[0].close");
    expect(problem.errors?.[19]?.path).toBe("candles[19].close");
  });

  it("100k rows of the wrong type in every way: 400 with at most 20 errors", async () => {
    const kinds = [
      null,
      "row",
      7,
      [],
      { close: null },
      { close: 1, extra: 1 },
      { high: 1 },
      { close: "INF" },
    ];
    const rows = prices.map((_, i) => kinds[i % kinds.length]);
    // `1e400` only exists as JSON text: JSON.parse turns it into Infinity.
    const payload = JSON.stringify({ candles: rows, indicators: sma });
    const problem = await expectCappedValidationFailure(
      payload.replaceAll('{"close":"INF"}', '{"close":1e400}'),
    );
    expect(problem.errors?.slice(0, 4).map((e) => e.path)).toEqual([
      "candles[0]",
      "candles[1]",
      "candles[2]",
      "candles[3]",
    ]);
  });

  it("a body mixing bad candle values and an unknown top-level field reports both", async () => {
    const problem = await expectCappedValidationFailure({
      candles: { close: asStrings(prices) },
      indicators: sma,
      indicator: [],
    });
    const paths = problem.errors?.map((e) => e.path) ?? [];
    expect(paths).toContain("candles.close[0]");
    expect(paths).toContain("(root)");
  });

  it("an infinite time (1e400) is reported at its index next to a bad close", async () => {
    const problem = await expectCappedValidationFailure(
      '{"candles":{"close":[1,"2",3],"time":[1,1e400,-3]},"indicators":[{"name":"SMA"}]}',
    );
    expect(problem.errors?.map((e) => e.path).sort()).toEqual([
      "candles.close[1]",
      "candles.time[1]",
      "candles.time[2]",
    ]);
  });
});

describe("semantic problems are capped too", () => {
  it(`${INDICATORS} unknown indicator names: exactly 20 listed, the detail counts all`, async () => {
    const indicators = Array.from({ length: INDICATORS }, (_, i) => ({ name: `NOPE${i}` }));
    const { status, problem } = await send({ candles: { close: [1, 2, 3] }, indicators });
    expect(status).toBe(400);
    expect(problem.code).toBe("UNKNOWN_INDICATOR");
    expect(problem.errors).toHaveLength(MAX_REPORTED_ISSUES);
    expect(problem.detail).toContain(String(INDICATORS));
  });

  it("candle rules broken on every candle: at most 20 listed, and the detail says it stopped", async () => {
    const low = prices.map((price) => price + 1);
    const { status, problem } = await send({
      candles: { close: prices, high: prices, low },
      indicators: sma,
    });
    expect(status).toBe(400);
    expect(problem.errors).toHaveLength(MAX_REPORTED_ISSUES);
    expect(problem.detail).toMatch(/^At least 20 problems/);
  });
});

describe("an invalid body costs no more than a valid one of the same size", () => {
  it("100k strings in close vs 100k numbers: medians within 2x", async () => {
    // Eighths plus 1/32 print with five decimals: as long as an eighth in quotes, about.
    const valid = JSON.stringify({ candles: { close: prices.map((p) => p + 1 / 32) }, indicators: sma });
    const invalid = JSON.stringify({ candles: { close: asStrings(prices) }, indicators: sma });
    expect(Math.abs(valid.length - invalid.length) / valid.length).toBeLessThan(0.1);

    const samples = { valid: [] as number[], invalid: [] as number[] };
    // Interleaved, so a slow moment of a shared machine hits both; the first round warms up.
    for (let round = 0; round < 8; round++) {
      const ok = await send(valid);
      const bad = await send(invalid);
      expect(ok.status).toBe(200);
      expect(bad.status).toBe(400);
      if (round === 0) continue;
      samples.valid.push(ok.ms);
      samples.invalid.push(bad.ms);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    // Today ~1x (a valid body also computes and renders); before the typed pre-scan ~6x.
    expect(median(samples.invalid), JSON.stringify(samples)).toBeLessThan(2 * median(samples.valid));
  });
});
