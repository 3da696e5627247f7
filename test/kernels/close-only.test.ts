import { describe, expect, it } from "vitest";
import { randomOhlcv } from "../../harness/series.js";
import { kernelFor } from "../../src/compute/catalog/index.js";
import { expectTalibParity, kernelOutputs, parityCase, type TalibResult, talib } from "../support/talib.js";
import { CLOSE_ONLY_CASES } from "./parity-cases.js";

const LINEARREG_OUTPUTS: Record<string, string> = {
  value: "LINEARREG",
  forecast: "TSF",
  slope: "LINEARREG_SLOPE",
  intercept: "LINEARREG_INTERCEPT",
};

function runTalib(name: string, close: number[], opt: Record<string, number>): TalibResult {
  return talib.execute({ name, startIdx: 0, endIdx: close.length - 1, inReal: close, ...opt });
}

/** Asserts `actual` is NaN before `begIndex` and within 1e-9 (relative, absolute near zero) after. */
function expectMatches(
  label: string,
  actual: Float64Array,
  expected: number[],
  begIndex: number,
  nbElement: number,
) {
  const firstValid = actual.findIndex((v) => !Number.isNaN(v));
  expect(firstValid, `${label}: first valid index`).toBe(nbElement === 0 ? -1 : begIndex);
  for (let j = 0; j < nbElement; j++) {
    const a = actual[begIndex + j] as number;
    const e = expected[j] as number;
    const tolerance = 1e-9 * Math.max(1, Math.abs(e));
    if (!(Math.abs(a - e) <= tolerance)) {
      expect.fail(`${label}: index ${begIndex + j}: kernel ${a}, TA-Lib ${e}`);
    }
  }
  const end = nbElement === 0 ? 0 : begIndex + nbElement;
  for (let i = end; i < actual.length; i++) {
    if (!Number.isNaN(actual[i])) expect.fail(`${label}: kernel has a value at ${i}, beyond TA-Lib's output`);
  }
}

/** The series each kernel is checked on: random walks of several lengths, flat, and a 50% gap. */
function seriesFor(lookback: number): { label: string; close: number[] }[] {
  const lengths = [1, Math.max(1, lookback - 1), Math.max(1, lookback), lookback + 1, 50, 500, 3000];
  const list: { label: string; close: number[] }[] = [];
  for (const [s, length] of lengths.entries()) {
    for (const seed of [1 + s, 101 + s]) {
      list.push({ label: `random n=${length} seed=${seed}`, close: randomOhlcv(length, seed).close });
    }
  }
  list.push({ label: "flat", close: new Array(300).fill(42.5) });
  const gap = randomOhlcv(400, 7).close;
  for (let i = 200; i < gap.length; i++) gap[i] = (gap[i] as number) * 1.5;
  list.push({ label: "gap +50%", close: gap });
  const drop = randomOhlcv(400, 8).close;
  for (let i = 150; i < drop.length; i++) drop[i] = (drop[i] as number) * 0.5;
  list.push({ label: "gap -50%", close: drop });
  const flatThenMove = new Array(120).fill(10).concat(randomOhlcv(200, 9, 10).close);
  list.push({ label: "flat then moving", close: flatThenMove });
  list.push({ label: "large prices", close: randomOhlcv(1000, 10, 65_000).close });
  list.push({ label: "small prices", close: randomOhlcv(1000, 11, 0.002).close });
  return list;
}

