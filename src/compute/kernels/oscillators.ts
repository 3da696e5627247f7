import type { IndicatorInputs } from "../catalog/definition.js";
import {
  column,
  EPSILON,
  fastStochasticK,
  isZero,
  nanArray,
  param,
  rollingExtremeIndex,
  rollingSma,
} from "./shared.js";
import type { Kernel } from "./types.js";

/**
 * TA-Lib-exact batch kernels for oscillators, true-range and volume indicators. Each follows the
 * TA-Lib 0.4 C source (bundled with the `talib` npm package) statement for statement where the
 * order of floating-point operations matters, so results match to rounding, and writes NaN
 * before TA-Lib's first valid index (its lookback; the default unstable period of 0).
 */

/** TA-Lib's TRUE_RANGE macro. */
function trueRange(high: number, low: number, prevClose: number): number {
  let range = high - low;
  const up = Math.abs(prevClose - high);
  if (up > range) range = up;
  const down = Math.abs(prevClose - low);
  if (down > range) range = down;
  return range;
}

/** RSI: Wilder smoothing seeded with the plain average gain and loss of the first period changes. */
export const rsi: Kernel = (inputs, params) => {
  const close = column(inputs, "close");
  const period = param(params, "period");
  const n = close.length;
  const out = nanArray(n);
  if (n <= period) return { value: out };
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
  let total = prevGain + prevLoss;
  out[period] = isZero(total) ? 0 : 100 * (prevGain / total);
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
    total = prevGain + prevLoss;
    out[today] = isZero(total) ? 0 : 100 * (prevGain / total);
  }
  return { value: out };
};

/** TA-Lib's ATR (or, with `normalize`, NATR) from index period on. */
function averageTrueRange(inputs: IndicatorInputs, period: number, normalize: boolean): Float64Array {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const n = close.length;
  const out = nanArray(n);
  if (n <= period) return out;
  if (period === 1) {
    // TA-Lib returns plain TRANGE for period 1, for NATR too (not normalized by the close).
    for (let i = 1; i < n; i++)
      out[i] = trueRange(high[i] as number, low[i] as number, close[i - 1] as number);
    return out;
  }
  let sum = 0;
  for (let i = 1; i <= period; i++)
    sum += trueRange(high[i] as number, low[i] as number, close[i - 1] as number);
  let atr = sum / period;
  const write = (i: number): void => {
    if (!normalize) out[i] = atr;
    else {
      const c = close[i] as number;
      out[i] = isZero(c) ? 0 : (atr / c) * 100;
    }
  };
  write(period);
  for (let i = period + 1; i < n; i++) {
    atr *= period - 1;
    atr += trueRange(high[i] as number, low[i] as number, close[i - 1] as number);
    atr /= period;
    write(i);
  }
  return out;
}

export const atr: Kernel = (inputs, params) => ({
  value: averageTrueRange(inputs, param(params, "period"), false),
});

export const natr: Kernel = (inputs, params) => ({
  value: averageTrueRange(inputs, param(params, "period"), true),
});

export const trange: Kernel = (inputs) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const n = close.length;
  const out = nanArray(n);
  for (let i = 1; i < n; i++) out[i] = trueRange(high[i] as number, low[i] as number, close[i - 1] as number);
  return { value: out };
};

/** STOCH with SMA smoothing for slow %K and %D (TA-Lib's default MA type 0). */
export const stoch: Kernel = (inputs, params) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const kPeriod = param(params, "kPeriod");
  const kSlowing = param(params, "kSlowingPeriod");
  const dPeriod = param(params, "dPeriod");
  const n = close.length;
  const k = nanArray(n);
  const d = nanArray(n);
  const lookbackK = kPeriod - 1;
  const lookbackTotal = lookbackK + kSlowing - 1 + dPeriod - 1;
  if (n <= lookbackTotal) return { k, d };
  // Fast %K (index = candle index), then SMA it into slow %K, then %D.
  const fastK = fastStochasticK(high, low, close, kPeriod);
  // Slow %K is valid from lookbackK + kSlowing - 1, %D (and the output) from lookbackTotal.
  const slowKStart = lookbackK + kSlowing - 1;
  const slowK = new Float64Array(n);
  rollingSma(fastK, slowK, lookbackK, n - 1, kSlowing);
  rollingSma(slowK, d, slowKStart, n - 1, dPeriod);
  for (let i = lookbackTotal; i < n; i++) k[i] = slowK[i] as number;
  return { k, d };
};

export const willr: Kernel = (inputs, params) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const period = param(params, "period");
  const n = close.length;
  const out = nanArray(n);
  if (n < period) return { value: out };
  const highest = rollingExtremeIndex(high, period, true);
  const lowest = rollingExtremeIndex(low, period, false);
  for (let today = period - 1; today < n; today++) {
    const lowValue = low[lowest[today] as number] as number;
    const highValue = high[highest[today] as number] as number;
    const diff = (highValue - lowValue) / -100;
    out[today] = diff !== 0 ? (highValue - (close[today] as number)) / diff : 0;
  }
  return { value: out };
};

