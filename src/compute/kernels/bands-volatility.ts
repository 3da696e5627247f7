import type { IndicatorInputs } from "../../candles/vocabulary.js";
import {
  column,
  EPSILON,
  highLowClose,
  intParam,
  isZero,
  output,
  param,
  trueRange,
  warmUp,
  wilderKeep,
} from "./shared.js";
import { type SharedSeries, sharedInto, sharedScratch } from "./shared-series.js";
import type { Kernel } from "./types.js";

/**
 * Kernels of bands and volatility (contract: types.ts): Bollinger Bands, standard deviation and the true range family.
 */

export const bbands: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const dev = param(params, "stdDev");
  const n = input.length;
  const upper = output(outputs, "upper");
  const middle = output(outputs, "middle");
  const lower = output(outputs, "lower");
  const start = period - 1;
  warmUp(upper, start);
  warmUp(lower, start);
  if (!warmUp(middle, start)) return;
  // TA_MA (SMA) and TA_INT_stddev_using_precalc_ma: the rolling mean and variance of one loop
  // (the upper band holds the variance until the bands are made from it); a variance below
  // TA_EPSILON (TA_IS_ZERO_OR_NEG) gives a deviation of exactly 0.
  rollingVarianceInto(input, period, upper, middle);
  for (let t = start; t < n; t++) {
    const mid = middle[t] as number;
    const variance = upper[t] as number;
    let sd = variance < EPSILON ? 0 : Math.sqrt(variance);
    if (dev !== 1) sd *= dev;
    upper[t] = mid + sd;
    lower[t] = mid - sd;
  }
};

/**
 * TA_INT_VAR's rolling population variance, mean(x^2) - mean(x)^2 from a running sum and sum of
 * squares, into `out` from index period-1 on (VAR's values, STDDEV's and BBANDS' before their
 * square roots), and the rolling mean into `mean` when given (BBANDS' middle band).
 */
function rollingVarianceInto(
  input: Float64Array,
  period: number,
  out: Float64Array,
  mean?: Float64Array,
): void {
  const n = input.length;
  let total1 = 0;
  let total2 = 0;
  let trailing = 0;
  let i = 0;
  if (period > 1) {
    while (i < period - 1) {
      const x = input[i++] as number;
      total1 += x;
      total2 += x * x;
    }
  }
  while (i < n) {
    let x = input[i++] as number;
    total1 += x;
    total2 += x * x;
    const mean1 = total1 / period;
    const mean2 = total2 / period;
    x = input[trailing++] as number;
    total1 -= x;
    total2 -= x * x;
    out[i - 1] = mean2 - mean1 * mean1;
    if (mean) mean[i - 1] = mean1;
  }
}

/** VAR: the rolling population variance (TA-Lib's optInNbDev does not enter it). */
export const variance: Kernel = (inputs, params, outputs) => {
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (warmUp(out, period - 1)) rollingVarianceInto(column(inputs, "close"), period, out);
};

/**
 * AVGDEV: TA-Lib's mean absolute deviation from the window's mean, each window summed anew
 * (O(period) a candle, as TA-Lib does it; the cost model prices it by its window).
 */
export const avgdev: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (!warmUp(out, period - 1)) return;
  const n = input.length;
  for (let today = period - 1; today < n; today++) {
    let total = 0;
    for (let i = today - period + 1; i <= today; i++) total += input[i] as number;
    const mean = total / period;
    let deviation = 0;
    for (let i = today - period + 1; i <= today; i++) deviation += Math.abs((input[i] as number) - mean);
    out[today] = deviation / period;
  }
};

/** STDDEV: sqrt of the rolling variance times nbDev; a variance below TA_EPSILON gives exactly 0. */
export const stddev: Kernel = (inputs, params, outputs) => {
  const period = intParam(params, "period");
  const nbDev = param(params, "stdDev");
  const out = output(outputs, "value");
  if (!warmUp(out, period - 1)) return;
  rollingVarianceInto(column(inputs, "close"), period, out);
  const n = out.length;
  for (let i = period - 1; i < n; i++) {
    const value = out[i] as number;
    out[i] = value < EPSILON ? 0 : nbDev !== 1 ? Math.sqrt(value) * nbDev : Math.sqrt(value);
  }
};

/** True range into `out` from index 1 on (NaN at 0), as TRANGE outputs it; shared by TRANGE, ATR, NATR and ULTOSC. */
function trueRangeInto(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  out: Float64Array,
): Float64Array {
  const n = close.length;
  out[0] = Number.NaN;
  for (let i = 1; i < n; i++) out[i] = trueRange(high[i] as number, low[i] as number, close[i - 1] as number);
  return out;
}

export function sharedTrueRange(inputs: IndicatorInputs, shared: SharedSeries): Float64Array {
  const { high, low, close } = highLowClose(inputs);
  return sharedScratch(shared, "trange", [high, low, close], (target) =>
    trueRangeInto(high, low, close, target),
  );
}

/**
 * TA-Lib's ATR (or, with `normalize`, NATR) from index period on: Wilder's smoothing of the true
 * range. The true range comes from TRANGE's output when the request has one; otherwise it is
 * written into `out` first and smoothed in place (each value is read before it is overwritten),
 * so either way one loop does the smoothing and nothing is allocated.
 */
function averageTrueRange(
  inputs: IndicatorInputs,
  period: number,
  out: Float64Array,
  normalize: boolean,
  shared: SharedSeries,
): void {
  const { high, low, close } = highLowClose(inputs);
  const n = close.length;
  if (!warmUp(out, period)) return;
  // The true-range loop is a function of its own: ahead of the smoothing loop in this one, it got
  // optimized on-stack first and V8 then kept entering that code without feedback for the
  // smoothing loop, deoptimizing on many calls.
  const ranges = shared.find("trange", [high, low, close]) ?? trueRangeInto(high, low, close, out);
  if (period === 1) {
    // TA-Lib returns plain TRANGE for period 1, for NATR too (not normalized by the close).
    if (ranges !== out) out.set(ranges.subarray(1), 1);
    return;
  }
  let sum = 0;
  for (let i = 1; i <= period; i++) sum += ranges[i] as number;
  let atr = sum / period;
  const keep = wilderKeep(period);
  const share = 1 / period;
  const value = (average: number, c: number) => (!normalize ? average : isZero(c) ? 0 : (average / c) * 100);
  out[period] = value(atr, close[period] as number);
  for (let i = period + 1; i < n; i++) {
    atr = atr * keep + (ranges[i] as number) * share;
    out[i] = value(atr, close[i] as number);
  }
  out.fill(Number.NaN, 0, period);
}

export const atr: Kernel = (inputs, params, outputs, shared) =>
  averageTrueRange(inputs, intParam(params, "period"), output(outputs, "value"), false, shared);

export const natr: Kernel = (inputs, params, outputs, shared) =>
  averageTrueRange(inputs, intParam(params, "period"), output(outputs, "value"), true, shared);

export const trange: Kernel = (inputs, _params, outputs, shared) => {
  const { high, low, close } = highLowClose(inputs);
  const out = output(outputs, "value");
  if (!warmUp(out, 1)) return;
  sharedInto(shared, "trange", [high, low, close], out, (target) => trueRangeInto(high, low, close, target));
};
