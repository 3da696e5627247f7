import { column, output } from "./shared.js";
import type { Kernel } from "./types.js";

/**
 * Kernels of the price transforms (contract: types.ts): one price per candle from its own open,
 * high, low and close, in TA-Lib's order of operations, from index 0.
 */

export const avgprice: Kernel = (inputs, _params, outputs) => {
  const open = column(inputs, "open");
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const out = output(outputs, "value");
  const n = close.length;
  for (let i = 0; i < n; i++)
    out[i] = ((high[i] as number) + (low[i] as number) + (close[i] as number) + (open[i] as number)) / 4;
};

export const medprice: Kernel = (inputs, _params, outputs) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const out = output(outputs, "value");
  const n = high.length;
  for (let i = 0; i < n; i++) out[i] = ((high[i] as number) + (low[i] as number)) / 2;
};

export const typprice: Kernel = (inputs, _params, outputs) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const out = output(outputs, "value");
  const n = close.length;
  for (let i = 0; i < n; i++) out[i] = ((high[i] as number) + (low[i] as number) + (close[i] as number)) / 3;
};

export const wclprice: Kernel = (inputs, _params, outputs) => {
  const high = column(inputs, "high");
  const low = column(inputs, "low");
  const close = column(inputs, "close");
  const out = output(outputs, "value");
  const n = close.length;
  for (let i = 0; i < n; i++)
    out[i] = ((high[i] as number) + (low[i] as number) + (close[i] as number) * 2) / 4;
};