/** CCI: the mean deviation needs the whole window each step, as in TA-Lib (circular buffer, same summation order). */
export const cci: Kernel = (inputs, params) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const period = param(params, "period");
  const n = close.length;
  const out = nanArray(n);
  const lookback = period - 1;
  if (n <= lookback) return { value: out };
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
  return { value: out };
};

/** MFI: rolling positive/negative money-flow sums over a circular buffer; 0 when the total flow is below 1. */
export const mfi: Kernel = (inputs, params) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const volume = column(inputs, "volume");
  const period = param(params, "period");
  const n = close.length;
  const out = nanArray(n);
  if (n <= period) return { value: out };
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
  return { value: out };
};

/** OBV: TA-Lib starts the running total at volume[0]. */
export const obv: Kernel = (inputs) => {
  const close = column(inputs, "close");
  const volume = column(inputs, "volume");
  const n = close.length;
  const out = new Float64Array(n);
  if (n === 0) return { value: out };
  let total = volume[0] as number;
  let prev = close[0] as number;
  for (let i = 0; i < n; i++) {
    const value = close[i] as number;
    if (value > prev) total += volume[i] as number;
    else if (value < prev) total -= volume[i] as number;
    out[i] = total;
    prev = value;
  }
  return { value: out };
};

/** One step of TA-Lib's accumulation/distribution line. */
function adStep(ad: number, high: number, low: number, close: number, volume: number): number {
  const range = high - low;
  return range > 0 ? ad + ((close - low - (high - close)) / range) * volume : ad;
}

export const ad: Kernel = (inputs) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const volume = column(inputs, "volume");
  const n = close.length;
  const out = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total = adStep(total, high[i] as number, low[i] as number, close[i] as number, volume[i] as number);
    out[i] = total;
  }
  return { value: out };
};

/** ADOSC: fast EMA - slow EMA of the A/D line, both seeded with the first A/D value (not an SMA). */
export const adosc: Kernel = (inputs, params) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const volume = column(inputs, "volume");
  const fastPeriod = param(params, "fastPeriod");
  const slowPeriod = param(params, "slowPeriod");
  const n = close.length;
  const out = nanArray(n);
  const lookback = Math.max(fastPeriod, slowPeriod) - 1;
  if (n <= lookback) return { value: out };
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
  return { value: out };
};

export const bop: Kernel = (inputs) => {
  const open = column(inputs, "open");
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const n = close.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const range = (high[i] as number) - (low[i] as number);
    out[i] = range < EPSILON ? 0 : ((close[i] as number) - (open[i] as number)) / range;
  }
  return { value: out };
};

/**
 * Wilder-smoothed +DM, -DM and true range as TA-Lib's DX/ADX/ADXR compute them; calls `emit(i, dx)`
 * from index `period` on with that candle's DX, or NaN where TA-Lib's DX is undefined (zero TR or DI sum).
 */
function directionalMovement(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  emit: (index: number, dx: number) => void,
): void {
  const n = close.length;
  let prevMinusDM = 0;
  let prevPlusDM = 0;
  let prevTR = 0;
  let prevHigh = high[0] as number;
  let prevLow = low[0] as number;
  let prevClose = close[0] as number;
  for (let today = 1; today < n; today++) {
    const h = high[today] as number;
    const diffP = h - prevHigh;
    prevHigh = h;
    const l = low[today] as number;
    const diffM = prevLow - l;
    prevLow = l;
    const smoothing = today >= period;
    if (smoothing) {
      prevMinusDM -= prevMinusDM / period;
      prevPlusDM -= prevPlusDM / period;
    }
    if (diffM > 0 && diffP < diffM) prevMinusDM += diffM;
    else if (diffP > 0 && diffP > diffM) prevPlusDM += diffP;
    const tr = trueRange(prevHigh, prevLow, prevClose);
    prevTR = smoothing ? prevTR - prevTR / period + tr : prevTR + tr;
    prevClose = close[today] as number;
    if (!smoothing) continue;
    let dx = Number.NaN;
    if (!isZero(prevTR)) {
      const minusDI = 100 * (prevMinusDM / prevTR);
      const plusDI = 100 * (prevPlusDM / prevTR);
      const sum = minusDI + plusDI;
      if (!isZero(sum)) dx = 100 * (Math.abs(minusDI - plusDI) / sum);
    }
    emit(today, dx);
  }
}

function directionalInputs(inputs: IndicatorInputs) {
  return { high: column(inputs, "high"), low: column(inputs, "low"), close: column(inputs, "close") };
}

/** DX: first value at index period; where undefined, 0 at the first value and the previous value after. */
export const dx: Kernel = (inputs, params) => {
  const { high, low, close } = directionalInputs(inputs);
  const period = param(params, "period");
  const out = nanArray(close.length);
  let previous = 0;
  directionalMovement(high, low, close, period, (i, value) => {
    if (!Number.isNaN(value)) previous = value;
    out[i] = previous;
  });
  return { value: out };
};

