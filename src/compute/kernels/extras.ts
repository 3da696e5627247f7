import {
  column,
  EPSILON,
  fastStochasticK,
  intParam,
  isZero,
  output,
  param,
  rollingSma,
  trueRange,
  WindowExtreme,
  warmUp,
  windowExtremeInto,
} from "./shared.js";
import type { Kernel } from "./types.js";

/** Kernels for rate of change, rolling statistics, directional indicators and linear regression (contract: types.ts). */

/** ROCP: (price - prev) / prev; TA-Lib writes 0 where prev is exactly 0. */
export const rocp: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const n = input.length;
  const out = output(outputs, "value");
  warmUp(out, period);
  for (let i = period; i < n; i++) {
    const prev = input[i - period] as number;
    out[i] = prev !== 0 ? ((input[i] as number) - prev) / prev : 0;
  }
};

/** ROC: ((price / prev) - 1) * 100; TA-Lib writes 0 where prev is exactly 0. */
export const roc: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const n = input.length;
  const out = output(outputs, "value");
  warmUp(out, period);
  for (let i = period; i < n; i++) {
    const prev = input[i - period] as number;
    out[i] = prev !== 0 ? ((input[i] as number) / prev - 1) * 100 : 0;
  }
};

/**
 * STDDEV: TA_INT_VAR's rolling sum and sum of squares (population variance
 * mean(x^2) - mean(x)^2), then sqrt * nbDev; a variance below TA_EPSILON gives exactly 0.
 */
export const stddev: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const nbDev = param(params, "stdDev");
  const n = input.length;
  const out = output(outputs, "value");
  const start = period - 1;
  if (!warmUp(out, start)) return;
  let total1 = 0;
  let total2 = 0;
  let trailing = 0;
  let i = 0;
  if (period > 1) {
    while (i < start) {
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
    const variance = mean2 - mean1 * mean1;
    if (variance < EPSILON) out[i - 1] = 0;
    else out[i - 1] = nbDev !== 1 ? Math.sqrt(variance) * nbDev : Math.sqrt(variance);
  }
};

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

/** MIDPOINT: (highest + lowest) / 2 of the last `period` closes. */
export const midpoint: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (!warmUp(out, period - 1)) return;
  const n = input.length;
  const lowest = new Float64Array(n);
  windowExtremeInto(input, period, true, out);
  windowExtremeInto(input, period, false, lowest);
  for (let today = period - 1; today < n; today++)
    out[today] = ((out[today] as number) + (lowest[today] as number)) / 2;
};

/**
 * PLUS_DI / MINUS_DI: Wilder-smoothed directional movement over Wilder-smoothed true range, seeded
 * with the plain sums of the first period-1 changes, first value at index period. For period 1
 * TA-Lib writes the raw ratio DM / TR (not times 100) from index 1.
 */
function directionalIndicator(
  inputs: Parameters<Kernel>[0],
  period: number,
  out: Float64Array,
  plus: boolean,
): void {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const n = close.length;
  // TA-Lib's lookback: period, or 1 for period 1.
  if (!warmUp(out, period)) return;
  let prevHigh = high[0] as number;
  let prevLow = low[0] as number;
  let prevClose = close[0] as number;
  if (period <= 1) {
    for (let today = 1; today < n; today++) {
      const h = high[today] as number;
      const diffP = h - prevHigh;
      prevHigh = h;
      const l = low[today] as number;
      const diffM = prevLow - l;
      prevLow = l;
      const moves = plus ? diffP > 0 && diffP > diffM : diffM > 0 && diffP < diffM;
      if (moves) {
        const tr = trueRange(prevHigh, prevLow, prevClose);
        out[today] = isZero(tr) ? 0 : (plus ? diffP : diffM) / tr;
      } else out[today] = 0;
      prevClose = close[today] as number;
    }
    return;
  }
  let prevDM = 0;
  let prevTR = 0;
  for (let today = 1; today < n; today++) {
    const h = high[today] as number;
    const diffP = h - prevHigh;
    prevHigh = h;
    const l = low[today] as number;
    const diffM = prevLow - l;
    prevLow = l;
    const moves = plus ? diffP > 0 && diffP > diffM : diffM > 0 && diffP < diffM;
    const tr = trueRange(prevHigh, prevLow, prevClose);
    prevClose = close[today] as number;
    if (today < period) {
      if (moves) prevDM += plus ? diffP : diffM;
      prevTR += tr;
      continue;
    }
    if (moves) prevDM = prevDM - prevDM / period + (plus ? diffP : diffM);
    else prevDM = prevDM - prevDM / period;
    prevTR = prevTR - prevTR / period + tr;
    out[today] = isZero(prevTR) ? 0 : 100 * (prevDM / prevTR);
  }
}

