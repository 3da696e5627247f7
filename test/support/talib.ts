import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  flatSeries,
  gapSeries,
  type OhlcvArrays,
  randomOhlcv,
  tickSeries,
  toColumns,
  trendSeries,
} from "../../harness/series.js";
import type { CandleColumns, IndicatorInputs } from "../../src/candles/vocabulary.js";
import { findIndicator, kernelFor } from "../../src/compute/catalog/index.js";
import { NO_SHARING, type SharedSeries } from "../../src/compute/kernels/shared-series.js";

/** The slice of the `talib` binding (TA-Lib C) the parity tests use; it needs plain number arrays. */
export interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
}

export interface Talib {
  execute(request: Record<string, unknown>): TalibResult;
}

export const talib = createRequire(import.meta.url)("talib") as Talib;

export type Params = Record<string, number>;

/** What a suite adds to an indicator's parity table (its catalog definition's `talib`): params to try. */
export interface ParityParams {
  /** Param sets to check: the catalog default, its minimum and a few others. */
  paramSets: Params[];
  /** Param sets the catalog allows but TA-Lib rejects (TA_BAD_PARAM): no reference to compare with. */
  talibRejects?: Params[];
  /** TA-Lib's begIndex where it differs from the kernel's first valid index (lookback). */
  talibBegIndex?(params: Params, length: number): number;
}

/** One indicator's TA-Lib counterpart: the catalog's parity table and the suite's params. */
export interface ParityCase extends ParityParams {
  /** TA-Lib function name. */
  talibName: string;
  /** Catalog params -> TA-Lib optIn params. */
  toTalib(params: Params): Readonly<Record<string, number>>;
  /** Catalog output name -> TA-Lib output name. */
  outputs: Readonly<Record<string, string>>;
  /** TA-Lib's first valid index for these params. */
  lookback(params: Params): number;
}

export function parityCase(indicator: string, params: ParityParams): ParityCase {
  const table = findIndicator(indicator)?.talib;
  if (!table?.talibOutputs) throw new Error(`${indicator} has no TA-Lib parity table in the catalog`);
  return {
    ...params,
    talibName: table.function,
    toTalib: (values) => table.toTalib(values),
    outputs: table.talibOutputs,
    lookback: (values) => table.lookback.at(values),
  };
}

function plain(series: OhlcvArrays) {
  return {
    open: series.open,
    high: series.high,
    low: series.low,
    close: series.close,
    volume: series.volume,
  };
}

export function runTalib(testCase: ParityCase, series: OhlcvArrays, params: Params): TalibResult {
  return talib.execute({
    name: testCase.talibName,
    startIdx: 0,
    endIdx: series.close.length - 1,
    ...plain(series),
    inReal: series.close,
    ...testCase.toTalib(params),
  });
}

/** No kernel computes this: an index a kernel forgets to write keeps it and fails every comparison. */
const UNWRITTEN = -1.2345e300;

/**
 * Runs the catalog indicator's TA-Lib kernel into output arrays prefilled with garbage, as the
 * benchmark's reused buffers would be, so a kernel that relies on fresh arrays fails here.
 */
export function kernelOutputs(
  indicator: string,
  inputs: IndicatorInputs,
  params: Params,
  shared: SharedSeries = NO_SHARING,
): Record<string, Float64Array> {
  const definition = findIndicator(indicator);
  const kernel = kernelFor(indicator);
  if (!definition || !kernel) throw new Error(`${indicator} has no kernel`);
  const length = (Object.values(inputs)[0] as Float64Array).length;
  const outputs = Object.fromEntries(
    definition.outputs.map((output) => [output.name, new Float64Array(length).fill(UNWRITTEN)]),
  );
  kernel(inputs, params, outputs, shared);
  return outputs;
}

/**
 * Runs the kernel and TA-Lib on the same series and params and asserts the TA-Lib contract: same
 * first valid index, NaN before it, |diff| <= 1e-9 relative (absolute near zero) after it.
 */
export function expectTalibParity(
  indicator: string,
  testCase: ParityCase,
  series: OhlcvArrays,
  params: Params,
  label: string,
): void {
  const n = series.close.length;
  const columns: CandleColumns = toColumns(series);
  const actual = kernelOutputs(indicator, columns, params);
  // TA-Lib's binding aborts the process on an empty series, so that case is checked without it.
  const expected: TalibResult =
    n === 0 ? { begIndex: 0, nbElement: 0, result: {} } : runTalib(testCase, series, params);
  const begIndex = Math.min(n, testCase.lookback(params));
  // ULTOSC(1,1,1): TA-Lib starts at 0, where it reads close[-1]; the kernel starts at 1 (see the kernel).
  const talibBegIndex = testCase.talibBegIndex?.(params, n) ?? begIndex;
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

const SEEDS = [1, 2, 3, 7, 42];

/** Edge cases a suite adds to the shared ones (flat at 100 and 0.5, gaps, tick-rounded repeats, a trend). */
export interface ParityExtras {
  /** More flat price levels. */
  readonly flatPrices?: readonly number[];
  /** Named series, one per seed. */
  readonly seeded?: Readonly<Record<string, (length: number, seed: number) => OhlcvArrays>>;
}

/**
 * The TA-Lib parity suite of a kernel module: per catalog name, the kernel is exported, and equals
 * TA-Lib (expectTalibParity) on random series around the warm-up and long, and on edge cases.
 */
export function describeTalibParity(
  cases: Readonly<Record<string, ParityParams>>,
  extras: ParityExtras = {},
): void {
  describe.each(Object.keys(cases))("kernel %s matches TA-Lib", (name) => {
    const testCase = parityCase(name, cases[name] as ParityParams);
    const compare = (series: OhlcvArrays, params: Params, label: string) =>
      expectTalibParity(name, testCase, series, params, label);
    const paramRows = testCase.paramSets.map((params) => [JSON.stringify(params), params] as const);

    it("is the talib implementation of the catalog's indicator of that name", () => {
      expect(kernelFor(name)).toBeTypeOf("function");
    });

    it.each(paramRows)("random series around the warm-up and long, params %s", (_label, params) => {
      const lookback = testCase.lookback(params);
      const lengths = [0, 1, 2, lookback - 1, lookback, lookback + 1, lookback + 2, 50, 500, 3000].filter(
        (length) => length >= 0,
      );
      for (const length of lengths) {
        for (const seed of SEEDS) compare(randomOhlcv(length, seed), params, `n=${length} seed=${seed}`);
      }
    });

    it.each(paramRows)("flat prices, gaps, tick-rounded repeats and trends, params %s", (_label, params) => {
      const lookback = testCase.lookback(params);
      for (const length of [lookback, lookback + 1, 60, 400]) {
        compare(flatSeries(length), params, `flat n=${length}`);
        compare(flatSeries(length, 0.5), params, `flat 0.5 n=${length}`);
        for (const price of extras.flatPrices ?? [])
          compare(flatSeries(length, price), params, `flat ${price} n=${length}`);
      }
      for (const seed of SEEDS) {
        compare(gapSeries(400, seed), params, `gap seed=${seed}`);
        compare(tickSeries(400, seed), params, `tick seed=${seed}`);
        for (const [label, make] of Object.entries(extras.seeded ?? {}))
          compare(make(400, seed), params, `${label} seed=${seed}`);
      }
      compare(trendSeries(400), params, "trend");
    });
  });
}