/** Wilder-smoothed DX: TA-Lib sums the DX of indices period..2*period-1 for the seed. */
function adxSeries(inputs: IndicatorInputs, period: number): Float64Array {
  const { high, low, close } = directionalInputs(inputs);
  const out = nanArray(close.length);
  const first = 2 * period - 1;
  let sumDX = 0;
  let adx = 0;
  directionalMovement(high, low, close, period, (i, value) => {
    if (i < first) {
      if (!Number.isNaN(value)) sumDX += value;
      return;
    }
    if (i === first) {
      if (!Number.isNaN(value)) sumDX += value;
      adx = sumDX / period;
    } else if (!Number.isNaN(value)) {
      adx = (adx * (period - 1) + value) / period;
    }
    out[i] = adx;
  });
  return out;
}

export const adx: Kernel = (inputs, params) => ({ value: adxSeries(inputs, param(params, "period")) });

export const adxr: Kernel = (inputs, params) => {
  const period = param(params, "period");
  const series = adxSeries(inputs, period);
  const n = series.length;
  const out = nanArray(n);
  const first = 3 * period - 2;
  for (let i = first; i < n; i++) out[i] = ((series[i] as number) + (series[i - (period - 1)] as number)) / 2;
  return { value: out };
};

/** AROON over period+1 candles; ties take the most recent extreme (TA-Lib's >= / <=). */
export const aroon: Kernel = (inputs, params) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const period = param(params, "period");
  const n = high.length;
  const up = nanArray(n);
  const down = nanArray(n);
  const factor = 100 / period;
  if (n <= period) return { up, down };
  const highest = rollingExtremeIndex(high, period + 1, true);
  const lowest = rollingExtremeIndex(low, period + 1, false);
  for (let today = period; today < n; today++) {
    up[today] = factor * (period - (today - (highest[today] as number)));
    down[today] = factor * (period - (today - (lowest[today] as number)));
  }
  return { up, down };
};

/**
 * ULTOSC: TA-Lib sorts the periods, weighting the shortest 4 and the longest 1. With all three
 * periods 1, TA-Lib's lookback comes out as 0 and its value at index 0 reads close[-1] (outside
 * the series); this kernel starts at index 1 there and matches TA-Lib from then on.
 */
export const ultosc: Kernel = (inputs, params) => {
  const { high, low, close } = directionalInputs(inputs);
  const sorted = [
    param(params, "shortPeriod"),
    param(params, "mediumPeriod"),
    param(params, "longPeriod"),
  ].sort((a, b) => a - b);
  const p1 = sorted[0] as number;
  const p2 = sorted[1] as number;
  const p3 = sorted[2] as number;
  const n = close.length;
  const out = nanArray(n);
  const start = p3;
  if (n <= start) return { value: out };
  const buying = new Float64Array(n);
  const ranges = new Float64Array(n);
  // Per-candle terms are recomputed in TA-Lib when they leave a window; storing them gives the same numbers.
  for (let day = 1; day < n; day++) {
    const l = low[day] as number;
    const prevClose = close[day - 1] as number;
    const trueLow = Math.min(l, prevClose);
    buying[day] = (close[day] as number) - trueLow;
    ranges[day] = trueRange(high[day] as number, l, prevClose);
  }
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
    let output = 0;
    if (!isZero(b1)) output += 4 * (a1 / b1);
    if (!isZero(b2)) output += 2 * (a2 / b2);
    if (!isZero(b3)) output += a3 / b3;
    const t1 = today - p1 + 1;
    const t2 = today - p2 + 1;
    const t3 = today - p3 + 1;
    a1 -= buying[t1] as number;
    b1 -= ranges[t1] as number;
    a2 -= buying[t2] as number;
    b2 -= ranges[t2] as number;
    a3 -= buying[t3] as number;
    b3 -= ranges[t3] as number;
    out[today] = 100 * (output / 7);
  }
  return { value: out };
};

/** Parabolic SAR as TA-Lib implements it (initial direction from -DM of the first two candles). */
export const sar: Kernel = (inputs, params) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const acceleration0 = param(params, "acceleration");
  const maximum = param(params, "maximum");
  const acceleration = Math.min(acceleration0, maximum);
  const n = high.length;
  const out = nanArray(n);
  if (n < 2) return { value: out };
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
  return { value: out };
};

/**
 * Kernels by catalog name. STOCHRSI is absent: the catalog's single `period` and 0-1 `value`
 * cannot express TA-Lib's separate fastK/fastD periods and 0-100 fastk/fastd outputs.
 */
export const oscillatorKernels: Readonly<Record<string, Kernel>> = Object.freeze({
  RSI: rsi,
  ATR: atr,
  STOCH: stoch,
  CCI: cci,
  WILLR: willr,
  MFI: mfi,
  OBV: obv,
  AD: ad,
  ADOSC: adosc,
  BOP: bop,
  NATR: natr,
  TRANGE: trange,
  ADX: adx,
  DX: dx,
  ADXR: adxr,
  AROON: aroon,
  ULTOSC: ultosc,
  SAR: sar,
});
