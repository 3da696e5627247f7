import { LinearRegression, Period } from "trading-signals";
import * as kernels from "../kernels/statistics.js";
import { indicatorFamily, sameNamedOutputs } from "./definition.js";
import { paramsObject, period } from "./params.js";

/** Rolling statistics of one series: regression lines, extremes and their midpoint. */
const trendIndicator = indicatorFamily("trend");

export const statistics = [
  trendIndicator({
    name: "LINEARREG",
    aliases: ["LinearRegression", "LINREG"],
    description:
      "Least-squares line through the last `period` closes: its value at the latest close, its value one bar ahead, its slope per bar and its value at the oldest close.",
    reads: ["close"],
    params: paramsObject({ period: period(14, 2) }),
    outputs: sameNamedOutputs("value", "forecast", "slope", "intercept"),
    talib: { kernel: kernels.linearreg, lookback: "period - 1" },
    tradingSignals: {
      create: ({ period }) => {
        // The class's `prediction` is the line one bar past the window (TA-Lib TSF); TA-Lib's
        // LINEARREG is the line at the latest close, intercept + slope*(period-1).
        const regression = new LinearRegression(period);
        return {
          update(price: number, replace: boolean) {
            const fit = regression.update(price, replace);
            if (fit === null) return null;
            return {
              value: fit.intercept + fit.slope * (period - 1),
              forecast: fit.prediction,
              slope: fit.slope,
              intercept: fit.intercept,
            };
          },
          get isStable() {
            return regression.isStable;
          },
        };
      },
    },
  }),
  trendIndicator({
    name: "LINEARREG_SLOPE",
    aliases: ["LinearRegressionSlope"],
    description: "Slope of the least-squares line through the last period closes.",
    reads: ["close"],
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.linearregSlope, lookback: "period - 1" },
  }),
  trendIndicator({
    name: "LINEARREG_INTERCEPT",
    aliases: ["LinearRegressionIntercept"],
    description:
      "Intercept of the least-squares line through the last period closes: its value at the oldest.",
    reads: ["close"],
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.linearregIntercept, lookback: "period - 1" },
  }),
  trendIndicator({
    name: "LINEARREG_ANGLE",
    aliases: ["LinearRegressionAngle"],
    description: "Angle in degrees of the least-squares line through the last period closes.",
    reads: ["close"],
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.linearregAngle, lookback: "period - 1" },
  }),
  trendIndicator({
    name: "TSF",
    aliases: ["TimeSeriesForecast"],
    description:
      "Time series forecast: the least-squares line through the last period closes, one bar ahead.",
    reads: ["close"],
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.tsf, lookback: "period - 1" },
  }),
  trendIndicator({
    name: "MAX",
    aliases: ["Highest"],
    description: "Highest close of the last period candles.",
    reads: ["close"],
    params: paramsObject({ period: period(30, 2) }),
    talib: { kernel: kernels.max, lookback: "period - 1" },
  }),
  trendIndicator({
    name: "MIN",
    aliases: ["Lowest"],
    description: "Lowest close of the last period candles.",
    reads: ["close"],
    params: paramsObject({ period: period(30, 2) }),
    talib: { kernel: kernels.min, lookback: "period - 1" },
  }),
  trendIndicator({
    name: "MIDPOINT",
    aliases: ["Midpoint"],
    description: "(highest close + lowest close) / 2 over the last period candles.",
    reads: ["close"],
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.midpoint, lookback: "period - 1" },
  }),
  trendIndicator({
    name: "MIDPRICE",
    aliases: ["MidpointPrice"],
    description: "(highest high + lowest low) / 2 over the last period candles.",
    reads: ["high", "low"],
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.midprice, lookback: "period - 1" },
  }),
  trendIndicator({
    name: "SUM",
    aliases: ["Summation"],
    description: "Sum of the last period closes.",
    reads: ["close"],
    params: paramsObject({ period: period(30, 2) }),
    talib: { kernel: kernels.sum, lookback: "period - 1" },
  }),
  trendIndicator({
    name: "MINMAX",
    aliases: ["Period", "HighestLowest"],
    description: "Highest and lowest close of the last `period` candles.",
    reads: ["close"],
    params: paramsObject({ period: period(20) }),
    outputs: [
      { name: "max", key: "highest" },
      { name: "min", key: "lowest" },
    ],
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new Period(period) },
  }),
];
