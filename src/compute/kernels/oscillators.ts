import type { IndicatorInputs } from "../../candles/vocabulary.js";
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
import { type SharedSeries, sharedInto, sharedScratch } from "./shared-series.js";
import type { Kernel } from "./types.js";

/**
 * Kernels for oscillators, true range and volume indicators (contract: types.ts). ATR and the ADX
 * family smooth with products instead of TA-Lib's divisions (see wilderKeep()).
 */

/**
 * Wilder's smoothing, TA-Lib's `(avg * (period - 1) + x) / period`, as
 * `avg * wilderKeep(period) + x * (1 / period)`: the division TA-Lib puts on every candle's
 * dependency chain costs it about 1.5x, and the two forms differ by rounding only (~1e-16
 * relative per step; the smoothing damps it, no drift). A plain number, not an object of both
 * factors: a property read first reached after a hot loop made V8 deoptimize ADX on every call.
 */
function wilderKeep(period: number): number {
  return (period - 1) / period;
}

/**
 * RSI and CMO: Wilder-smoothed average gain and loss, seeded with the plain averages of the first
 * period changes; RSI = 100 * gain / (gain + loss), CMO = 100 * (gain - loss) / (gain + loss), 0 on
 * a flat window. TA-Lib's exact operations, division included (not wilderKeep()): STOCHRSI's
 * stochastic of the RSI turns a one-ulp difference between two nearly equal RSI values into a jump
 * of up to 100.
 */
function gainLossOscillatorInto(close: Float64Array, period: number, out: Float64Array, cmo: boolean): void {
  const n = close.length;
  const oscillator = (gain: number, loss: number) => {
    const total = gain + loss;
    if (isZero(total)) return 0;
    return cmo ? 100 * ((gain - loss) / total) : 100 * (gain / total);
  };
  let prevValue = close[0] as number;
  let prevGain = 0;
  let prevLoss = 0;
  for (let today = 1; today <= period; today++) {
    const value = close[today] as number;
    const change = value - prevValue;
    prevValue = value;
    if (change < 0) prevLoss -= change;
    else prevGain += change;
  }
  prevLoss /= period;
  prevGain /= period;
  out[period] = oscillator(prevGain, prevLoss);
  for (let today = period + 1; today < n; today++) {
    const value = close[today] as number;
    const change = value - prevValue;
    prevValue = value;
    prevLoss *= period - 1;
    prevGain *= period - 1;
    if (change < 0) prevLoss -= change;
    else prevGain += change;
    prevLoss /= period;
    prevGain /= period;
    out[today] = oscillator(prevGain, prevLoss);
  }
}

function rsiInto(close: Float64Array, period: number, out: Float64Array): void {
  gainLossOscillatorInto(close, period, out, false);
}

export const rsi: Kernel = (inputs, params, outputs, shared) => {
  const close = column(inputs, "close");
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (!warmUp(out, period)) return;
  sharedInto(shared, `rsi:${period}`, [close], out, (target) => rsiInto(close, period, target));
};

export const cmo: Kernel = (inputs, params, outputs) => {
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (warmUp(out, period)) gainLossOscillatorInto(column(inputs, "close"), period, out, true);
};

/**
 * STOCHRSI: TA-Lib's STOCHF over the RSI(period) series (the RSI as high, low and close): fast %K
 * over kPeriod (0 on a flat window), %D its SMA over dPeriod; both start at period + kPeriod - 1 +
 * dPeriod - 1. The stochastic runs on views from the RSI's first value, so no NaN enters its
 * windows; `d` is its scratch space until %D is written.
 */
