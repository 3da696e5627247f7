import { describe, expect, it } from "vitest";
import { z } from "zod";
import { randomOhlcv, toColumns } from "../../harness/series.js";
import { normalizeCandles } from "../../src/candles/columns.js";
import { type IndicatorInputs, sourceSeries } from "../../src/candles/vocabulary.js";
import { implementationsOf, warmupOf } from "../../src/compute/catalog/definition.js";
import { INDICATORS } from "../../src/compute/catalog/index.js";
import { readsCloseAlone, readsFor } from "../../src/compute/catalog/source.js";
import { SeriesMemo } from "../../src/compute/kernels/shared-series.js";
import { runIndicator, runKernel } from "../../src/compute/run.js";
import { computeTask } from "../../src/compute/task.js";
import { IssueList } from "../../src/errors/registry.js";

const LENGTHS = [1, 7, 60, 400];

interface NumericProperty {
  type?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  default?: unknown;
}

function numericProperties(schema: z.ZodType): Record<string, NumericProperty> {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, NumericProperty>;
  };
  return json.properties ?? {};
}

/** Parameter sets every indicator must compute without throwing: defaults, and each param at its minimum. */
function validParamSets(schema: z.ZodType): object[] {
  const sets: object[] = [schema.parse({}) as object];
  for (const [name, property] of Object.entries(numericProperties(schema))) {
    const low =
      property.minimum ??
      (property.exclusiveMinimum !== undefined ? property.exclusiveMinimum + 0.01 : undefined);
    if (low === undefined) continue;
    const candidate = schema.safeParse({ [name]: low });
    if (candidate.success) sets.push(candidate.data as object);
  }
  return sets;
}

// The trading-signals implementation's contract; TA-Lib kernels have their own (test/kernels/).
describe.each(
  INDICATORS.filter((definition) => definition.tradingSignals).map(
    (definition) => [definition.name, definition] as const,
  ),
)("catalog entry %s", (_name, definition) => {
  it("declares exactly one column when fed one value per candle", () => {
    expect(definition.reads.length).toBeGreaterThan(0);
    if (definition.input === "value") expect(definition.reads).toHaveLength(1);
    expect(new Set(definition.reads).size).toBe(definition.reads.length);
  });

  it("fills every param default from an empty object", () => {
    expect(() => definition.params.parse({})).not.toThrow();
  });

  it("rejects unknown params and out-of-bounds values", () => {
    expect(definition.params.safeParse({ notAParam: 1 }).success).toBe(false);
    for (const [name, property] of Object.entries(numericProperties(definition.params))) {
      if (property.minimum !== undefined) {
        expect(definition.params.safeParse({ [name]: property.minimum - 1 }).success, name).toBe(false);
      }
      if (property.exclusiveMinimum !== undefined) {
        expect(definition.params.safeParse({ [name]: property.exclusiveMinimum }).success, name).toBe(false);
      }
      if (property.maximum !== undefined) {
        expect(definition.params.safeParse({ [name]: property.maximum + 1 }).success, name).toBe(false);
      }
      if (property.type === "integer") {
        expect(definition.params.safeParse({ [name]: 2.5 }).success, name).toBe(false);
      }
      expect(definition.params.safeParse({ [name]: "7" }).success, name).toBe(false);
    }
  });

  it.each(LENGTHS)("computes %i candles: aligned output, warm-up nulls then finite values", (length) => {
    // Only the columns it declares, as the scheduler hands them over.
    const all = toColumns(randomOhlcv(length, length * 7919 + definition.name.length));
    const columns = Object.fromEntries(definition.reads.map((name) => [name, all[name]]));
    for (const params of validParamSets(definition.params)) {
      const series = runIndicator(definition, params, columns);
      expect(Object.keys(series.outputs)).toEqual(definition.outputs.map((output) => output.name));
      for (const [output, values] of Object.entries(series.outputs)) {
        const label = `${output} ${JSON.stringify(params)}`;
        expect(values.length, label).toBe(length);
        const start = series.warmup ?? length;
        for (let i = 0; i < length; i++) {
          if (i < start) expect(Number.isNaN(values[i]), `${label} [${i}] before warm-up`).toBe(true);
          else expect(Number.isFinite(values[i]), `${label} [${i}] after warm-up`).toBe(true);
        }
      }
    }
  });

  it("reaches a first value on a long enough series with default params", () => {
    const series = runIndicator(definition, definition.params.parse({}), toColumns(randomOhlcv(2_000, 3)));
    expect(series.warmup).not.toBeNull();
  });

  it("gives the same numbers from row candles as from columnar candles", () => {
    const series = randomOhlcv(150, 5);
    const rows = series.close.map((_, i) => ({
      time: series.time[i],
      open: series.open[i],
      high: series.high[i],
      low: series.low[i],
      close: series.close[i] as number,
      volume: series.volume[i],
    }));
    const issues = new IssueList();
    const fromRows = normalizeCandles(rows, issues);
    const fromColumns = normalizeCandles(series, issues);
    if (!fromRows || !fromColumns) throw new Error(`test candles rejected: ${issues.describe()}`);
    const params = definition.params.parse({});
    expect(runIndicator(definition, params, fromRows.columns)).toEqual(
      runIndicator(definition, params, fromColumns.columns),
    );
  });

  it("is deterministic: a fresh run gives identical numbers", () => {
    const columns = toColumns(randomOhlcv(300, 11));
    const params = definition.params.parse({});
    expect(runIndicator(definition, params, columns)).toEqual(runIndicator(definition, params, columns));
  });
});

