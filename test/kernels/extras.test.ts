import { describe, expect, it } from "vitest";
import { extraKernels } from "../../src/compute/kernels/extras.js";
import {
  flatSeries,
  gapSeries,
  type OhlcvArrays,
  randomOhlcv,
  tickSeries,
  trendSeries,
} from "../support/series.js";
import { expectTalibParity, type Params, type ParityCase } from "../support/talib.js";

type Case = ParityCase;

const period = (p: Params) => ({ optInTimePeriod: p.period as number });
const value = { value: "outReal" };

const CASES: Record<string, Case> = {
  ROCP: {
    talibName: "ROCP",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 10 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  ROC: {
    talibName: "ROC",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 10 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  STDDEV: {
    talibName: "STDDEV",
    toTalib: (p) => ({ optInTimePeriod: p.period as number, optInNbDev: p.stdDev as number }),
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [
      { period: 5, stdDev: 1 },
      { period: 2, stdDev: 1 },
      { period: 20, stdDev: 2 },
      { period: 3, stdDev: 0.5 },
      { period: 50, stdDev: 1.5 },
    ],
  },
  MAX: {
    talibName: "MAX",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [{ period: 30 }, { period: 2 }, { period: 3 }, { period: 14 }],
  },
  MIN: {
    talibName: "MIN",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [{ period: 30 }, { period: 2 }, { period: 3 }, { period: 14 }],
  },
  MIDPOINT: {
    talibName: "MIDPOINT",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  PLUS_DI: {
    talibName: "PLUS_DI",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 1 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  MINUS_DI: {
    talibName: "MINUS_DI",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 1 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  AROONOSC: {
    talibName: "AROONOSC",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 25 }],
  },
  STOCHF: {
    talibName: "STOCHF",
    toTalib: (p) => ({
      optInFastK_Period: p.kPeriod as number,
      optInFastD_Period: p.dPeriod as number,
      optInFastD_MAType: 0,
    }),
    outputs: { k: "outFastK", d: "outFastD" },
    lookback: (p) => (p.kPeriod as number) + (p.dPeriod as number) - 2,
    paramSets: [
      { kPeriod: 5, dPeriod: 3 },
      { kPeriod: 1, dPeriod: 1 },
      { kPeriod: 1, dPeriod: 3 },
      { kPeriod: 2, dPeriod: 1 },
      { kPeriod: 14, dPeriod: 5 },
    ],
  },
  LINEARREG_SLOPE: {
    talibName: "LINEARREG_SLOPE",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 50 }],
  },
  TSF: {
    talibName: "TSF",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 50 }],
  },
};

function compare(name: string, testCase: Case, series: OhlcvArrays, params: Params, label: string): void {
  expectTalibParity(name, testCase, series, params, label);
}

/** A random walk whose close is exactly 0 on every 7th candle: ROC/ROCP's prev == 0 branch. */
function zeroCloseSeries(length: number, seed: number): OhlcvArrays {
  const series = randomOhlcv(length, seed);
  for (let i = 0; i < length; i += 7) series.close[i] = 0;
  return series;
}

const SEEDS = [1, 2, 3, 7, 42];

describe.each(Object.keys(CASES))("kernel %s matches TA-Lib", (name) => {
  const testCase = CASES[name] as Case;

  it("is exported under its catalog name", () => {
    expect(typeof extraKernels[name]).toBe("function");
  });

  it.each(testCase.paramSets.map((params) => [JSON.stringify(params), params] as const))(
    "random series around the warm-up and long, params %s",
    (_label, params) => {
      const lookback = testCase.lookback(params);
      const lengths = [0, 1, 2, lookback - 1, lookback, lookback + 1, lookback + 2, 50, 500, 3000].filter(
        (length) => length >= 0,
      );
      for (const length of lengths) {
        for (const seed of SEEDS) {
          compare(name, testCase, randomOhlcv(length, seed), params, `n=${length} seed=${seed}`);
        }
      }
    },
  );

  it.each(testCase.paramSets.map((params) => [JSON.stringify(params), params] as const))(
    "flat prices, gaps, tick-rounded repeats and trends, params %s",
    (_label, params) => {
      const lookback = testCase.lookback(params);
      for (const length of [lookback, lookback + 1, 60, 400]) {
        compare(name, testCase, flatSeries(length), params, `flat n=${length}`);
        compare(name, testCase, flatSeries(length, 0.5), params, `flat 0.5 n=${length}`);
        compare(name, testCase, flatSeries(length, 0), params, `flat 0 n=${length}`);
      }
      for (const seed of SEEDS) {
        compare(name, testCase, gapSeries(400, seed), params, `gap seed=${seed}`);
        compare(name, testCase, tickSeries(400, seed), params, `tick seed=${seed}`);
        compare(name, testCase, zeroCloseSeries(400, seed), params, `zero closes seed=${seed}`);
      }
      compare(name, testCase, trendSeries(400), params, "trend");
    },
  );
});
