import { describe, expect, it } from "vitest";
import { measureUnitMs, warmUp, windowedParams, windowRange } from "../../harness/cost-points.js";
import { randomOhlcv, toColumns } from "../../harness/series.js";
import { calculateRequest, startTestService, testConfig } from "../../harness/service.js";
import type { IndicatorDefinition } from "../../src/compute/catalog/definition.js";
import { type Implementation, implementationsOf } from "../../src/compute/catalog/definition.js";
import { INDICATORS } from "../../src/compute/catalog/index.js";
import { estimateCostMs, MEASURED_COSTS } from "../../src/compute/cost.js";

/**
 * The cost model (src/compute/cost.ts) decides what runs on the event loop and what a request
 * may ask for, so its estimates must track measured time at the params a client may send:
 * smallest legal, default and largest legal window, at two series lengths (short ones: the terms
 * are linear in n past the window, and this sweep of ~1000 points must stay fast). This machine's speed
 * is not the one the coefficients were fitted on, so each estimate/measured ratio is taken
 * relative to the median ratio of all points: what must hold is the shape, within TOLERANCE.
 */
const SIZES = [2_000, 6_000];
/**
 * The fit's target is 3x (scripts/measure-costs.ts prints each fit's worst ratio); the bound is
 * 4x because a shared 2-core machine moves single points by 10-20% between runs, more while CI
 * shares it (IMI and PGO fit at 2.9-3.0x and were measured at 3.2x in a full suite run).
 */
const TOLERANCE = 4;
/**
 * Over-estimates may reach twice that: the JSON is priced at the upper quartile of all numbers,
 * so an output that degenerates to one digit a value (STOCHRSI with kPeriod 1 is 0 throughout)
 * is over-estimated ~5x. Erring high only sends a unit to the pool or refuses a request early;
 * an under-estimate blocks the event loop, so it keeps the tight bound.
 */
const OVER_TOLERANCE = 2 * TOLERANCE;
/**
 * Chains of trading-signals stages with windows of their own (WaveTrend's three EMAs, Alligator's
 * three smoothed averages, HMA's WMA of WMAs, DMA's short and long averages) at windows longer than the series: a stage starts
 * only once the one before it is stable, which a model keyed on the largest window cannot see.
 * Summing the terms over every window was tried and fits these better but STOCH (whose later
 * stages wait for the first) 100x worse. The worst is HMA(10000) over 6000 candles: its
 * WMA(period/2) stage is full and rescans 5000 values a candle while the model, keyed on 10000,
 * sees only warm-up (estimated 0.6 ms, measured 5 ms, ~14x relative). The gap closes once the
 * series outgrows the period, so its absolute error stays in milliseconds; this bound still
 * catches a regression.
 */
const LOOSE_FITS = new Set([
  "Alligator",
  "DMA",
  "GatorOscillator",
  "HMA",
  "WaddahAttarExplosion",
  "WaveTrend",
]);
const LOOSE_TOLERANCE = 20;
const CCI = INDICATORS.find((definition) => definition.name === "CCI") as IndicatorDefinition;

interface Point {
  readonly definition: IndicatorDefinition;
  readonly implementation: Implementation;
  readonly params: object;
  readonly size: number;
  readonly estimateMs: number;
  measuredMs: number;
}

const columnsBySize = new Map(SIZES.map((size) => [size, toColumns(randomOhlcv(size, 777))]));
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Units estimated this slow are timed once: their own length already averages out timer noise. */
const LONG_UNIT_MS = 20;

function measure(point: Point): number {
  const columns = columnsBySize.get(point.size) as ReturnType<typeof toColumns>;
  return measureUnitMs(point.definition, point.implementation, point.params, columns, {
    samples: point.estimateMs > LONG_UNIT_MS ? 1 : 3,
    minSampleMs: 2,
  });
}

