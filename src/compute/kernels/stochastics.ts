import { rsiInto } from "./momentum.js";
import {
  column,
  fastStochasticK,
  highLowClose,
  intParam,
  output,
  rollingSma,
  warmUp,
  windowExtremeInto,
} from "./shared.js";
import { sharedScratch } from "./shared-series.js";
import type { Kernel } from "./types.js";

/**
 * Kernels of the stochastics (contract: types.ts): where the close lies in the recent range.
 */

/** STOCH with SMA smoothing for slow %K and %D (TA-Lib's default MA type 0). */
export const stoch: Kernel = (inputs, params, outputs) => {
  const { high, low, close } = highLowClose(inputs);
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

export const willr: Kernel = (inputs, params, outputs) => {
  const { high, low, close } = highLowClose(inputs);
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
