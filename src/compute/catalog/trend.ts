import { EMA, SMA } from "trading-signals";
import { defineIndicator, SINGLE_OUTPUT } from "./definition.js";
import { paramsObject, period } from "./params.js";

export const trendIndicators = [
  defineIndicator({
    name: "SMA",
    aliases: ["SimpleMovingAverage"],
    category: "trend",
    description: "Simple moving average: the mean of the last `period` closes.",
    reads: ["close"],
    input: "price",
    params: paramsObject({ period: period(20) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1.",
    version: 1,
    costNsPerCandle: 30,
    create: ({ period }) => new SMA(period),
  }),
  defineIndicator({
    name: "EMA",
    aliases: ["ExponentialMovingAverage"],
    category: "trend",
    description: "Exponential moving average with smoothing 2/(period+1).",
    reads: ["close"],
    input: "price",
    params: paramsObject({ period: period(20) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1 (isStable); earlier values are unseeded and masked.",
    talibDifference:
      "Seeds with the first close, TA-Lib with the SMA of the first period closes; values converge after a few periods.",
    version: 1,
    costNsPerCandle: 12,
    create: ({ period }) => new EMA(period),
  }),
];
