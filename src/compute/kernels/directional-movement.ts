import type { IndicatorInputs } from "../../candles/vocabulary.js";
import {
  column,
  highLowClose,
  intParam,
  isZero,
  output,
  trueRange,
  WindowExtreme,
  warmUp,
  wilderKeep,
} from "./shared.js";
import { sharedInto, sharedScratch } from "./shared-series.js";
import type { Kernel } from "./types.js";

/**
 * Kernels of directional movement (contract: types.ts): Wilder's DI, DX, ADX and ADXR, and Aroon.
 */

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

/**
 * Raw DX into `out` from index period on, from Wilder-smoothed +DM, -DM and true range as TA-Lib's
 * DX/ADX/ADXR compute them; NaN where TA-Lib's DX is undefined (zero TR or DI sum). Indices before
 * period are left as they are.
 */
function rawDxInto(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array,
): void {
  const n = close.length;
  let prevMinusDM = 0;
  let prevPlusDM = 0;
  let prevTR = 0;
  let prevHigh = high[0] as number;
  let prevLow = low[0] as number;
  let prevClose = close[0] as number;
  // TA-Lib's `x - x / period`, as a product (see wilderKeep()).
  const keep = 1 - 1 / period;
  for (let today = 1; today < n; today++) {
    const h = high[today] as number;
    const diffP = h - prevHigh;
    prevHigh = h;
    const l = low[today] as number;
    const diffM = prevLow - l;
    prevLow = l;
    const smoothing = today >= period;
    if (smoothing) {
      prevMinusDM *= keep;
      prevPlusDM *= keep;
    }
    if (diffM > 0 && diffP < diffM) prevMinusDM += diffM;
    else if (diffP > 0 && diffP > diffM) prevPlusDM += diffP;
    const tr = trueRange(prevHigh, prevLow, prevClose);
    prevTR = smoothing ? prevTR * keep + tr : prevTR + tr;
    prevClose = close[today] as number;
    if (!smoothing) continue;
    let dx = Number.NaN;
    if (!isZero(prevTR)) {
      const percentOfTR = 100 / prevTR;
      const minusDI = prevMinusDM * percentOfTR;
      const plusDI = prevPlusDM * percentOfTR;
      const sum = minusDI + plusDI;
      if (!isZero(sum)) dx = 100 * (Math.abs(minusDI - plusDI) / sum);
    }
    out[today] = dx;
  }
}

/** DX: first value at index period; where undefined, 0 at the first value and the previous value after. */
export const dx: Kernel = (inputs, params, outputs) => {
  const { high, low, close } = highLowClose(inputs);
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (!warmUp(out, period)) return;
  rawDxInto(high, low, close, period, out);
  const n = close.length;
  let previous = 0;
  for (let i = period; i < n; i++) {
    const value = out[i] as number;
    if (Number.isNaN(value)) out[i] = previous;
    else previous = value;
  }
};

/**
 * Wilder-smoothed DX into `out` from 2*period-1 on (NaN from period until then): TA-Lib sums the
 * DX of indices period..2*period-1 for the seed and skips undefined DX values. The raw DX is
 * written into `out` first and smoothed in place.
 */
function adxInto(inputs: IndicatorInputs, period: number, out: Float64Array): void {
  const { high, low, close } = highLowClose(inputs);
  const n = close.length;
  const first = 2 * period - 1;
  rawDxInto(high, low, close, period, out);
  let sumDX = 0;
  for (let i = period; i <= first; i++) {
    const value = out[i] as number;
    if (!Number.isNaN(value)) sumDX += value;
  }
  let adx = sumDX / period;
  out[first] = adx;
  const keep = wilderKeep(period);
  const share = 1 / period;
  for (let i = first + 1; i < n; i++) {
    const value = out[i] as number;
    if (!Number.isNaN(value)) adx = adx * keep + value * share;
    out[i] = adx;
  }
  out.fill(Number.NaN, 0, first);
}

/** ADX(period) over these inputs; shared by ADX and ADXR. */
function adxKey(period: number): string {
  return `adx:${period}`;
}

export const adx: Kernel = (inputs, params, outputs, shared) => {
  const { high, low, close } = highLowClose(inputs);
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (!warmUp(out, 2 * period - 1)) return;
  sharedInto(shared, adxKey(period), [high, low, close], out, (target) => adxInto(inputs, period, target));
};

export const adxr: Kernel = (inputs, params, outputs, shared) => {
  const { high, low, close } = highLowClose(inputs);
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  const first = 3 * period - 2;
  if (!warmUp(out, first)) return;
  const series = sharedScratch(shared, adxKey(period), [high, low, close], (target) =>
    adxInto(inputs, period, target),
  );
  const n = close.length;
  for (let i = first; i < n; i++) out[i] = ((series[i] as number) + (series[i - (period - 1)] as number)) / 2;
};

/** AROON over period+1 candles; ties take the most recent extreme (TA-Lib's >= / <=). */
export const aroon: Kernel = (inputs, params, outputs) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const period = intParam(params, "period");
  const n = high.length;
  const up = output(outputs, "up");
  const down = output(outputs, "down");
  const factor = 100 / period;
  warmUp(down, period);
  if (!warmUp(up, period)) return;
  const highest = new WindowExtreme(high, period + 1, true);
  const lowest = new WindowExtreme(low, period + 1, false);
  for (let today = 0; today < n; today++) {
    const highIndex = highest.push(today);
    const lowIndex = lowest.push(today);
    if (today < period) continue;
    up[today] = factor * (period - (today - highIndex));
    down[today] = factor * (period - (today - lowIndex));
  }
};

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
