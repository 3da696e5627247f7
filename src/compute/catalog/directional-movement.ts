import { Aroon, DX, type HighLowClose, RandomWalkIndex, VHF, VortexIndicator, WSMA } from "trading-signals";
import * as kernels from "../kernels/directional-movement.js";
import { indicatorFamily, sameNamedOutputs } from "./definition.js";
import { paramsObject, period } from "./params.js";

/** Directional movement and trend strength: how much of the range moves one way. */
/**
 * DX divides Wilder-smoothed directional movement by the ATR, which is 0/0 while every candle so
 * far is flat (high = low = previous close, e.g. a market before its first trade). TA-Lib reports
 * 0 there, as the class itself does when there is range but no directional movement. Without this
 * guard the NaN seeds ADX's Wilder smoothing and every later ADX and ADXR value is NaN, so ADX and
 * ADXR are assembled here from the same parts as the library's classes (DX, then WSMA(period),
 * then the mean with the ADX period-1 bars back); on any other input the numbers are identical.
 */
function createDx(period: number) {
  const dx = new DX(period);
  return {
    update(candle: HighLowClose, replace: boolean) {
      const value = dx.update(candle, replace);
      return value !== null && Number.isNaN(value) ? 0 : value;
    },
    get isStable() {
      return dx.isStable;
    },
  };
}

function createAdx(period: number) {
  const dx = createDx(period);
  const smoothed = new WSMA(period);
  return {
    update(candle: HighLowClose, replace: boolean) {
      const value = dx.update(candle, replace);
      if (value !== null) smoothed.update(value, replace);
      return smoothed.isStable ? smoothed.getResult() : null;
    },
    get isStable() {
      return smoothed.isStable;
    },
  };
}

function createAdxr(period: number) {
  const adx = createAdx(period);
  const history: number[] = [];
  let stable = false;
  return {
    update(candle: HighLowClose, replace: boolean) {
      const value = adx.update(candle, replace);
      if (value === null) return null;
      if (replace && history.length > 0) history[history.length - 1] = value;
      else if (history.push(value) > period) history.shift();
      if (history.length < period) return null;
      stable = true;
      return (value + (history[0] as number)) / 2;
    },
    get isStable() {
      return stable;
    },
  };
}

const trendIndicator = indicatorFamily("trend");

export const directionalMovement = [
  trendIndicator({
    name: "ADX",
    aliases: ["AverageDirectionalIndex"],
    description:
      "Average directional index (0-100): Wilder-smoothed DX, the strength of a trend in either direction.",
    reads: ["high", "low", "close"],
    // TA-Lib's minimum for ADX, ADXR and DX: with period 1 the DX is only ever 0 or 100.
    params: paramsObject({ period: period(14, 2) }),
    // Version 2 (and DX's, ADXR's): the shared loop's smoothing factor is (period - 1) / period,
    // which differs from the former 1 - 1 / period in the last bit for some periods.
    talib: { kernel: kernels.adx, lookback: "2 * period - 1", version: 2 },
    tradingSignals: {
      warmup: "2 * period - 2",
      difference:
        "Starts one bar earlier than TA-Lib (index 2*period-2 vs 2*period-1) and counts equal up and down moves as both +DM and -DM (TA-Lib: neither), so values differ, by several points on tick-rounded prices.",
      create: ({ period }) => createAdx(period),
    },
  }),
  trendIndicator({
    name: "ADXR",
    aliases: ["AverageDirectionalIndexRating"],
    description: "Average directional index rating: the mean of today's ADX and the ADX period-1 bars ago.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.adxr, lookback: "3 * period - 2", version: 2 },
    tradingSignals: {
      warmup: "3 * period - 3",
      difference:
        "Inherits ADX's differences: starts one bar earlier than TA-Lib (index 3*period-3 vs 3*period-2) and counts equal up and down moves as both +DM and -DM (TA-Lib: neither).",
      create: ({ period }) => createAdxr(period),
    },
  }),
  trendIndicator({
    name: "DX",
    aliases: ["DirectionalMovementIndex", "DMI"],
    description: "Directional movement index (0-100): |+DI - -DI| / (+DI + -DI) with Wilder smoothing.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.dx, lookback: "period", version: 2 },
    tradingSignals: {
      warmup: "period - 1",
      difference:
        "Starts one bar earlier than TA-Lib (index period-1 vs period) and counts equal up and down moves as both +DM and -DM (TA-Lib: neither); otherwise identical.",
      create: ({ period }) => createDx(period),
    },
  }),
  trendIndicator({
    name: "PLUS_DI",
    aliases: ["PlusDirectionalIndicator", "PDI"],
    description: "Plus directional indicator: Wilder-smoothed +DM over the smoothed true range, times 100.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(14, 2) }),
    // Version 2: smoothed as products in the loop DX shares (numbers differ by rounding only).
    talib: { kernel: kernels.plusDi, lookback: "period", version: 2 },
  }),
  trendIndicator({
    name: "MINUS_DI",
    aliases: ["MinusDirectionalIndicator", "MDI"],
    description: "Minus directional indicator: Wilder-smoothed -DM over the smoothed true range, times 100.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.minusDi, lookback: "period", version: 2 },
  }),
  trendIndicator({
    name: "AROON",
    aliases: ["AroonIndicator"],
    description:
      "Aroon up/down (0-100): how recently within the last period+1 candles the highest high and lowest low occurred.",
    reads: ["high", "low"],
    params: paramsObject({ period: period(14) }),
    outputs: [
      { name: "up", key: "aroonUp" },
      { name: "down", key: "aroonDown" },
    ],
    talib: {
      kernel: kernels.aroon,
      lookback: "period",
      talibOutputs: { up: "outAroonUp", down: "outAroonDown" },
    },
    tradingSignals: { create: ({ period }) => new Aroon(period) },
  }),
  trendIndicator({
    name: "AROONOSC",
    aliases: ["AroonOscillator"],
    description: "Aroon oscillator: Aroon up minus Aroon down.",
    reads: ["high", "low"],
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.aroonosc, lookback: "period" },
  }),
  trendIndicator({
    name: "VortexIndicator",
    aliases: ["Vortex", "VI"],
    description:
      "Vortex indicator: upward and downward vortex movement over `period` candles, each divided by the true range sum.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(14) }),
    outputs: sameNamedOutputs("plus", "minus"),
    tradingSignals: { warmup: "period", create: ({ period }) => new VortexIndicator(period) },
  }),
  trendIndicator({
    name: "VHF",
    aliases: ["VerticalHorizontalFilter"],
    description:
      "Vertical horizontal filter: range of the last `period` closes over the sum of their absolute changes (high means trending).",
    reads: ["close"],
    params: paramsObject({ period: period(28) }),
    tradingSignals: { warmup: "period", create: ({ period }) => new VHF(period) },
  }),
  trendIndicator({
    name: "RandomWalkIndex",
    aliases: ["RWI"],
    description:
      "Random walk index: the largest move from a bar up to `period` bars back, over ATR times the square root of the distance, for highs and lows.",
    reads: ["high", "low", "close"],
    // Period 1 compares no distances at all and reports 0 forever. The class keeps one ATR per
    // distance 2..period, each O(distance) per candle, so the cost grows with period squared
    // (10k candles: 130 ms at 100, 1.3 s at 400, minutes at 10 000): capped well below MAX_PERIOD.
    params: paramsObject({ period: period(14, 2, 100) }),
    outputs: sameNamedOutputs("high", "low"),
    tradingSignals: { warmup: "period", create: ({ period }) => new RandomWalkIndex(period) },
  }),
];
