import { describe, expect, it } from "vitest";
import type { IndicatorInputs } from "../../src/compute/catalog/definition.js";
import { SeriesMemo, type SharedSeries } from "../../src/compute/kernels/shared-series.js";
import { randomOhlcv, toColumns } from "../support/series.js";
import { kernelOutputs, type Params } from "../support/talib.js";

/** A real SeriesMemo that counts the lookups another kernel's offer answered. */
class CountingMemo implements SharedSeries {
  readonly memo = new SeriesMemo();
  hits = 0;

  find(key: string, inputs: readonly Float64Array[]): Float64Array | undefined {
    const found = this.memo.find(key, inputs);
    if (found) this.hits++;
    return found;
  }

  offer(key: string, inputs: readonly Float64Array[], series: Float64Array): void {
    this.memo.offer(key, inputs, series);
  }
}

type Unit = readonly [indicator: string, params: Params];

/** Groups of indicators that derive a common series from the same inputs. */
const GROUPS: Record<string, readonly Unit[]> = {
  "SMA and the BBANDS middle band": [
    ["SMA", { period: 20 }],
    ["BBANDS", { period: 20, stdDev: 2 }],
    ["BBANDS", { period: 20, stdDev: 3 }],
  ],
  "the EMA chain": [
    ["EMA", { period: 9 }],
    ["DEMA", { period: 9 }],
    ["TEMA", { period: 9 }],
    ["TRIX", { period: 9 }],
  ],
  "the true range": [
    ["TRANGE", {}],
    ["ATR", { period: 14 }],
    ["NATR", { period: 14 }],
    ["ULTOSC", { shortPeriod: 7, mediumPeriod: 14, longPeriod: 28 }],
  ],
  "the ADX": [
    ["ADX", { period: 14 }],
    ["ADXR", { period: 14 }],
  ],
  "the RSI": [
    ["RSI", { period: 14 }],
    ["STOCHRSI", { period: 14, kPeriod: 5, dPeriod: 3 }],
  ],
};

function alone(inputs: IndicatorInputs, [indicator, params]: Unit) {
  return kernelOutputs(indicator, inputs, params);
}

describe.each(Object.entries(GROUPS))("kernels share %s", (_group, units) => {
  const inputs = toColumns(randomOhlcv(600, 17));

  it.each([
    ["in catalog order", units],
    ["in reverse order", [...units].reverse()],
  ])(
    "%s: the same bits as computed alone, and later kernels reuse earlier ones' series",
    (_order, ordered) => {
      const shared = new CountingMemo();
      for (const unit of ordered) {
        const together = kernelOutputs(unit[0], inputs, unit[1], shared);
        expect(together, unit[0]).toEqual(alone(inputs, unit));
      }
      expect(shared.hits).toBeGreaterThanOrEqual(ordered.length - 1);
    },
  );

  it("does not share across different input arrays (another request's columns)", () => {
    const shared = new CountingMemo();
    const other = toColumns(randomOhlcv(600, 18));
    for (const [indicator, params] of units) kernelOutputs(indicator, inputs, params, shared);
    const hitsBefore = shared.hits;
    for (const unit of units)
      expect(kernelOutputs(unit[0], other, unit[1], shared)).toEqual(alone(other, unit));
    // Within `other` the group shares again, but never with `inputs`' series.
    expect(shared.hits - hitsBefore).toBe(hitsBefore);
  });
});

it("a shared series is the offering kernel's own array, not a copy", () => {
  const memo = new SeriesMemo();
  const close = new Float64Array([1, 2, 3]);
  const series = new Float64Array([4, 5, 6]);
  memo.offer("sma:2", [close], series);
  expect(memo.find("sma:2", [close])).toBe(series);
  expect(memo.find("sma:3", [close])).toBeUndefined();
  expect(memo.find("sma:2", [new Float64Array([1, 2, 3])])).toBeUndefined();
  const high = new Float64Array(3);
  memo.offer("trange", [high, close], series);
  expect(memo.find("trange", [high, new Float64Array(3)])).toBeUndefined();
});
