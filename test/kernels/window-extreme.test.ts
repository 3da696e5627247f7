import { describe, expect, it } from "vitest";
import { randomOhlcv } from "../../harness/series.js";
import { WindowExtreme, windowExtremeInto } from "../../src/compute/kernels/shared.js";

const SERIES: Record<string, Float64Array> = {
  random: Float64Array.from(randomOhlcv(157, 5).close),
  rising: Float64Array.from({ length: 157 }, (_, i) => i * 0.5),
  falling: Float64Array.from({ length: 157 }, (_, i) => -i * 0.5),
  flat: new Float64Array(157).fill(3),
  sawtooth: Float64Array.from({ length: 157 }, (_, i) => i % 7),
};

/** The extreme of each window by rescanning it: slow and obviously right. */
function bruteForce(values: Float64Array, period: number, max: boolean): { value: number; index: number }[] {
  const result: { value: number; index: number }[] = [];
  for (let end = period - 1; end < values.length; end++) {
    let index = end - period + 1;
    for (let i = index + 1; i <= end; i++) {
      const v = values[i] as number;
      const best = values[index] as number;
      if (max ? v >= best : v <= best) index = i; // ties: the most recent
    }
    result.push({ value: values[index] as number, index });
  }
  return result;
}

describe.each(Object.entries(SERIES))("sliding-window extremes on a %s series", (_name, series) => {
  for (const max of [true, false]) {
    it(`${max ? "max" : "min"}: windowExtremeInto and WindowExtreme agree with a rescan for periods 1-40 and lengths around them`, () => {
      for (let period = 1; period <= 40; period++) {
        for (const length of [period - 1, period, period + 1, 2 * period + 3, series.length]) {
          if (length < 0) continue;
          const values = series.subarray(0, length);
          const expected = bruteForce(values, period, max);
          const out = new Float64Array(length).fill(-999);
          windowExtremeInto(values, period, max, out);
          const window = new WindowExtreme(values, period, max);
          for (let i = 0; i < length; i++) {
            const index = window.push(i);
            if (i < period - 1) {
              expect(out[i], `untouched before the first window (${period}, ${length})`).toBe(-999);
              continue;
            }
            const want = expected[i - period + 1] as { value: number; index: number };
            expect(out[i], `value at ${i} (${period}, ${length})`).toBe(want.value);
            expect(index, `index at ${i} (${period}, ${length})`).toBe(want.index);
          }
        }
      }
    });
  }
});
