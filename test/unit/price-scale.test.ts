import { describe, expect, it } from "vitest";
import { randomOhlcv } from "../../harness/series.js";
import { implementationsOf } from "../../src/compute/catalog/definition.js";
import { INDICATORS } from "../../src/compute/catalog/index.js";
import { NO_SHARING } from "../../src/compute/kernels/shared-series.js";
import { priceScaleOutputs } from "../../src/compute/price-scale.js";
import { computeSeries } from "../../src/compute/task.js";

const byName = new Map(INDICATORS.map((definition) => [definition.name, definition]));
const scaleOf = (name: string) => priceScaleOutputs(byName.get(name) as (typeof INDICATORS)[number]);

describe("priceScaleOutputs", () => {
  it.each([
    ["SMA", ["value"]],
    ["BBANDS", ["upper", "middle", "lower"]],
    ["SAR", ["value"]],
    ["MAMA", ["mama", "fama"]],
    ["LINEARREG", ["value", "forecast", "intercept"]],
    ["RSI", []],
    ["MACD", []],
    ["ATR", []],
    ["OBV", []],
    ["STOCH", []],
  ])("puts %s's outputs %j on the price scale", (name, expected) => {
    expect(scaleOf(name)).toEqual(expected);
  });

  // Another series than the probe, at another price level: what the probe put on the price scale
  // must lie among these candles' prices too, and what it did not must mostly lie elsewhere.
  it("agrees with a random walk near 5,000 for every indicator", () => {
    const candles = randomOhlcv(600, 77, 5_000);
    const columns = Object.fromEntries(
      (["open", "high", "low", "close", "volume"] as const).map((name) => [
        name,
        Float64Array.from(candles[name]),
      ]),
    );
    const [low, high] = [Math.min(...candles.low), Math.max(...candles.high)];
    const range = high - low;
    const inPrices = (values: Float64Array) => {
      const finite = [...values].filter((value) => !Number.isNaN(value));
      const within = finite.filter((value) => value >= low - range && value <= high + range);
      return finite.length > 0 && within.length >= 0.9 * finite.length;
    };
    const disagreements: string[] = [];
    for (const definition of INDICATORS) {
      const onPrice = new Set(priceScaleOutputs(definition));
      const { outputs } = computeSeries(
        {
          indicator: definition.name,
          implementation: implementationsOf(definition)[0] as "talib",
          params: definition.params.parse({}) as object,
          columns,
        },
        NO_SHARING,
      );
      for (const [name, values] of Object.entries(outputs)) {
        if (onPrice.has(name) !== inPrices(values)) disagreements.push(`${definition.name}.${name}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