export const stochrsi: Kernel = (inputs, params, outputs, shared) => {
  const close = column(inputs, "close");
  const period = intParam(params, "period");
  const kPeriod = intParam(params, "kPeriod");
  const dPeriod = intParam(params, "dPeriod");
  const k = output(outputs, "k");
  const d = output(outputs, "d");
  const start = period + kPeriod - 1 + dPeriod - 1;
  warmUp(d, start);
  if (!warmUp(k, start)) return;
  const rsiValues = sharedScratch(shared, `rsi:${period}`, [close], (target) =>
    rsiInto(close, period, target),
  ).subarray(period);
  const kFromRsi = k.subarray(period);
  const dFromRsi = d.subarray(period);
  fastStochasticK(rsiValues, rsiValues, rsiValues, kPeriod, kFromRsi, dFromRsi);
  rollingSma(kFromRsi, dFromRsi, kPeriod - 1, rsiValues.length - 1, dPeriod);
  k.fill(Number.NaN, 0, start);
  d.fill(Number.NaN, 0, start);
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

function sharedTrueRange(inputs: IndicatorInputs, shared: SharedSeries): Float64Array {
  const { high, low, close } = directionalInputs(inputs);
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
  const { high, low, close } = directionalInputs(inputs);
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
  const { high, low, close } = directionalInputs(inputs);
  const out = output(outputs, "value");
  if (!warmUp(out, 1)) return;
  sharedInto(shared, "trange", [high, low, close], out, (target) => trueRangeInto(high, low, close, target));
};

/** STOCH with SMA smoothing for slow %K and %D (TA-Lib's default MA type 0). */
export const stoch: Kernel = (inputs, params, outputs) => {
  const { high, low, close } = directionalInputs(inputs);
  const kPeriod = intParam(params, "kPeriod");
  const kSlowing = intParam(params, "kSlowingPeriod");
  const dPeriod = intParam(params, "dPeriod");
  const n = close.length;
  const k = output(outputs, "k");
  const d = output(outputs, "d");
  const lookbackK = kPeriod - 1;
  const lookbackTotal = lookbackK + kSlowing - 1 + dPeriod - 1;
  warmUp(d, lookbackTotal);
  if (!warmUp(k, lookbackTotal)) return;
  // Fast %K (index = candle index) into a scratch array, its SMA (slow %K, valid from
  // lookbackK + kSlowing - 1) into `k`, the SMA of that into `d`; both outputs start at lookbackTotal.
  const fastK = new Float64Array(n);
  fastStochasticK(high, low, close, kPeriod, fastK, k);
  rollingSma(fastK, k, lookbackK, n - 1, kSlowing);
  rollingSma(k, d, lookbackK + kSlowing - 1, n - 1, dPeriod);
  k.fill(Number.NaN, 0, lookbackTotal);
};

export const willr: Kernel = (inputs, params, outputs) => {
  const { high, low, close } = directionalInputs(inputs);
  const period = intParam(params, "period");
  const n = close.length;
  const out = output(outputs, "value");
  if (!warmUp(out, period - 1)) return;
  // The highest highs go into `out`, the lowest lows into a scratch array.
  const lowest = new Float64Array(n);
  windowExtremeInto(high, period, true, out);
  windowExtremeInto(low, period, false, lowest);
  for (let today = period - 1; today < n; today++) {
    const highValue = out[today] as number;
    const lowValue = lowest[today] as number;
    const diff = (highValue - lowValue) / -100;
    out[today] = diff !== 0 ? (highValue - (close[today] as number)) / diff : 0;
  }
};

/** CCI: the mean deviation needs the whole window each step, as in TA-Lib (circular buffer, same summation order). */
export const cci: Kernel = (inputs, params, outputs) => {
  const { high, low, close } = directionalInputs(inputs);
  const period = intParam(params, "period");
  const n = close.length;
  const out = output(outputs, "value");
  const lookback = period - 1;
  if (!warmUp(out, lookback)) return;
  const buffer = new Float64Array(period);
  let slot = 0;
  let i = 0;
  for (; i < lookback; i++) {
    buffer[slot] = ((high[i] as number) + (low[i] as number) + (close[i] as number)) / 3;
    slot = slot + 1 === period ? 0 : slot + 1;
  }
  for (; i < n; i++) {
    const last = ((high[i] as number) + (low[i] as number) + (close[i] as number)) / 3;
    buffer[slot] = last;
    let average = 0;
    for (let j = 0; j < period; j++) average += buffer[j] as number;
    average /= period;
    let deviation = 0;
    for (let j = 0; j < period; j++) deviation += Math.abs((buffer[j] as number) - average);
    const distance = last - average;
    out[i] = distance !== 0 && deviation !== 0 ? distance / (0.015 * (deviation / period)) : 0;
    slot = slot + 1 === period ? 0 : slot + 1;
  }
};

/** MFI: rolling positive/negative money-flow sums over a circular buffer; 0 when the total flow is below 1. */
export const mfi: Kernel = (inputs, params, outputs) => {
  const { high, low, close } = directionalInputs(inputs);
  const volume = column(inputs, "volume");
  const period = intParam(params, "period");
  const n = close.length;
  const out = output(outputs, "value");
  if (!warmUp(out, period)) return;
  const positive = new Float64Array(period);
  const negative = new Float64Array(period);
  let slot = 0;
  let posSum = 0;
  let negSum = 0;
  let prevValue = ((high[0] as number) + (low[0] as number) + (close[0] as number)) / 3;
  for (let today = 1; today < n; today++) {
    if (today > period) {
      posSum -= positive[slot] as number;
      negSum -= negative[slot] as number;
    }
    const typical = ((high[today] as number) + (low[today] as number) + (close[today] as number)) / 3;
    const change = typical - prevValue;
    prevValue = typical;
    const flow = typical * (volume[today] as number);
    if (change < 0) {
      negative[slot] = flow;
      negSum += flow;
      positive[slot] = 0;
    } else if (change > 0) {
      positive[slot] = flow;
      posSum += flow;
      negative[slot] = 0;
    } else {
      positive[slot] = 0;
      negative[slot] = 0;
    }
    if (today >= period) {
      const total = posSum + negSum;
      out[today] = total < 1 ? 0 : 100 * (posSum / total);
    }
    slot = slot + 1 === period ? 0 : slot + 1;
  }
};

/** OBV: TA-Lib starts the running total at volume[0]. */
export const obv: Kernel = (inputs, _params, outputs) => {
  const close = column(inputs, "close");
  const volume = column(inputs, "volume");
  const n = close.length;
  const out = output(outputs, "value");
  if (n === 0) return;
  let total = volume[0] as number;
  let prev = close[0] as number;
  for (let i = 0; i < n; i++) {
    const value = close[i] as number;
    if (value > prev) total += volume[i] as number;
    else if (value < prev) total -= volume[i] as number;
    out[i] = total;
    prev = value;
  }
};

/** One step of TA-Lib's accumulation/distribution line. */
function adStep(ad: number, high: number, low: number, close: number, volume: number): number {
  const range = high - low;
  return range > 0 ? ad + ((close - low - (high - close)) / range) * volume : ad;
}

export const ad: Kernel = (inputs, _params, outputs) => {
  const { high, low, close } = directionalInputs(inputs);
  const volume = column(inputs, "volume");
  const n = close.length;
  const out = output(outputs, "value");
  let total = 0;
  for (let i = 0; i < n; i++) {
    total = adStep(total, high[i] as number, low[i] as number, close[i] as number, volume[i] as number);
    out[i] = total;
  }
};

/** ADOSC: fast EMA - slow EMA of the A/D line, both seeded with the first A/D value (not an SMA). */
export const adosc: Kernel = (inputs, params, outputs) => {
  const { high, low, close } = directionalInputs(inputs);
  const volume = column(inputs, "volume");
  const fastPeriod = intParam(params, "fastPeriod");
  const slowPeriod = intParam(params, "slowPeriod");
  const n = close.length;
  const out = output(outputs, "value");
  const lookback = Math.max(fastPeriod, slowPeriod) - 1;
  if (!warmUp(out, lookback)) return;
  const fastK = 2 / (fastPeriod + 1);
  const slowK = 2 / (slowPeriod + 1);
  const fastKeep = 1 - fastK;
  const slowKeep = 1 - slowK;
  let total = adStep(0, high[0] as number, low[0] as number, close[0] as number, volume[0] as number);
  let fast = total;
  let slow = total;
  for (let i = 1; i < n; i++) {
    total = adStep(total, high[i] as number, low[i] as number, close[i] as number, volume[i] as number);
    fast = fastK * total + fastKeep * fast;
    slow = slowK * total + slowKeep * slow;
    if (i >= lookback) out[i] = fast - slow;
  }
  if (lookback === 0) out[0] = fast - slow;
};

export const bop: Kernel = (inputs, _params, outputs) => {
  const open = column(inputs, "open");
  const { high, low, close } = directionalInputs(inputs);
  const n = close.length;
  const out = output(outputs, "value");
  for (let i = 0; i < n; i++) {
    const range = (high[i] as number) - (low[i] as number);
    out[i] = range < EPSILON ? 0 : ((close[i] as number) - (open[i] as number)) / range;
  }
};

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

function directionalInputs(inputs: IndicatorInputs) {
  return { high: column(inputs, "high"), low: column(inputs, "low"), close: column(inputs, "close") };
}

/** DX: first value at index period; where undefined, 0 at the first value and the previous value after. */
export const dx: Kernel = (inputs, params, outputs) => {
  const { high, low, close } = directionalInputs(inputs);
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
  const { high, low, close } = directionalInputs(inputs);
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
  const { high, low, close } = directionalInputs(inputs);
  const period = intParam(params, "period");
  const out = output(outputs, "value");
  if (!warmUp(out, 2 * period - 1)) return;
  sharedInto(shared, adxKey(period), [high, low, close], out, (target) => adxInto(inputs, period, target));
};

export const adxr: Kernel = (inputs, params, outputs, shared) => {
  const { high, low, close } = directionalInputs(inputs);
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

/**
 * ULTOSC: TA-Lib sorts the periods, weighting the shortest 4 and the longest 1. With all three
 * periods 1, TA-Lib's lookback comes out as 0 and its value at index 0 reads close[-1] (outside
 * the series); this kernel starts at index 1 there and matches TA-Lib from then on.
 */
export const ultosc: Kernel = (inputs, params, outputs, shared) => {
  const { low, close } = directionalInputs(inputs);
  const sorted = [
    intParam(params, "shortPeriod"),
    intParam(params, "mediumPeriod"),
    intParam(params, "longPeriod"),
  ].sort((a, b) => a - b);
  const p1 = sorted[0] as number;
  const p2 = sorted[1] as number;
  const p3 = sorted[2] as number;
  const n = close.length;
  const out = output(outputs, "value");
  const start = p3;
  if (!warmUp(out, start)) return;
  // Per-candle terms are recomputed in TA-Lib when they leave a window; storing them gives the same numbers.
  const buying = new Float64Array(n);
  for (let day = 1; day < n; day++)
    buying[day] = (close[day] as number) - Math.min(low[day] as number, close[day - 1] as number);
  const ranges = sharedTrueRange(inputs, shared);
  let a1 = 0;
  let b1 = 0;
  let a2 = 0;
  let b2 = 0;
  let a3 = 0;
  let b3 = 0;
  for (let i = start - p1 + 1; i < start; i++) {
    a1 += buying[i] as number;
    b1 += ranges[i] as number;
  }
  for (let i = start - p2 + 1; i < start; i++) {
    a2 += buying[i] as number;
    b2 += ranges[i] as number;
  }
  for (let i = start - p3 + 1; i < start; i++) {
    a3 += buying[i] as number;
    b3 += ranges[i] as number;
  }
  for (let today = start; today < n; today++) {
    const a = buying[today] as number;
    const b = ranges[today] as number;
    a1 += a;
    a2 += a;
    a3 += a;
    b1 += b;
    b2 += b;
    b3 += b;
    let weighted = 0;
    if (!isZero(b1)) weighted += 4 * (a1 / b1);
    if (!isZero(b2)) weighted += 2 * (a2 / b2);
    if (!isZero(b3)) weighted += a3 / b3;
    const t1 = today - p1 + 1;
    const t2 = today - p2 + 1;
    const t3 = today - p3 + 1;
    a1 -= buying[t1] as number;
    b1 -= ranges[t1] as number;
    a2 -= buying[t2] as number;
    b2 -= ranges[t2] as number;
    a3 -= buying[t3] as number;
    b3 -= ranges[t3] as number;
    out[today] = 100 * (weighted / 7);
  }
};

/** Parabolic SAR as TA-Lib implements it (initial direction from -DM of the first two candles). */
export const sar: Kernel = (inputs, params, outputs) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const acceleration0 = param(params, "acceleration");
  const maximum = param(params, "maximum");
  const acceleration = Math.min(acceleration0, maximum);
  const n = high.length;
  const out = output(outputs, "value");
  if (!warmUp(out, 1)) return;
  let af = acceleration;
  const diffP = (high[1] as number) - (high[0] as number);
  const diffM = (low[0] as number) - (low[1] as number);
  const minusDM = diffM > 0 && diffP < diffM ? diffM : 0;
  let isLong = !(minusDM > 0);
  let ep: number;
  let value: number;
  if (isLong) {
    ep = high[1] as number;
    value = low[0] as number;
  } else {
    ep = low[1] as number;
    value = high[0] as number;
  }
  let newLow = low[1] as number;
  let newHigh = high[1] as number;
  for (let today = 1; today < n; today++) {
    const prevLow = newLow;
    const prevHigh = newHigh;
    newLow = low[today] as number;
    newHigh = high[today] as number;
    if (isLong) {
      if (newLow <= value) {
        isLong = false;
        value = ep;
        if (value < prevHigh) value = prevHigh;
        if (value < newHigh) value = newHigh;
        out[today] = value;
        af = acceleration;
        ep = newLow;
        value = value + af * (ep - value);
        if (value < prevHigh) value = prevHigh;
        if (value < newHigh) value = newHigh;
      } else {
        out[today] = value;
        if (newHigh > ep) {
          ep = newHigh;
          af += acceleration;
          if (af > maximum) af = maximum;
        }
        value = value + af * (ep - value);
        if (value > prevLow) value = prevLow;
        if (value > newLow) value = newLow;
      }
    } else if (newHigh >= value) {
      isLong = true;
      value = ep;
      if (value > prevLow) value = prevLow;
      if (value > newLow) value = newLow;
      out[today] = value;
      af = acceleration;
      ep = newHigh;
      value = value + af * (ep - value);
      if (value > prevLow) value = prevLow;
      if (value > newLow) value = newLow;
    } else {
      out[today] = value;
      if (newLow < ep) {
        ep = newLow;
        af += acceleration;
        if (af > maximum) af = maximum;
      }
      value = value + af * (ep - value);
      if (value < prevHigh) value = prevHigh;
      if (value < newHigh) value = newHigh;
    }
  }
};
