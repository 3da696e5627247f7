import type { CandleColumn, IndicatorInputs } from "../catalog/definition.js";

/** TA_EPSILON of the TA-Lib the `talib` binding builds (ta_utility.h): 1e-14, not the 1e-8 of older releases. */
export const EPSILON = 1e-14;

/** TA_IS_ZERO: TA-Lib treats |v| < TA_EPSILON as zero before dividing. */
export function isZero(v: number): boolean {
  return v > -EPSILON && v < EPSILON;
}

export function column(inputs: IndicatorInputs, name: CandleColumn): Float64Array {
  const values = inputs[name];
  if (values === undefined) throw new Error(`kernel input "${name}" is missing`);
  return values;
}

/** An output array: NaN (no value) until the kernel writes TA-Lib's first valid index on. */
export function nanArray(length: number): Float64Array {
  return new Float64Array(length).fill(Number.NaN);
}

export function param(params: Readonly<Record<string, number>>, name: string): number {
  const value = params[name];
  if (value === undefined || !Number.isFinite(value))
    throw new Error(`kernel param "${name}" must be a number`);
  return value;
}

export function intParam(params: Readonly<Record<string, number>>, name: string): number {
  const value = param(params, name);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`kernel param "${name}" must be a positive integer`);
  return value;
}
