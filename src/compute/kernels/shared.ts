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
class WindowExtreme {
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

/**
 * For each candle from `period - 1` on, the index of the highest (`max`) or lowest value of the
 * `period` candles ending there (-1 before). Ties take the most recent index, as TA-Lib's AROON does.
 */
export function rollingExtremeIndex(values: Float64Array, period: number, max: boolean): Int32Array {
  const n = values.length;
  const out = new Int32Array(n).fill(-1);
  const window = new WindowExtreme(values, period, max);
  for (let today = 0; today < n; today++) {
    const index = window.push(today, today - period + 1);
    if (today >= period - 1) out[today] = index;
  }
  return out;
}

/** Fast %K: (close - lowest low) / ((highest high - lowest low) / 100), 0 on a flat window; NaN before kPeriod - 1. */
export function fastStochasticK(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  kPeriod: number,
): Float64Array {
  const n = close.length;
  const out = nanArray(n);
  const highest = rollingExtremeIndex(high, kPeriod, true);
  const lowest = rollingExtremeIndex(low, kPeriod, false);
  for (let today = kPeriod - 1; today < n; today++) {
    const lowValue = low[lowest[today] as number] as number;
    const diff = ((high[highest[today] as number] as number) - lowValue) / 100;
    out[today] = diff !== 0 ? ((close[today] as number) - lowValue) / diff : 0;
  }
  return out;
}

/**
 * TA-Lib's SMA of src[from..to] (running sum: total += newest, value = total / period,
 * total -= oldest), written to `dst` at the same indices from `from + period - 1` on.
 * For period 1 TA-Lib's MA is a plain copy.
 */
export function rollingSma(
  src: Float64Array,
  dst: Float64Array,
  from: number,
  to: number,
  period: number,
): void {
  if (period === 1) {
    for (let i = from; i <= to; i++) dst[i] = src[i] as number;
    return;
  }
  let total = 0;
  let trailing = from;
  let i = from;
  for (; i < from + period - 1; i++) total += src[i] as number;
  for (; i <= to; i++) {
    total += src[i] as number;
    const value = total / period;
    total -= src[trailing++] as number;
    dst[i] = value;
  }
}
