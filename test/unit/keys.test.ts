import { describe, expect, it } from "vitest";
import { randomOhlcv, toColumns } from "../../harness/series.js";
import { implementationVersion } from "../../src/compute/catalog/definition.js";
import { findIndicator } from "../../src/compute/catalog/index.js";
import { ColumnDigests, canonicalJson, unitKey } from "../../src/scheduler/keys.js";

function keyFor(indicator: string, params: object, columns = toColumns(randomOhlcv(50, 1))): string {
  const definition = findIndicator(indicator);
  if (!definition) throw new Error(indicator);
  const parsed = definition.params.parse(params) as object;
  return unitKey({
    indicator: definition.name,
    implementation: "trading-signals",
    version: implementationVersion(definition, "trading-signals"),
    params: parsed,
    seriesHash: new ColumnDigests(columns).series(definition.reads),
  });
}

describe("unit keys", () => {
  it("have the readable shape calc:{NAME}:{paramsHash}:{seriesHash} with 128-bit hashes", () => {
    expect(keyFor("SMA", { period: 20 })).toMatch(/^calc:SMA:[0-9a-f]{32}:[0-9a-f]{32}$/);
  });

  it("are equal for the same data and params, even from separately built arrays", () => {
    expect(keyFor("SMA", { period: 20 }, toColumns(randomOhlcv(50, 1)))).toBe(
      keyFor("SMA", { period: 20 }, toColumns(randomOhlcv(50, 1))),
    );
  });

  it("ignore param order and treat explicit defaults like omitted ones", () => {
    expect(keyFor("MACD", { slowPeriod: 26, fastPeriod: 12 })).toBe(
      keyFor("MACD", { fastPeriod: 12, slowPeriod: 26 }),
    );
    expect(keyFor("MACD", {})).toBe(keyFor("MACD", { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 }));
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it("change with the implementation: TA-Lib's numbers and trading-signals' never share an entry", () => {
    const seriesHash = "0".repeat(32);
    const key = (implementation: string) =>
      unitKey({ indicator: "EMA", implementation, version: 1, params: { period: 9 }, seriesHash });
    expect(key("talib/1")).not.toBe(key("trading-signals"));
    expect(key("talib/1")).not.toBe(key("talib/2"));
  });

  it("change when any param, the indicator, or the version changes", () => {
    const base = keyFor("SMA", { period: 20 });
    expect(keyFor("SMA", { period: 21 })).not.toBe(base);
    expect(keyFor("EMA", { period: 20 })).not.toBe(base);
    const seriesHash = "0".repeat(32);
    expect(
      unitKey({
        indicator: "SMA",
        implementation: "trading-signals",
        version: 1,
        params: { period: 20 },
        seriesHash,
      }),
    ).not.toBe(
      unitKey({
        indicator: "SMA",
        implementation: "trading-signals",
        version: 2,
        params: { period: 20 },
        seriesHash,
      }),
    );
  });

  it("change when any single value of a column the indicator reads changes", () => {
    const series = randomOhlcv(50, 1);
    const base = keyFor("ATR", {}, toColumns(series));
    for (const column of ["high", "low", "close"] as const) {
      const changed = structuredClone(series);
      changed[column][37] = (changed[column][37] as number) + 1e-9;
      expect(keyFor("ATR", {}, toColumns(changed)), column).not.toBe(base);
    }
    const longer = randomOhlcv(51, 1);
    expect(keyFor("ATR", {}, toColumns(longer))).not.toBe(base);
  });

  it("do not change when a column the indicator does not read changes", () => {
    const series = randomOhlcv(50, 1);
    const changed = structuredClone(series);
    changed.volume[3] = 42;
    changed.open[3] = 42;
    expect(keyFor("SMA", {}, toColumns(changed))).toBe(keyFor("SMA", {}, toColumns(series)));
  });

  it("hash each column once per request however many indicators read it", () => {
    const digests = new ColumnDigests(toColumns(randomOhlcv(100, 2)));
    digests.series(["close"]);
    digests.series(["high", "low", "close"]);
    digests.series(["close", "volume"]);
    expect(digests.columnsHashed).toBe(4);
  });
});