export const plusDi: Kernel = (inputs, params, outputs) =>
  directionalIndicator(inputs, intParam(params, "period"), output(outputs, "value"), true);
export const minusDi: Kernel = (inputs, params, outputs) =>
  directionalIndicator(inputs, intParam(params, "period"), output(outputs, "value"), false);

/** AROONOSC over period+1 candles: factor * (highestIdx - lowestIdx); ties take the most recent extreme. */
export const aroonosc: Kernel = (inputs, params, outputs) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (!warmUp(out, period)) return;
  const factor = 100 / period;
  const highest = new WindowExtreme(high, period + 1, true);
  const lowest = new WindowExtreme(low, period + 1, false);
  const n = high.length;
  for (let today = 0; today < n; today++) {
    const highIndex = highest.push(today);
    const lowIndex = lowest.push(today);
    if (today >= period) out[today] = factor * (highIndex - lowIndex);
  }
};

/**
 * STOCHF: fast %K over kPeriod candles (0 on a flat window), fast %D its SMA over dPeriod
 * (TA-Lib's default MA type 0; a copy for period 1). Both outputs start at kPeriod - 1 + dPeriod - 1.
 */
export const stochf: Kernel = (inputs, params, outputs) => {
  const close = column(inputs, "close");
  const kPeriod = intParam(params, "kPeriod");
  const dPeriod = intParam(params, "dPeriod");
  const n = close.length;
  const k = output(outputs, "k");
  const d = output(outputs, "d");
  const lookbackTotal = kPeriod - 1 + dPeriod - 1;
  warmUp(d, lookbackTotal);
  if (!warmUp(k, lookbackTotal)) return;
  // Fast %K straight into `k` (from kPeriod - 1; `d` is its scratch space), %D its SMA; then the
  // warm-up is restored in both.
  fastStochasticK(column(inputs, "high"), column(inputs, "low"), close, kPeriod, k, d);
  rollingSma(k, d, kPeriod - 1, n - 1, dPeriod);
  k.fill(Number.NaN, 0, lookbackTotal);
  d.fill(Number.NaN, 0, lookbackTotal);
};

/** Whichever of the LINEARREG family's series a kernel wants; each is written from period-1 on. */
interface RegressionOutputs {
  /** LINEARREG: the line's value at the newest bar, b + m * (period - 1). */
  readonly value?: Float64Array;
  /** TSF: one bar ahead, b + m * period. */
  readonly forecast?: Float64Array;
  readonly slope?: Float64Array;
  readonly intercept?: Float64Array;
}

/**
 * TA-Lib's LINEARREG family over the last `period` closes with x = bars ago (0 = newest): the
 * least-squares slope m and intercept b of each window, run with rolling sums instead of TA-Lib's
 * O(period) loop per output. Rolling sums drift (up to ~1e-8 relative on the slope over thousands
 * of bars), so they are recomputed in TA-Lib's order every `period` bars: amortized O(1), within
 * ~1e-13 of TA-Lib.
 */
function linearRegressionInto(input: Float64Array, period: number, outputs: RegressionOutputs): void {
  const { value, forecast, slope, intercept } = outputs;
  const n = input.length;
  const start = period - 1;
  let room = true;
  for (const out of [value, forecast, slope, intercept]) if (out) room = warmUp(out, start);
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