describe("average kernels equal TA-Lib", () => {
  for (const [kernel, suite] of Object.entries(CLOSE_ONLY_CASES)) {
    const c = parityCase(kernel, suite);
    describe(kernel, () => {
      for (const params of c.paramSets) {
        it(`${JSON.stringify(params)}`, () => {
          expect(kernelFor(kernel)).toBeTypeOf("function");
          for (const { label, close } of seriesFor(c.lookback(params))) {
            // Close-only indicators: every column is the close.
            const series = { time: [], open: close, high: close, low: close, close, volume: close };
            expectTalibParity(kernel, c, series, params, `${kernel} ${label}`);
          }
        });
      }
    });
  }

  describe("LINEARREG", () => {
    for (const period of [2, 3, 14, 50]) {
      it(`{"period":${period}}`, () => {
        for (const { label, close } of seriesFor(period - 1)) {
          const actual = kernelOutputs("LINEARREG", { close: Float64Array.from(close) }, { period });
          expect(Object.keys(actual).sort()).toEqual(Object.keys(LINEARREG_OUTPUTS).sort());
          for (const [name, talibName] of Object.entries(LINEARREG_OUTPUTS)) {
            const expected = runTalib(talibName, close, { optInTimePeriod: period });
            if (expected.nbElement > 0) expect(expected.begIndex).toBe(period - 1);
            const values = expected.result.outReal ?? [];
            expectMatches(
              `LINEARREG ${name} ${label}`,
              actual[name] as Float64Array,
              values,
              expected.begIndex,
              expected.nbElement,
            );
          }
        }
      });
    }
  });

  it("MACD with signalPeriod 1 matches TA-Lib from slowPeriod-1 on (TA-Lib's own output is misaligned there)", () => {
    for (const [fastPeriod, slowPeriod] of [
      [12, 26],
      [2, 3],
    ] as const) {
      for (const seed of [1, 2, 3]) {
        const close = randomOhlcv(500, seed).close;
        const params = { fastPeriod, slowPeriod, signalPeriod: 1 };
        const expected = runTalib("MACD", close, {
          optInFastPeriod: fastPeriod,
          optInSlowPeriod: slowPeriod,
          optInSignalPeriod: 1,
        });
        expect(expected.begIndex).toBe(slowPeriod - 2);
        const actual = kernelOutputs("MACD", { close: Float64Array.from(close) }, params);
        const close64 = Float64Array.from(close);
        expect(actual.macd?.findIndex((v) => !Number.isNaN(v))).toBe(slowPeriod - 1);
        const near = (a: number, e: number) => Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e));
        // TA-Lib's MACD element j is index begIndex + j (element 0 is uninitialized memory); its
        // signal element j is index begIndex + 2 + j; its histogram subtracts misaligned bars.
        const macdValues = expected.result.outMACD ?? [];
        const signalValues = expected.result.outMACDSignal ?? [];
        for (let j = 1; j < expected.nbElement; j++) {
          const index = expected.begIndex + j;
          if (!near(actual.macd?.[index] as number, macdValues[j] as number)) expect.fail(`macd ${index}`);
        }
        for (let j = 0; j < expected.nbElement; j++) {
          const index = expected.begIndex + 2 + j;
          if (!near(actual.signal?.[index] as number, signalValues[j] as number))
            expect.fail(`signal ${index}`);
        }
        for (let i = slowPeriod - 1; i < close64.length; i++) {
          expect(actual.signal?.[i]).toBe(actual.macd?.[i]);
          expect(actual.histogram?.[i]).toBe(0);
        }
      }
    }
  });

  it("period 1 (allowed by the catalog, rejected by TA-Lib) gives the close for the moving averages", () => {
    const close = Float64Array.from(randomOhlcv(100, 3).close);
    for (const name of ["SMA", "EMA", "WMA", "TRIMA", "DEMA", "TEMA"]) {
      const out = kernelOutputs(name, { close }, { period: 1 }).value as Float64Array;
      for (let i = 0; i < close.length; i++)
        expect(Math.abs((out[i] as number) - (close[i] as number)), `${name} ${i}`).toBeLessThan(1e-9);
    }
    // SMA(1) is exactly the close even across magnitudes a running difference would round away.
    const wide = Float64Array.from([1e300, 702206.6019672193, -2.5, 2.5, 0.1234567890123456, 0.1, 0.7]);
    expect(kernelOutputs("SMA", { close: wide }, { period: 1 }).value).toEqual(wide);
    const t3 = kernelOutputs("T3", { close }, { period: 1, volumeFactor: 0.7 });
    for (let i = 0; i < close.length; i++)
      expect(Math.abs((t3.value?.[i] as number) - (close[i] as number))).toBeLessThan(1e-9);
    const bands = kernelOutputs("BBANDS", { close }, { period: 1, stdDev: 2 });
    expect(Array.from(bands.upper as Float64Array)).toEqual(Array.from(close));
    expect(Array.from(bands.lower as Float64Array)).toEqual(Array.from(close));
  });
});
