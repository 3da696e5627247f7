import { column, intParam, isZero, output, param, warmUp } from "./shared.js";
import { type SharedSeries, sharedInto, sharedScratch } from "./shared-series.js";
import type { Kernel } from "./types.js";

/**
 * Kernels of the moving averages (contract: types.ts). TA-Lib rejects periods below 2 for most of these; the catalog allows 1
 * and the kernels then return the natural limit (the close), which TA-Lib cannot confirm. Where rounding is all that
 * differs and no later step amplifies it, SMA reorders operations to shorten the per-candle dependency chain.
 */

/**
 * TA_INT_EMA over in[from..]: seeded at index `seedAt` (>= from+period-1) with the SMA of the
 * `period` values ending there, then prev = (x - prev)*k + prev. Writes out[seedAt..].
 */
export function emaInto(
  input: Float64Array,
  seedAt: number,
  period: number,
  k: number,
  out: Float64Array,
): void {
  const n = input.length;
  if (seedAt >= n) return;
  let sum = 0;
  for (let i = seedAt - period + 1; i <= seedAt; i++) sum += input[i] as number;
  let prev = sum / period;
  out[seedAt] = prev;
  for (let i = seedAt + 1; i < n; i++) {
    prev = ((input[i] as number) - prev) * k + prev;
    out[i] = prev;
  }
}

/** TA_EMA of the close: seeded at period-1. */
function closeEmaInto(close: Float64Array, period: number, out: Float64Array): void {
  emaInto(close, period - 1, period, 2 / (period + 1), out);
}

/** EMA(period) of the close, shared by EMA, DEMA, TEMA and TRIX. */
function closeEma(close: Float64Array, period: number, shared: SharedSeries): Float64Array {
  return sharedScratch(shared, `ema:${period}`, [close], (target) => closeEmaInto(close, period, target));
}

/** The EMA of closeEma seeded at 2*(period-1), TEMA's and TRIX's second stage. */
export function closeEma2(close: Float64Array, period: number, shared: SharedSeries): Float64Array {
  const e1 = closeEma(close, period, shared);
  return sharedScratch(shared, `ema2:${period}`, [close], (target) =>
    emaInto(e1, 2 * (period - 1), period, 2 / (period + 1), target),
  );
}

/**
 * TA_SMA's running sum, updated as total += (newest - oldest) where TA-Lib adds the newest and
 * then subtracts the oldest: one addition on the dependency chain instead of two (~25% faster),
 * the same value to rounding (~1e-16 relative per step). BBANDS keeps TA-Lib's order for its
 * middle band, whose square its variance subtracts, so the two are not shared.
 */
export const sma: Kernel = (inputs, params, outputs) => {
  const close = column(inputs, "close");
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  const start = period - 1;
  if (!warmUp(out, start)) return;
  if (period === 1) {
    // Exactly the close (TA-Lib's MA of period 1 is a copy); (newest - oldest) would round it.
    out.set(close);
    return;
  }
  const n = close.length;
  let total = 0;
  for (let i = 0; i <= start; i++) total += close[i] as number;
  out[start] = total / period;
  for (let i = period; i < n; i++) {
    total += (close[i] as number) - (close[i - period] as number);
    out[i] = total / period;
  }
};

export const ema: Kernel = (inputs, params, outputs, shared) => {
  const close = column(inputs, "close");
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (!warmUp(out, period - 1)) return;
  sharedInto(shared, `ema:${period}`, [close], out, (target) => closeEmaInto(close, period, target));
};

export const wma: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const n = input.length;
  const out = output(outputs, "value");
  const start = period - 1;
  if (!warmUp(out, start)) return;
  const divider = (period * (period + 1)) / 2;
  let periodSum = 0;
  let periodSub = 0;
  let inIdx = 0;
  let trailingIdx = 0;
  for (let w = 1; inIdx < start; w++) {
    const x = input[inIdx++] as number;
    periodSub += x;
    periodSum += x * w;
  }
  let trailingValue = 0;
  while (inIdx < n) {
    const x = input[inIdx++] as number;
    periodSub += x;
    periodSub -= trailingValue;
    periodSum += x * period;
    trailingValue = input[trailingIdx++] as number;
    out[inIdx - 1] = periodSum / divider;
    periodSum -= periodSub;
  }
};

export const trima: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const n = input.length;
  const out = output(outputs, "value");
  const start = period - 1;
  if (!warmUp(out, start)) return;
  if (period === 1) {
    out.set(input);
    return;
  }
  const odd = period % 2 === 1;
  const half = period >> 1;
  const factor = 1 / (odd ? (half + 1) * (half + 1) : half * (half + 1));
  let trailingIdx = 0;
  let middleIdx = odd ? half : half - 1;
  let todayIdx = middleIdx + half;
  let numerator = 0;
  let numeratorSub = 0;
  for (let i = middleIdx; i >= trailingIdx; i--) {
    numeratorSub += input[i] as number;
    numerator += numeratorSub;
  }
  let numeratorAdd = 0;
  middleIdx++;
  for (let i = middleIdx; i <= todayIdx; i++) {
    numeratorAdd += input[i] as number;
    numerator += numeratorAdd;
  }
  let temp = input[trailingIdx++] as number;
  out[todayIdx] = numerator * factor;
  todayIdx++;
  while (todayIdx < n) {
    numerator -= numeratorSub;
    numeratorSub -= temp;
    temp = input[middleIdx++] as number;
    numeratorSub += temp;
    if (odd) {
      numerator += numeratorAdd;
      numeratorAdd -= temp;
    } else {
      numeratorAdd -= temp;
      numerator += numeratorAdd;
    }
    temp = input[todayIdx++] as number;
    numeratorAdd += temp;
    numerator += temp;
    temp = input[trailingIdx++] as number;
    out[todayIdx - 1] = numerator * factor;
  }
};

