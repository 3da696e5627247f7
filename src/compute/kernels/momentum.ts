import type { IndicatorInputs } from "../../candles/vocabulary.js";
import { sharedTrueRange } from "./bands-volatility.js";
import { closeEma2, emaInto } from "./moving-averages.js";
import { column, EPSILON, highLowClose, intParam, isZero, output, warmUp } from "./shared.js";
import { sharedInto } from "./shared-series.js";
import type { Kernel } from "./types.js";

/**
 * Kernels of the momentum oscillators (contract: types.ts): rates of change, price oscillators, RSI and its kin.
 */

export const mom: Kernel = (inputs, params, outputs) => {
  const input = column(inputs, "close");
  const period = intParam(params, "period");
  const n = input.length;
  const out = output(outputs, "value");
  warmUp(out, period);
  for (let i = period; i < n; i++) out[i] = (input[i] as number) - (input[i - period] as number);
};

/** How the rate-of-change family compares a price with the one `period` candles before. */
enum Change {
  /** ROCP: (price - prev) / prev. */
  Fraction,
  /** ROC: ((price / prev) - 1) * 100. */
  Percent,
  /** ROCR: price / prev. */
  Ratio,
  /** ROCR100: (price / prev) * 100. */
  Ratio100,
}

/**
 * The one loop of ROCP, ROC, ROCR and ROCR100, each in TA-Lib's own operations; TA-Lib writes 0
 * where prev is exactly 0. The form is the same on every candle, so its branch predicts perfectly.
 */
function rateOfChange(form: Change): Kernel {
  return (inputs, params, outputs) => {
    const input = column(inputs, "close");
    const period = intParam(params, "period");
    const n = input.length;
    const out = output(outputs, "value");
    warmUp(out, period);
    for (let i = period; i < n; i++) {
      const prev = input[i - period] as number;
      const price = input[i] as number;
      out[i] =
        prev === 0
          ? 0
          : form === Change.Fraction
            ? (price - prev) / prev
            : form === Change.Percent
              ? (price / prev - 1) * 100
              : form === Change.Ratio
                ? price / prev
                : (price / prev) * 100;
    }
  };
}

export const rocp = rateOfChange(Change.Fraction);
export const roc = rateOfChange(Change.Percent);
export const rocr = rateOfChange(Change.Ratio);
export const rocr100 = rateOfChange(Change.Ratio100);

function fastSlow(params: Readonly<Record<string, number>>): [number, number] {
  const fast = intParam(params, "fastPeriod");
  const slow = intParam(params, "slowPeriod");
  return slow < fast ? [slow, fast] : [fast, slow];
}

/** Sum of values[from..to] in index order, as TA-Lib seeds an EMA with an SMA. */
function sumOf(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i <= to; i++) sum += values[i] as number;
  return sum;
}

/**
 * TA_INT_PO with MA type EMA, as called from index 0: each EMA is seeded at its own period-1 (unlike
 * MACD, whose fast EMA is seeded at slowPeriod-1); the output starts at slowPeriod-1. One pass, no
 * intermediate arrays.
 */
function priceOscillator(
  inputs: IndicatorInputs,
  params: Readonly<Record<string, number>>,
  out: Float64Array,
  percent: boolean,
): void {
  const close = column(inputs, "close");
  const [fast, slow] = fastSlow(params);
  const n = close.length;
  const start = slow - 1;
  if (!warmUp(out, start)) return;
  const kf = 2 / (fast + 1);
  const ks = 2 / (slow + 1);
  let f = sumOf(close, 0, fast - 1) / fast;
  for (let i = fast; i <= start; i++) f = ((close[i] as number) - f) * kf + f;
  let s = sumOf(close, 0, start) / slow;
  const oscillator = (fastEma: number, slowEma: number) =>
    !percent ? fastEma - slowEma : isZero(slowEma) ? 0 : ((fastEma - slowEma) / slowEma) * 100;
  out[start] = oscillator(f, s);
  for (let i = start + 1; i < n; i++) {
    const x = close[i] as number;
    f = (x - f) * kf + f;
    s = (x - s) * ks + s;
    out[i] = oscillator(f, s);
  }
}

export const apo: Kernel = (inputs, params, outputs) =>
  priceOscillator(inputs, params, output(outputs, "value"), false);

