import { pricesInto } from "../../candles/vocabulary.js";
import { column, output } from "./shared.js";
import type { Kernel } from "./types.js";

/**
 * Kernels of the price transforms (contract: types.ts): one price per candle from its own open,
 * high, low and close, in TA-Lib's order of operations, from index 0. AVGPRICE, MEDPRICE and
 * TYPPRICE are the ohlc4, hl2 and hlc3 a single-input indicator's `source` can be.
 */

export const avgprice: Kernel = (inputs, _params, outputs) =>
  pricesInto("ohlc4", inputs, output(outputs, "value"));
export const medprice: Kernel = (inputs, _params, outputs) =>
  pricesInto("hl2", inputs, output(outputs, "value"));
export const typprice: Kernel = (inputs, _params, outputs) =>
  pricesInto("hlc3", inputs, output(outputs, "value"));

export const wclprice: Kernel = (inputs, _params, outputs) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const out = output(outputs, "value");
  const n = close.length;
  for (let i = 0; i < n; i++)
    out[i] = ((high[i] as number) + (low[i] as number) + (close[i] as number) * 2) / 4;
};