export const dema: Kernel = (inputs, params, outputs, shared) => {
  const close = column(inputs, "close");
  const period = intParam(params, "period");
  const n = close.length;
  const out = output(outputs, "value");
  const start = 2 * (period - 1);
  if (!warmUp(out, start)) return;
  const e1 = closeEma(close, period, shared);
  // The second EMA reads e1 from period-1 on, seeded at 2*(period-1); it is written into `out`.
  emaInto(e1, start, period, 2 / (period + 1), out);
  for (let i = start; i < n; i++) out[i] = 2 * (e1[i] as number) - (out[i] as number);
};

export const tema: Kernel = (inputs, params, outputs, shared) => {
  const close = column(inputs, "close");
  const period = intParam(params, "period");
  const n = close.length;
  const out = output(outputs, "value");
  const start = 3 * (period - 1);
  if (!warmUp(out, start)) return;
  const e1 = closeEma(close, period, shared);
  const e2 = closeEma2(close, period, shared);
  emaInto(e2, start, period, 2 / (period + 1), out);
  for (let i = start; i < n; i++) {
    out[i] = (out[i] as number) + (3 * (e1[i] as number) - 3 * (e2[i] as number));
  }
};

export const t3: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const v = param(params, "volumeFactor");
  const n = input.length;
  const out = output(outputs, "value");
  if (!warmUp(out, 6 * (period - 1))) return;
  const k = 2 / (period + 1);
  const k1 = 1 - k;
  let today = 0;
  let sum = input[today++] as number;
  for (let i = period - 1; i > 0; i--) sum += input[today++] as number;
  let e1 = sum / period;
  sum = e1;
  for (let i = period - 1; i > 0; i--) {
    e1 = k * (input[today++] as number) + k1 * e1;
    sum += e1;
  }
  let e2 = sum / period;
  sum = e2;
  for (let i = period - 1; i > 0; i--) {
    e1 = k * (input[today++] as number) + k1 * e1;
    e2 = k * e1 + k1 * e2;
    sum += e2;
  }
  let e3 = sum / period;
  sum = e3;
  for (let i = period - 1; i > 0; i--) {
    e1 = k * (input[today++] as number) + k1 * e1;
    e2 = k * e1 + k1 * e2;
    e3 = k * e2 + k1 * e3;
    sum += e3;
  }
  let e4 = sum / period;
  sum = e4;
  for (let i = period - 1; i > 0; i--) {
    e1 = k * (input[today++] as number) + k1 * e1;
    e2 = k * e1 + k1 * e2;
    e3 = k * e2 + k1 * e3;
    e4 = k * e3 + k1 * e4;
    sum += e4;
  }
  let e5 = sum / period;
  sum = e5;
  for (let i = period - 1; i > 0; i--) {
    e1 = k * (input[today++] as number) + k1 * e1;
    e2 = k * e1 + k1 * e2;
    e3 = k * e2 + k1 * e3;
    e4 = k * e3 + k1 * e4;
    e5 = k * e4 + k1 * e5;
    sum += e5;
  }
  let e6 = sum / period;
  const v2 = v * v;
  const c1 = -(v2 * v);
  const c2 = 3 * (v2 - c1);
  const c3 = -6 * v2 - 3 * (v - c1);
  const c4 = 1 + 3 * v - c1 + 3 * v2;
  out[today - 1] = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3;
  while (today < n) {
    e1 = k * (input[today++] as number) + k1 * e1;
    e2 = k * e1 + k1 * e2;
    e3 = k * e2 + k1 * e3;
    e4 = k * e3 + k1 * e4;
    e5 = k * e4 + k1 * e5;
    e6 = k * e5 + k1 * e6;
    out[today - 1] = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3;
  }
};

export const kama: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const n = input.length;
  const out = output(outputs, "value");
  if (!warmUp(out, period)) return;
  const constMax = 2 / (30 + 1);
  const constDiff = 2 / (2 + 1) - constMax;
  let sumRoc1 = 0;
  let today = 0;
  let trailingIdx = 0;
  for (let i = period; i-- > 0; ) {
    const x = input[today++] as number;
    sumRoc1 += Math.abs(x - (input[today] as number));
  }
  let prevKama = input[today - 1] as number;
  let trailingValue = 0;
  let first = true;
  while (today < n) {
    const x = input[today] as number;
    const old = input[trailingIdx++] as number;
    const periodRoc = x - old;
    if (!first) {
      sumRoc1 -= Math.abs(trailingValue - old);
      sumRoc1 += Math.abs(x - (input[today - 1] as number));
    }
    first = false;
    trailingValue = old;
    let sc = sumRoc1 <= periodRoc || isZero(sumRoc1) ? 1 : Math.abs(periodRoc / sumRoc1);
    sc = sc * constDiff + constMax;
    sc *= sc;
    prevKama = ((input[today++] as number) - prevKama) * sc + prevKama;
    out[today - 1] = prevKama;
  }
};