export const ppo: Kernel = (inputs, params, outputs) =>
  priceOscillator(inputs, params, output(outputs, "value"), true);

/**
 * TA_INT_MACD in one pass: both EMAs seeded at slowPeriod-1 (the fast one with the SMA of its last
 * fastPeriod values there), the signal EMA seeded at slowPeriod-1 + signalPeriod-1 with the SMA of
 * the MACD values up to there, where all three outputs start.
 */
export const macd: Kernel = (inputs, params, outputs) => {
  const close = column(inputs, "close");
  const [fast, slow] = fastSlow(params);
  const signalPeriod = intParam(params, "signalPeriod");
  const n = close.length;
  const macdOut = output(outputs, "macd");
  const signalOut = output(outputs, "signal");
  const histogram = output(outputs, "histogram");
  const emaStart = slow - 1;
  const start = emaStart + signalPeriod - 1;
  warmUp(signalOut, start);
  warmUp(histogram, start);
  if (!warmUp(macdOut, start)) return;
  // x * k + ema * (1 - k) instead of TA-Lib's (x - ema) * k + ema: one operation less on each
  // EMA's dependency chain (MACD runs three), the same value to rounding (~1e-16, damped).
  const kf = 2 / (fast + 1);
  const ks = 2 / (slow + 1);
  const kg = 2 / (signalPeriod + 1);
  const keepF = 1 - kf;
  const keepS = 1 - ks;
  const keepG = 1 - kg;
  let f = sumOf(close, emaStart - fast + 1, emaStart) / fast;
  let s = sumOf(close, 0, emaStart) / slow;
  let m = f - s;
  let signalSum = m;
  for (let i = emaStart + 1; i <= start; i++) {
    const x = close[i] as number;
    f = x * kf + f * keepF;
    s = x * ks + s * keepS;
    m = f - s;
    signalSum += m;
  }
  let signal = signalSum / signalPeriod;
  macdOut[start] = m;
  signalOut[start] = signal;
  histogram[start] = m - signal;
  for (let i = start + 1; i < n; i++) {
    const x = close[i] as number;
    f = x * kf + f * keepF;
    s = x * ks + s * keepS;
    m = f - s;
    signal = m * kg + signal * keepG;
    macdOut[i] = m;
    signalOut[i] = signal;
    histogram[i] = m - signal;
  }
};

export const trix: Kernel = (inputs, params, outputs, shared) => {
  const close = column(inputs, "close");
  const period = intParam(params, "period");
  const n = close.length;
  const out = output(outputs, "value");
  const start = 3 * (period - 1) + 1;
  if (!warmUp(out, start)) return;
  // The triple EMA goes into `out` from 3*(period-1) on, then TA_ROC of it (1 bar) in place.
  emaInto(closeEma2(close, period, shared), start - 1, period, 2 / (period + 1), out);
  let before = out[start - 1] as number;
  out[start - 1] = Number.NaN;
  for (let i = start; i < n; i++) {
    const triple = out[i] as number;
    out[i] = before !== 0 ? (triple / before - 1) * 100 : 0;
    before = triple;
  }
};

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

export function rsiInto(close: Float64Array, period: number, out: Float64Array): void {
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

/** CCI: the mean deviation needs the whole window each step, as in TA-Lib (circular buffer, same summation order). */
export const cci: Kernel = (inputs, params, outputs) => {
  const { high, low, close } = highLowClose(inputs);
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
  const { high, low, close } = highLowClose(inputs);
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

export const bop: Kernel = (inputs, _params, outputs) => {
  const open = column(inputs, "open");
  const { high, low, close } = highLowClose(inputs);
  const n = close.length;
  const out = output(outputs, "value");
  for (let i = 0; i < n; i++) {
    const range = (high[i] as number) - (low[i] as number);
    out[i] = range < EPSILON ? 0 : ((close[i] as number) - (open[i] as number)) / range;
  }
};

/**
 * ULTOSC: TA-Lib sorts the periods, weighting the shortest 4 and the longest 1. With all three
 * periods 1, TA-Lib's lookback comes out as 0 and its value at index 0 reads close[-1] (outside
 * the series); this kernel starts at index 1 there and matches TA-Lib from then on.
 */
export const ultosc: Kernel = (inputs, params, outputs, shared) => {
  const { low, close } = highLowClose(inputs);
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
