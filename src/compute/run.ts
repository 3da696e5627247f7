import type { CandleColumn, CandleInput, IndicatorInputs } from "../candles/vocabulary.js";
import type { IndicatorDefinition } from "./catalog/definition.js";
import type { SharedSeries } from "./kernels/shared-series.js";
import type { Kernel } from "./kernels/types.js";

/** One indicator's full-length result; NaN marks "no value" (serialized as null). */
export interface IndicatorSeries {
  readonly outputs: Readonly<Record<string, Float64Array>>;
  /** Index of the first candle with a value; null when the series is shorter than the warm-up. */
  readonly warmup: number | null;
}

/**
 * Streams the candles through a fresh trading-signals instance. A value counts only once the
 * indicator reports `isStable`: EMA, DEMA, RMA and others return numbers before that, and a
 * null check alone would leak their unseeded values.
 */
export function runIndicator(
  definition: IndicatorDefinition,
  params: object,
  inputs: IndicatorInputs,
): IndicatorSeries {
  const readColumns = definition.reads.map((name) => {
    const column = inputs[name];
    if (!column) throw new Error(`${definition.name} reads the ${name} column, which is missing`);
    return [name, column] as const;
  });
  const [first] = readColumns;
  if (!first) throw new Error(`${definition.name} declares no columns`);
  const valueColumn = first[1];
  const length = valueColumn.length;
  const feedsCandles = definition.input === "candle";

  const outputs: Record<string, Float64Array> = {};
  const targets = definition.outputs.map((output) => {
    const values = new Float64Array(length).fill(Number.NaN);
    outputs[output.name] = values;
    return { key: output.key, values };
  });

  const create = definition.tradingSignals?.create;
  if (!create) throw new Error(`${definition.name} has no trading-signals implementation`);
  const indicator = create(params as Record<string, unknown>) as {
    update(input: unknown, replace: boolean): unknown;
    readonly isStable: boolean;
  };
  let warmup: number | null = null;
  for (let i = 0; i < length; i++) {
    let input: unknown;
    if (feedsCandles) {
      const candle: CandleInput = {};
      for (const [name, column] of readColumns) candle[name] = column[i] as number;
      input = candle;
    } else {
      input = valueColumn[i];
    }
    const result = indicator.update(input, false);
    if (result === null || result === undefined || !indicator.isStable) continue;
    if (warmup === null) warmup = i;
    for (const target of targets) {
      const value =
        target.key === undefined ? (result as number) : (result as Record<string, number>)[target.key];
      target.values[i] = typeof value === "number" && Number.isFinite(value) ? value : Number.NaN;
    }
  }
  return { outputs, warmup };
}

/**
 * Runs a batch kernel into fresh output arrays (they become the result, so they cannot be reused).
 * An infinity a kernel leaves on a division by zero is serialized as null, like NaN.
 */
export function runKernel(
  definition: IndicatorDefinition,
  kernel: Kernel,
  params: object,
  inputs: IndicatorInputs,
  shared: SharedSeries,
): IndicatorSeries {
  const length = inputs[definition.reads[0] as CandleColumn]?.length ?? 0;
  const outputs: Record<string, Float64Array> = {};
  for (const output of definition.outputs) outputs[output.name] = new Float64Array(length);
  kernel(inputs, params as Record<string, number>, outputs, shared);
  const first = outputs[definition.outputs[0]?.name as string] as Float64Array;
  let warmup: number | null = null;
  for (let i = 0; i < first.length; i++) {
    if (Number.isFinite(first[i] as number)) {
      warmup = i;
      break;
    }
  }
  return { outputs, warmup };
}
