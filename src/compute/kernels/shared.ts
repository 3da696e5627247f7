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

/**
 * Sliding-window extreme (max or min) as a monotonic deque of indices in a ring buffer allocated
 * once: O(1) amortized per candle however the window trends (TA-Lib rescans the window whenever its
 * extreme expires, O(period) per candle on a trending series). On ties it keeps the most recent
 * index, as TA-Lib's AROON and AROONOSC do; the others use only the extreme's value.
 */
export class WindowExtreme {
  private readonly slots: Int32Array;
  private head = 0;
  private size = 0;

  constructor(
    private readonly values: Float64Array,
    window: number,
    private readonly max: boolean,
  ) {
    this.slots = new Int32Array(window + 1);
  }

  /** Adds candle `today`, drops candles before `trailing`; returns the extreme's index. */
  push(today: number, trailing: number): number {
    const { slots, values } = this;
    const capacity = slots.length;
    const value = values[today] as number;
    while (this.size > 0) {
      let back = this.head + this.size - 1;
      if (back >= capacity) back -= capacity;
      const backValue = values[slots[back] as number] as number;
      if (this.max ? backValue <= value : backValue >= value) this.size--;
      else break;
    }
    let slot = this.head + this.size;
    if (slot >= capacity) slot -= capacity;
    slots[slot] = today;
    this.size++;
    while ((slots[this.head] as number) < trailing) {
      this.head = this.head + 1 === capacity ? 0 : this.head + 1;
      this.size--;
    }
    return slots[this.head] as number;
  }
}
