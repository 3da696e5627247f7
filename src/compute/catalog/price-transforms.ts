import * as kernels from "../kernels/price-transforms.js";
import { indicatorFamily } from "./definition.js";

/** TA-Lib's price transforms: one representative price per candle, drawn over the candles. */
const trendIndicator = indicatorFamily("trend");

export const priceTransforms = [
  trendIndicator({
    name: "AVGPRICE",
    aliases: ["AveragePrice", "OHLC4"],
    description: "Average price: (open + high + low + close) / 4.",
    reads: ["open", "high", "low", "close"],
    talib: { kernel: kernels.avgprice, lookback: "0" },
  }),
  trendIndicator({
    name: "MEDPRICE",
    aliases: ["MedianPrice", "HL2"],
    description: "Median price: (high + low) / 2.",
    reads: ["high", "low"],
    talib: { kernel: kernels.medprice, lookback: "0" },
  }),
  trendIndicator({
    name: "TYPPRICE",
    aliases: ["TypicalPrice", "HLC3"],
    description: "Typical price: (high + low + close) / 3.",
    reads: ["high", "low", "close"],
    talib: { kernel: kernels.typprice, lookback: "0" },
  }),
  trendIndicator({
    name: "WCLPRICE",
    aliases: ["WeightedClosePrice"],
    description: "Weighted close price: (high + low + 2 * close) / 4.",
    reads: ["high", "low", "close"],
    talib: { kernel: kernels.wclprice, lookback: "0" },
  }),
];
