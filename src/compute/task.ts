import type { IndicatorInputs } from "../candles/vocabulary.js";
import type { Implementation } from "./catalog/definition.js";
import { findIndicator } from "./catalog/index.js";
import { inputsFor } from "./catalog/source.js";
import { SeriesMemo, type SharedSeries } from "./kernels/shared-series.js";
import { type IndicatorSeries, runIndicator, runKernel } from "./run.js";
import { valuesBytes } from "./serialize.js";

/** What crosses into a worker thread: plain data only (definitions hold functions). */
export interface ComputeTask {
  readonly indicator: string;
  readonly implementation: Implementation;
  readonly params: object;
  readonly columns: IndicatorInputs;
}

export interface ComputedResult {
  readonly series: IndicatorSeries;
  /** The full-length `values` JSON as bytes, made where the computation ran (off the event loop in the pool). */
  readonly valuesBytes: Buffer;
}

/**
 * The units of one request hold the same column arrays, so the ones computed on this thread share
 * intermediate series (see SharedSeries); entries go when the columns do.
 */
const sharedSeries = new SeriesMemo();

/** The unit's series, its JSON aside. `shared`: the thread's memo; a caller that computes the same columns over and over (a benchmark) passes NO_SHARING. */
export function computeSeries(task: ComputeTask, shared: SharedSeries = sharedSeries): IndicatorSeries {
  const definition = findIndicator(task.indicator);
  if (!definition) throw new Error(`unknown indicator ${task.indicator}`);
  const kernel = task.implementation === "talib" ? definition.talib?.kernel : undefined;
  if (task.implementation === "talib" && !kernel) throw new Error(`${task.indicator} has no talib kernel`);
  return kernel
    ? runKernel(definition, kernel, task.params, inputsFor(task.params, task.columns), shared)
    : runIndicator(definition, task.params, inputsFor(task.params, task.columns));
}

export function computeTask(task: ComputeTask, shared: SharedSeries = sharedSeries): ComputedResult {
  const series = computeSeries(task, shared);
  return { series, valuesBytes: valuesBytes(series) };
}