// The catalog says where each implementation's first value is as an expression over the params;
// here it meets the computed results, at the defaults and with each param at its minimum.
describe.each(
  INDICATORS.flatMap((definition) =>
    implementationsOf(definition).map(
      (implementation) => [definition.name, implementation, definition] as const,
    ),
  ),
)("%s (%s) starts where the catalog says", (_name, implementation, definition) => {
  const { first, exact } = warmupOf(definition, implementation);
  it.each(validParamSets(definition.params).map((params) => [JSON.stringify(params), params] as const))(
    "with %s",
    (_label, params) => {
      for (const seed of [1, 2]) {
        const length = Math.max(300, first.at(params) + 50);
        const all = toColumns(randomOhlcv(length, seed));
        const inputs = Object.fromEntries(definition.reads.map((name) => [name, all[name]]));
        const series =
          implementation === "talib" && definition.talib
            ? runKernel(definition, definition.talib.kernel, params, inputs, new SeriesMemo())
            : runIndicator(definition, params, inputs);
        if (exact) expect(series.warmup, `seed ${seed}`).toBe(first.at(params));
        else expect(series.warmup ?? length, `seed ${seed}`).toBeGreaterThanOrEqual(first.at(params));
      }
    },
  );
});

// A single-input indicator computed over another source is the indicator computed over that
// series given as its close: for every one of them and each implementation.
describe.each(
  INDICATORS.filter((definition) => readsCloseAlone(definition.reads)).flatMap((definition) =>
    implementationsOf(definition).map(
      (implementation) => [definition.name, implementation, definition] as const,
    ),
  ),
)("%s (%s) over a source", (_name, implementation, definition) => {
  it.each(["high", "hl2", "ohlc4"] as const)("%s is the close replaced by that series", (source) => {
    const all = toColumns(randomOhlcv(300, 17));
    const compute = (params: object, inputs: IndicatorInputs) =>
      computeTask({ indicator: definition.name, implementation, params, columns: inputs }).series;
    const params = definition.params.parse({}) as object;
    const sourced = definition.params.parse({ source }) as object;
    const columns = Object.fromEntries(readsFor(definition, sourced).map((name) => [name, all[name]]));
    expect(compute(sourced, columns)).toEqual(compute(params, { close: sourceSeries(source, all) }));
  });
});
