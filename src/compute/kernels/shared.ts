import type { CandleColumn, IndicatorInputs } from "../../candles/vocabulary.js";
import type { KernelOutputs } from "./types.js";

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

/** The caller's array for output `name` (see Kernel). */
export function output(outputs: KernelOutputs, name: string): Float64Array {
  const values = outputs[name];
  if (values === undefined) throw new Error(`kernel output "${name}" is missing`);
  return values;
}

/**
 * Writes NaN before `first`, TA-Lib's first valid index; false when the series ends before it
 * (every index is then NaN and the kernel has nothing more to write).
 */
export function warmUp(out: Float64Array, first: number): boolean {
  out.fill(Number.NaN, 0, Math.max(0, first));
  return first < out.length;
}

/** TA-Lib's TRUE_RANGE macro. */
export function trueRange(high: number, low: number, prevClose: number): number {
  let range = high - low;
  const up = Math.abs(prevClose - high);
  if (up > range) range = up;
  const down = Math.abs(prevClose - low);
  if (down > range) range = down;
  return range;
}

export function param(params: Readonly<Record<string, number>>, name: string): number {
  const value = params[name];
  if (value === undefined || !Number.isFinite(value))
    throw new Error(`kernel param "${name}" must be a number`);
  return value;
}

/**
 * A period or other count. Returned as an int32 (`| 0`, exact: the catalog bounds periods far
 * below 2^31) so the kernel's index arithmetic stays integer: `param` returns doubles too
 * (stdDev, volumeFactor), and a period typed as a double makes every `values[i - period]` in a
 * loop convert (measured ~25% slower on SMA).
 */
export function intParam(params: Readonly<Record<string, number>>, name: string): number {
  const value = param(params, name);
  if (!Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1)
    throw new Error(`kernel param "${name}" must be a positive integer`);
  return value | 0;
}

/**
 * Sliding-window extreme as a monotonic deque of indices: O(1) amortized per candle. On ties it
 * keeps the most recent index, as TA-Lib's AROON and AROONOSC do; the kernels that need only the
 * extreme's value use windowExtremeInto, which has no data-dependent loop and is several times faster.
 */
export class WindowExtreme {
  private readonly slots: Int32Array;
  private head = 0;
  private size = 0;

  constructor(
    private readonly values: Float64Array,
    private readonly window: number,
    private readonly max: boolean,
  ) {
    this.slots = new Int32Array(window + 1);
  }

  /** Adds candle `today` (the next index), drops the one leaving the window; the extreme's index. */
  push(today: number): number {
    const { slots, values } = this;
    const capacity = slots.length;
    const value = values[today] as number;
    let head = this.head;
    let size = this.size;
    while (size > 0) {
      let back = head + size - 1;
      if (back >= capacity) back -= capacity;
      const backValue = values[slots[back] as number] as number;
      if (this.max ? backValue <= value : backValue >= value) size--;
      else break;
    }
    let slot = head + size;
    if (slot >= capacity) slot -= capacity;
    slots[slot] = today;
    size++;
    // One candle enters per push, so at most one leaves.
    if ((slots[head] as number) <= today - this.window) {
      head = head + 1 === capacity ? 0 : head + 1;
      size--;
    }
    this.head = head;
    this.size = size;
    return slots[head] as number;
  }
}

/**
 * The highest (`max`) or lowest of the `period` values ending at each index, into out[period-1..]
 * (earlier indices are left as they are). van Herk/Gil-Werman: per block of `period` values, a
 * backward pass stores each suffix extreme where the window starting there ends (out[j+period-1]),
 * and a forward pass combines it with the running prefix extreme of the window's last block.
 * O(1) per value whatever the trend, no scratch array, and no data-dependent loop to mispredict.
 */
export function windowExtremeInto(
  values: Float64Array,
  period: number,
  max: boolean,
  out: Float64Array,
): void {
  const n = values.length;
  const lastStart = n - period;
  for (let blockStart = 0; blockStart <= lastStart; blockStart += period) {
    const blockEnd = Math.min(blockStart + period, n) - 1;
    let extreme = values[blockEnd] as number;
    for (let j = blockEnd; j >= blockStart; j--) {
      const value = values[j] as number;
      if (max ? value > extreme : value < extreme) extreme = value;
      // Only windows that end inside the series are stored.
      if (j <= lastStart) out[j + period - 1] = extreme;
    }
  }
  let prefix = 0;
  for (let i = 0, inBlock = 0; i < n; i++, inBlock++) {
    const value = values[i] as number;
    if (inBlock === period) inBlock = 0;
    if (inBlock === 0 || (max ? value > prefix : value < prefix)) prefix = value;
    if (i < period - 1) continue;
    const suffix = out[i] as number;
    out[i] = (max ? suffix > prefix : suffix < prefix) ? suffix : prefix;
  }
}

/**
 * Fast %K into `out` from kPeriod - 1 on: (close - lowest low) / ((highest high - lowest low) / 100),
 * 0 on a flat window; earlier indices are left as they are. `lowest` is scratch space as long as
 * the series (the highest highs go into `out` itself).
 */
export function fastStochasticK(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  kPeriod: number,
  out: Float64Array,
  lowest: Float64Array,
): void {
  windowExtremeInto(high, kPeriod, true, out);
  windowExtremeInto(low, kPeriod, false, lowest);
  const n = close.length;
  for (let today = kPeriod - 1; today < n; today++) {
    const lowValue = lowest[today] as number;
    const diff = ((out[today] as number) - lowValue) / 100;
    out[today] = diff !== 0 ? ((close[today] as number) - lowValue) / diff : 0;
  }
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
/**
 * Wilder's smoothing, TA-Lib's `(avg * (period - 1) + x) / period`, as
 * `avg * wilderKeep(period) + x * (1 / period)`: the division TA-Lib puts on every candle's
 * dependency chain costs it about 1.5x, and the two forms differ by rounding only (~1e-16
 * relative per step; the smoothing damps it, no drift). A plain number, not an object of both
 * factors: a property read first reached after a hot loop made V8 deoptimize ADX on every call.
 */
export function wilderKeep(period: number): number {
  return (period - 1) / period;
}

export function highLowClose(inputs: IndicatorInputs) {
  return { high: column(inputs, "high"), low: column(inputs, "low"), close: column(inputs, "close") };
}
