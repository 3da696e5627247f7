import { BreakoutBarLow, SwingHigh, SwingLow, ZigZag } from "trading-signals";
import { holdLastValue } from "./adapters.js";
import { indicatorFamily } from "./definition.js";
import { bounded, paramsObject, period } from "./params.js";

/** Event-style levels: the price at the last breakout, pivot or reversal, held until the next one. */
const trendIndicator = indicatorFamily("trend");

export const levels = [
  trendIndicator({
    name: "BreakoutBarLow",
    description:
      "Low of the most recent breakout bar, a bar whose high exceeds the highest high of the `lookback` bars before it (a stop reference).",
    reads: ["high", "low"],
    params: paramsObject({ lookback: period(20) }),
    tradingSignals: {
      warmup: "lookback",
      warmupNote: "at the first breakout bar",
      warmupDependsOnData: true,
      // The class emits only on breakout bars; the series holds the latest breakout bar's low.
      create: ({ lookback }) => holdLastValue(new BreakoutBarLow({ lookback })),
    },
  }),
  trendIndicator({
    name: "SwingHigh",
    description:
      "Most recent confirmed swing high: a high strictly above the highs of `lookback` candles on each side, known `lookback` candles after it.",
    reads: ["high"],
    params: paramsObject({ lookback: period(2) }),
    tradingSignals: {
      warmup: "2 * lookback",
      warmupNote: "when the first swing high is confirmed",
      warmupDependsOnData: true,
      // The class emits only on the confirming candle; the series holds the latest swing high.
      create: ({ lookback }) => holdLastValue(new SwingHigh({ lookback })),
    },
  }),
  trendIndicator({
    name: "SwingLow",
    description:
      "Most recent confirmed swing low: a low strictly below the lows of `lookback` candles on each side, known `lookback` candles after it.",
    reads: ["low"],
    params: paramsObject({ lookback: period(2) }),
    tradingSignals: {
      warmup: "2 * lookback",
      warmupNote: "when the first swing low is confirmed",
      warmupDependsOnData: true,
      // The class emits only on the confirming candle; the series holds the latest swing low.
      create: ({ lookback }) => holdLastValue(new SwingLow({ lookback })),
    },
  }),
  trendIndicator({
    name: "ZigZag",
    description:
      "Most recent confirmed ZigZag pivot: the last swing extreme, confirmed once price retraces `deviation` percent of the swing.",
    reads: ["high", "low"],
    params: paramsObject({ deviation: bounded(5, 0, 100) }),
    tradingSignals: {
      warmup: "0",
      warmupNote:
        "index 0 for deviation < 100 (the class counts the first candle's low as a pivot), else at the first confirmed reversal",
      warmupDependsOnData: true,
      // The class emits a pivot only on the reversal candle; the series holds the latest pivot price.
      create: ({ deviation }) => holdLastValue(new ZigZag({ deviation })),
    },
  }),
];
