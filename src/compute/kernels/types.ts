import type { IndicatorInputs } from "../catalog/definition.js";

/**
 * A TA-Lib-exact batch kernel: reads the Float64Array columns its indicator declares, allocates
 * one Float64Array per output (the catalog's output names), writes TA-Lib's values from TA-Lib's
 * first valid index on, NaN before it. One pass where the math allows, no allocation per candle.
 */
export type Kernel = (
  inputs: IndicatorInputs,
  params: Readonly<Record<string, number>>,
) => Record<string, Float64Array>;