describe("cost model", () => {
  it("has fitted coefficients for every indicator and implementation", () => {
    const missing = INDICATORS.flatMap((definition) =>
      implementationsOf(definition)
        .filter((implementation) => !MEASURED_COSTS[definition.name]?.[implementation])
        .map((implementation) => `${definition.name}/${implementation}`),
    );
    expect(missing, "fit them: npm run measure:costs -- --missing").toEqual([]);
  });

  it("estimates every indicator within 4x under and 8x over (a few chains 20x) of measured at small, default and largest params, two lengths", () => {
    const points: Point[] = [];
    for (const definition of INDICATORS) {
      const { small, standard, large } = windowRange(definition);
      const windows = [...new Set([small, standard, large])];
      for (const implementation of implementationsOf(definition)) {
        warmUp(definition, implementation, columnsBySize.get(SIZES[0] as number) as never);
        for (const window of windows) {
          const params = windowedParams(definition, window);
          for (const size of SIZES) {
            const estimateMs = estimateCostMs(definition, params, size, implementation);
            const point = { definition, implementation, params, size, estimateMs, measuredMs: 0 };
            point.measuredMs = measure(point);
            points.push(point);
          }
        }
      }
    }
    const speed = median(points.map((point) => point.estimateMs / point.measuredMs));
    const outside = () =>
      points.filter((point) => {
        const ratio = point.estimateMs / point.measuredMs / speed;
        const loose = point.implementation === "trading-signals" && LOOSE_FITS.has(point.definition.name);
        return (
          ratio > (loose ? LOOSE_TOLERANCE : OVER_TOLERANCE) ||
          ratio < 1 / (loose ? LOOSE_TOLERANCE : TOLERANCE)
        );
      });
    // A shared machine only ever makes a measurement slower: re-measure the outliers and keep
    // the fastest time before judging them.
    for (let retry = 0; retry < 3; retry++) {
      for (const point of outside()) point.measuredMs = Math.min(point.measuredMs, measure(point));
    }
    const report = outside().map(
      (point) =>
        `${point.definition.name}/${point.implementation} ${JSON.stringify(point.params)} n=${point.size}: ` +
        `estimate ${point.estimateMs.toFixed(3)} ms, measured ${point.measuredMs.toFixed(3)} ms x ${speed.toFixed(2)}`,
    );
    expect(report).toEqual([]);
    expect(points.length).toBeGreaterThan(INDICATORS.length * SIZES.length);
  }, 240_000);

  it("prices CCI by its window: CCI(10000) over 53k candles is costly enough for the pool and honest", () => {
    const columns = toColumns(randomOhlcv(53_000, 9));
    const params = CCI.params.parse({ period: 10_000 }) as object;
    const estimateMs = estimateCostMs(CCI, params, 53_000, "talib");
    const cheap = estimateCostMs(CCI, CCI.params.parse({}) as object, 53_000, "talib");
    const measuredMs = measureUnitMs(CCI, "talib", params, columns, { samples: 3, minSampleMs: 1 });
    expect(estimateMs).toBeGreaterThan(testConfig().SCHEDULER_POOL_MIN_COST_MS);
    expect(estimateMs).toBeGreaterThan(50 * cheap);
    // Absolute here, on whatever machine: the service must not believe a 600 ms unit costs 8 ms.
    expect(estimateMs / measuredMs).toBeGreaterThan(1 / 4);
    expect(estimateMs / measuredMs).toBeLessThan(4);
  }, 60_000);

  it("refuses 64 x CCI(9937..10000) over 100k candles with 422 REQUEST_TOO_COSTLY before computing", async () => {
    const series = randomOhlcv(100_000, 11);
    const indicators = Array.from({ length: 64 }, (_, i) => ({ name: "CCI", params: { period: 9_937 + i } }));
    const service = await startTestService();
    try {
      const started = performance.now();
      const response = await service.app.inject(
        calculateRequest({
          candles: { high: series.high, low: series.low, close: series.close },
          indicators,
        }),
      );
      const elapsedMs = performance.now() - started;
      expect(response.statusCode).toBe(422);
      expect(response.headers["content-type"]).toContain("application/problem+json");
      expect(response.json()).toMatchObject({ code: "REQUEST_TOO_COSTLY" });
      // Refused from the estimate: the work itself takes tens of seconds.
      expect(elapsedMs).toBeLessThan(5_000);
    } finally {
      await service.close();
    }
  }, 60_000);
});
