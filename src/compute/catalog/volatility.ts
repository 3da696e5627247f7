import { ATR, BollingerBands } from "trading-signals";
import { defineIndicator, SINGLE_OUTPUT } from "./definition.js";
import { factor, paramsObject, period } from "./params.js";

export const volatilityIndicators = [
  defineIndicator({
    name: "BBANDS",
    aliases: ["BollingerBands"],
    category: "volatility",
    description: "Bollinger Bands: SMA(period) plus and minus stdDev population standard deviations.",
    reads: ["close"],
    input: "price",
    params: paramsObject({ period: period(20), stdDev: factor(2) }),
    outputs: [
      { name: "upper", key: "upper" },
      { name: "middle", key: "middle" },
      { name: "lower", key: "lower" },
    ],
    warmup: "First value at index period-1.",
    version: 1,
    costNsPerCandle: 270,
    create: ({ period, stdDev }) => new BollingerBands(period, stdDev),
  }),
  defineIndicator({
    name: "ATR",
    aliases: ["AverageTrueRange"],
    category: "volatility",
    description: "Average true range, smoothed with Wilder's moving average (RMA).",
    reads: ["high", "low", "close"],
    input: "candle",
    params: paramsObject({ period: period(14) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1.",
    talibDifference:
      "Counts the first candle's high-low as a true range, so values start one bar earlier than TA-Lib (index period-1, TA-Lib period).",
    version: 1,
    costNsPerCandle: 35,
    create: ({ period }) => new ATR(period),
  }),
];
