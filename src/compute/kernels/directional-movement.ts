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
 * Wilder's directional movement, the one loop of PLUS_DI, MINUS_DI, DX, ADX and ADXR: +DM, -DM and
 * the true range summed over the first period-1 changes, then Wilder-smoothed (as products, see
 * wilderKeep()), as +DI and -DI (times 100; 0 for a zero true range) from index period on. The
 * indices before are left as they are.
 */
function directionalIndicatorsInto(
  inputs: IndicatorInputs,
  period: number,
  plusDI: Float64Array,
  minusDI: Float64Array,
): void {
  const { high, low, close } = highLowClose(inputs);
  const n = close.length;
  let minusDM = 0;
  let plusDM = 0;
  let range = 0;
  let prevHigh = high[0] as number;
  let prevLow = low[0] as number;
  let prevClose = close[0] as number;
  const keep = wilderKeep(period);
  for (let today = 1; today < n; today++) {
    const h = high[today] as number;
    const diffP = h - prevHigh;
    prevHigh = h;
    const l = low[today] as number;
    const diffM = prevLow - l;
    prevLow = l;
    const smoothing = today >= period;
    if (smoothing) {
      minusDM *= keep;
      plusDM *= keep;
    }
    if (diffM > 0 && diffP < diffM) minusDM += diffM;
    else if (diffP > 0 && diffP > diffM) plusDM += diffP;
    const tr = trueRange(h, l, prevClose);
    range = smoothing ? range * keep + tr : range + tr;
    prevClose = close[today] as number;
    if (!smoothing) continue;
    const percentOfTR = isZero(range) ? 0 : 100 / range;
    minusDI[today] = minusDM * percentOfTR;
    plusDI[today] = plusDM * percentOfTR;
  }
}

/**
 * PLUS_DI or MINUS_DI. For period 1 (below the catalog's bounds, kept for parity with the binding)
 * TA-Lib's value is the raw ratio DM / TR, not times 100.
 */
function directionalIndicator(
  inputs: IndicatorInputs,
  params: Parameters<Kernel>[1],
  out: Float64Array,
  plus: boolean,
) {
  const period = intParam(params, "period");
  if (!warmUp(out, period)) return;
  const n = out.length;
  const other = new Float64Array(n);
  if (plus) directionalIndicatorsInto(inputs, period, out, other);
  else directionalIndicatorsInto(inputs, period, other, out);
  if (period === 1) for (let i = 1; i < n; i++) out[i] = (out[i] as number) / 100;
}

export const plusDi: Kernel = (inputs, params, outputs) =>
  directionalIndicator(inputs, params, output(outputs, "value"), true);
export const minusDi: Kernel = (inputs, params, outputs) =>
  directionalIndicator(inputs, params, output(outputs, "value"), false);

/**
 * Raw DX into `out` from index period on, NaN where TA-Lib's DX is undefined (a zero DI sum, which
 * a zero true range gives too); `out` holds +DI first, so only -DI needs memory of its own.
 */
function rawDxInto(inputs: IndicatorInputs, period: number, out: Float64Array): void {
  const n = out.length;
  const minusDI = new Float64Array(n);
  directionalIndicatorsInto(inputs, period, out, minusDI);
  for (let i = period; i < n; i++) {
    const minus = minusDI[i] as number;
    const plus = out[i] as number;
    const sum = minus + plus;
    out[i] = isZero(sum) ? Number.NaN : 100 * (Math.abs(minus - plus) / sum);
  }
}

/** DX: first value at index period; where undefined, 0 at the first value and the previous value after. */
export const dx: Kernel = (inputs, params, outputs) => {
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (!warmUp(out, period)) return;
  rawDxInto(inputs, period, out);
  const n = out.length;
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
  const n = out.length;
  const first = 2 * period - 1;
  rawDxInto(inputs, period, out);
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
