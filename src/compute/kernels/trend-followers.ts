import { column, output, param, warmUp } from "./shared.js";
import type { Kernel } from "./types.js";

/**
 * Kernels of the trend followers (contract: types.ts): Wilder's parabolic SAR.
 */

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
