import { describe, expect, it } from "vitest";
import { randomOhlcv, toColumns } from "../../harness/series.js";
import type { IndicatorInputs } from "../../src/candles/vocabulary.js";
import { SeriesMemo, type SharedSeries } from "../../src/compute/kernels/shared-series.js";
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

interface Group {
  readonly units: readonly Unit[];
  /** Lookups answered by an earlier kernel's series, computing the units in order and in reverse. */
  readonly hits: readonly [forward: number, reverse: number];
}

/** Groups of indicators that derive a common series from the same inputs. */
const GROUPS: Record<string, Group> = {
  // TEMA and TRIX each read the EMA and the EMA of it; DEMA the EMA.
  "the EMA chain": {
    units: [
      ["EMA", { period: 9 }],
      ["DEMA", { period: 9 }],
      ["TEMA", { period: 9 }],
      ["TRIX", { period: 9 }],
    ],
    hits: [5, 5],
  },
  "the true range": {
    units: [
      ["TRANGE", {}],
      ["ATR", { period: 14 }],
      ["NATR", { period: 14 }],
      ["ULTOSC", { shortPeriod: 7, mediumPeriod: 14, longPeriod: 28 }],
    ],
    hits: [3, 3],
  },
  "the ADX": {
    units: [
      ["ADX", { period: 14 }],
      ["ADXR", { period: 14 }],
    ],
    hits: [1, 1],
  },
  "the RSI": {
    units: [
      ["RSI", { period: 14 }],
      ["STOCHRSI", { period: 14, kPeriod: 5, dPeriod: 3 }],
    ],
    hits: [1, 1],
  },
};

function alone(inputs: IndicatorInputs, [indicator, params]: Unit) {
  return kernelOutputs(indicator, inputs, params);
}

describe.each(Object.entries(GROUPS))("kernels share %s", (_group, { units, hits }) => {
  const inputs = toColumns(randomOhlcv(600, 17));

  it.each([
    ["in order", units, hits[0]],
    ["in reverse order", [...units].reverse(), hits[1]],
  ] as const)(
    "%s: the same bits as computed alone, and later kernels reuse earlier ones' series",
    (_order, ordered, expectedHits) => {
      const shared = new CountingMemo();
      for (const unit of ordered) {
        const together = kernelOutputs(unit[0], inputs, unit[1], shared);
        expect(together, unit[0]).toEqual(alone(inputs, unit));
      }
      expect(shared.hits).toBe(expectedHits);
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
