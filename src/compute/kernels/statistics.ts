import { column, intParam, output, warmUp, windowExtremeInto } from "./shared.js";
import type { Kernel } from "./types.js";

/**
 * Kernels of rolling statistics (contract: types.ts): window extremes and linear regression.
 */

/** MAX / MIN over the last `period` closes (TA-Lib's lookback period - 1). */
function windowExtreme(inputs: Parameters<Kernel>[0], period: number, out: Float64Array, max: boolean): void {
  const input = column(inputs, "close");
  if (!warmUp(out, period - 1)) return;
  windowExtremeInto(input, period, max, out);
}

export const max: Kernel = (inputs, params, outputs) =>
  windowExtreme(inputs, intParam(params, "period"), output(outputs, "value"), true);

export const min: Kernel = (inputs, params, outputs) =>
  windowExtreme(inputs, intParam(params, "period"), output(outputs, "value"), false);

/** (highest of `highs` + lowest of `lows`) / 2 over the last `period` candles, from index period-1 on. */
function midRangeInto(highs: Float64Array, lows: Float64Array, period: number, out: Float64Array): void {
  const n = highs.length;
  const lowest = new Float64Array(n);
  windowExtremeInto(highs, period, true, out);
  windowExtremeInto(lows, period, false, lowest);
  for (let today = period - 1; today < n; today++)
    out[today] = ((out[today] as number) + (lowest[today] as number)) / 2;
}

/** MIDPOINT: (highest + lowest close) / 2 over the last `period` candles. */
export const midpoint: Kernel = (inputs, params, outputs) => {
  const close = column(inputs, "close");
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (warmUp(out, period - 1)) midRangeInto(close, close, period, out);
};

/** MIDPRICE: (highest high + lowest low) / 2 over the last `period` candles. */
export const midprice: Kernel = (inputs, params, outputs) => {
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (warmUp(out, period - 1)) midRangeInto(column(inputs, "high"), column(inputs, "low"), period, out);
};

/** SUM: TA-Lib's running total of the last `period` closes (add the newest, then drop the oldest). */
export const sum: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const n = input.length;
  const out = output(outputs, "value");
  if (!warmUp(out, period - 1)) return;
  let total = 0;
  for (let i = 0; i < period - 1; i++) total += input[i] as number;
  for (let i = period - 1, trailing = 0; i < n; i++, trailing++) {
    total += input[i] as number;
    out[i] = total;
    total -= input[trailing] as number;
  }
};

/** Whichever of the LINEARREG family's series a kernel wants; each is written from period-1 on. */
interface RegressionOutputs {
  /** LINEARREG: the line's value at the newest bar, b + m * (period - 1). */
  readonly value?: Float64Array;
  /** TSF: one bar ahead, b + m * period. */
  readonly forecast?: Float64Array;
  readonly slope?: Float64Array;
  readonly intercept?: Float64Array;
  /** LINEARREG_ANGLE: the slope's angle in degrees. */
  readonly angle?: Float64Array;
}

const DEGREES_PER_RADIAN = 180 / Math.PI;

/**
 * TA-Lib's LINEARREG family over the last `period` closes with x = bars ago (0 = newest): the
 * least-squares slope m and intercept b of each window, run with rolling sums instead of TA-Lib's
 * O(period) loop per output. Rolling sums drift (up to ~1e-8 relative on the slope over thousands
 * of bars), so they are recomputed in TA-Lib's order every `period` bars: amortized O(1), within
 * ~1e-13 of TA-Lib.
 */
function linearRegressionInto(input: Float64Array, period: number, outputs: RegressionOutputs): void {
  const { value, forecast, slope, intercept, angle } = outputs;
  const n = input.length;
  const start = period - 1;
  let room = true;
  for (const out of [value, forecast, slope, intercept, angle]) if (out) room = warmUp(out, start);
  if (!room) return;
  const sumX = period * (period - 1) * 0.5;
  const sumXSqr = (period * (period - 1) * (2 * period - 1)) / 6;
  const divisor = sumX * sumX - period * sumXSqr;
  // sumXY = sum over the window of (bars ago) * close; sumY = sum of the window's closes.
  let sumY = 0;
  let sumXY = 0;
  for (let i = 0; i < start; i++) {
    sumXY += sumY;
    sumY += input[i] as number;
  }
  for (let t = start; t < n; t++) {
    if (t > start && (t - start) % period === 0) {
      sumY = 0;
      sumXY = 0;
      for (let i = period - 1; i >= 0; i--) {
        const x = input[t - i] as number;
        sumY += x;
        sumXY += i * x;
      }
    } else {
      sumXY += sumY;
      sumY += input[t] as number;
      if (t > start) {
        const old = input[t - period] as number;
        sumXY -= period * old;
        sumY -= old;
      }
    }
    const m = (period * sumXY - sumX * sumY) / divisor;
    const b = (sumY - m * sumX) / period;
    if (slope) slope[t] = m;
    if (intercept) intercept[t] = b;
    if (value) value[t] = b + m * (period - 1);
    if (forecast) forecast[t] = b + m * period;
    if (angle) angle[t] = Math.atan(m) * DEGREES_PER_RADIAN;
  }
}

export const linearreg: Kernel = (inputs, params, outputs) =>
  linearRegressionInto(column(inputs, "close"), intParam(params, "period"), {
    value: output(outputs, "value"),
    forecast: output(outputs, "forecast"),
    slope: output(outputs, "slope"),
    intercept: output(outputs, "intercept"),
  });

export const linearregSlope: Kernel = (inputs, params, outputs) =>
  linearRegressionInto(column(inputs, "close"), intParam(params, "period"), {
    slope: output(outputs, "value"),
  });

export const tsf: Kernel = (inputs, params, outputs) =>
  linearRegressionInto(column(inputs, "close"), intParam(params, "period"), {
    forecast: output(outputs, "value"),
  });

export const linearregIntercept: Kernel = (inputs, params, outputs) =>
  linearRegressionInto(column(inputs, "close"), intParam(params, "period"), {
    intercept: output(outputs, "value"),
  });

export const linearregAngle: Kernel = (inputs, params, outputs) =>
  linearRegressionInto(column(inputs, "close"), intParam(params, "period"), {
    angle: output(outputs, "value"),
  });
