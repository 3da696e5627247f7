import type { CandleInput, IndicatorDefinition, IndicatorInputs } from "./catalog/definition.js";
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

  if (!definition.create) throw new Error(`${definition.name} has no trading-signals implementation`);
  const indicator = definition.create(params as Record<string, unknown>) as {
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

/** Runs a batch kernel; its arrays already hold NaN where there is no value. */
export function runKernel(
  definition: IndicatorDefinition,
  kernel: Kernel,
  params: object,
  inputs: IndicatorInputs,
): IndicatorSeries {
  const produced = kernel(inputs, params as Record<string, number>);
  const outputs: Record<string, Float64Array> = {};
  for (const output of definition.outputs) {
    const values = produced[output.name];
    if (!values) throw new Error(`${definition.name} kernel did not produce ${output.name}`);
    // Kernels may leave an infinity on a division by zero; the response has no such number.
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i] as number)) values[i] = Number.NaN;
    outputs[output.name] = values;
  }
  const first = outputs[definition.outputs[0]?.name as string] as Float64Array;
  let warmup: number | null = null;
  for (let i = 0; i < first.length; i++) {
    if (!Number.isNaN(first[i] as number)) {
      warmup = i;
      break;
    }
  }
  return { outputs, warmup };
}
