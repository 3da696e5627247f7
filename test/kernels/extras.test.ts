import { describe, expect, it } from "vitest";
import type { CandleColumns } from "../../src/compute/catalog/definition.js";
import { extraKernels } from "../../src/compute/kernels/extras.js";
import {
  flatSeries,
  gapSeries,
  type OhlcvArrays,
  randomOhlcv,
  tickSeries,
  toColumns,
} from "../support/series.js";
import { type TalibResult, talib } from "../support/talib.js";

type Params = Record<string, number>;

interface Case {
  /** TA-Lib function name. */
  talibName: string;
  /** Catalog params -> TA-Lib optIn params. */
  toTalib(params: Params): Record<string, number>;
  /** Catalog output name -> TA-Lib output name. */
  outputs: Record<string, string>;
  /** TA-Lib's first valid index for these params. */
  lookback(params: Params): number;
  /** Param sets to check: the catalog default, its minimum and a few others. */
  paramSets: Params[];
}

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

function plain(series: OhlcvArrays) {
  return {
    open: series.open,
    high: series.high,
    low: series.low,
    close: series.close,
    volume: series.volume,
  };
}

function runTalib(testCase: Case, series: OhlcvArrays, params: Params): TalibResult {
  return talib.execute({
    name: testCase.talibName,
    startIdx: 0,
    endIdx: series.close.length - 1,
    ...plain(series),
    inReal: series.close,
    ...testCase.toTalib(params),
  });
}

function compare(name: string, testCase: Case, series: OhlcvArrays, params: Params, label: string): void {
  const kernel = extraKernels[name];
  if (kernel === undefined) throw new Error(`no kernel ${name}`);
  const n = series.close.length;
  const columns: CandleColumns = toColumns(series);
  const actual = kernel(columns, params);
  // TA-Lib's binding aborts the process on an empty series, so that case is checked without it.
  const expected: TalibResult =
    n === 0 ? { begIndex: 0, nbElement: 0, result: {} } : runTalib(testCase, series, params);
  const begIndex = Math.min(n, testCase.lookback(params));
  const talibBegIndex = begIndex;
  if (expected.nbElement > 0) expect(expected.begIndex, `${label}: TA-Lib begIndex`).toBe(talibBegIndex);
  else expect(talibBegIndex, `${label}: TA-Lib gave no values`).toBe(n);
  expect(Object.keys(actual).sort(), label).toEqual(Object.keys(testCase.outputs).sort());
  for (const [output, talibOutput] of Object.entries(testCase.outputs)) {
    const values = actual[output] as Float64Array;
    expect(values, `${label} ${output}`).toBeInstanceOf(Float64Array);
    expect(values.length, `${label} ${output}`).toBe(n);
    const reference = expected.nbElement > 0 ? (expected.result[talibOutput] as number[]) : [];
    for (let i = 0; i < n; i++) {
      const got = values[i] as number;
      if (i < begIndex) {
        if (!Number.isNaN(got))
          expect.fail(`${label} ${output}[${i}] = ${got}, expected NaN before ${begIndex}`);
        continue;
      }
      const want = reference[i - talibBegIndex] as number;
      const tolerance = 1e-9 * Math.max(1, Math.abs(want));
      if (!(Math.abs(got - want) <= tolerance))
        expect.fail(`${label} ${output}[${i}] = ${got}, TA-Lib ${want}`);
    }
  }
}

/** A random walk whose close is exactly 0 on every 7th candle: ROC/ROCP's prev == 0 branch. */
function zeroCloseSeries(length: number, seed: number): OhlcvArrays {
  const series = randomOhlcv(length, seed);
  for (let i = 0; i < length; i += 7) series.close[i] = 0;
  return series;
}

/** A steady rise then a steady fall: every window's extreme expires at each step. */
function trendSeries(length: number): OhlcvArrays {
  const series = randomOhlcv(length, 5);
  for (let i = 0; i < length; i++) {
    const mid = 100 + (i < length / 2 ? i : length - i);
    series.open[i] = mid;
    series.close[i] = mid + 0.5;
    series.high[i] = mid + 1;
    series.low[i] = mid - 1;
  }
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
