import { column, highLowClose, intParam, output, warmUp } from "./shared.js";
import type { Kernel } from "./types.js";

/**
 * Kernels of volume flow (contract: types.ts): on-balance volume and accumulation/distribution.
 */

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
  const { high, low, close } = highLowClose(inputs);
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
  const { high, low, close } = highLowClose(inputs);
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
