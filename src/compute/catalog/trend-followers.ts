import {
  Alligator,
  ChandeKrollStop,
  ChandelierExit,
  GannHiLo,
  GatorOscillator,
  HigherLowTrail,
  IchimokuCloud,
  PSAR,
  SuperTrend,
  VolatilityStop,
  VWAP,
} from "trading-signals";
import * as kernels from "../kernels/trend-followers.js";
import { holdLastValue } from "./adapters.js";
import { indicatorFamily, sameNamedOutputs } from "./definition.js";
import { factor, paramsObject, period } from "./params.js";

/** Trend followers: stops, clouds and lines that sit under or over the price and flip with the trend. */
/** Shared by Alligator and GatorOscillator: the lines' periods and how many bars each is delayed. */
const alligatorParams = paramsObject({
  jawPeriod: period(13),
  jawShift: period(8, 0),
  teethPeriod: period(8),
  teethShift: period(5, 0),
  lipsPeriod: period(5),
  lipsShift: period(3, 0),
});

type AlligatorParams = ReturnType<typeof alligatorParams.parse>;

function alligatorConfig(p: AlligatorParams) {
  return {
    jawInterval: p.jawPeriod,
    jawShift: p.jawShift,
    teethInterval: p.teethPeriod,
    teethShift: p.teethShift,
    lipsInterval: p.lipsPeriod,
    lipsShift: p.lipsShift,
  };
}

const ALLIGATOR_WARMUP = "max(jawPeriod + jawShift, teethPeriod + teethShift, lipsPeriod + lipsShift) - 1";

const trendIndicator = indicatorFamily("trend");

export const trendFollowers = [
  trendIndicator({
    name: "SAR",
    aliases: ["PSAR", "ParabolicSAR"],
    description: "Wilder's parabolic stop and reverse.",
    reads: ["high", "low"],
    params: paramsObject({ acceleration: factor(0.02, 1), maximum: factor(0.2, 1) }).refine(
      (p) => p.acceleration < p.maximum,
      { message: "acceleration must be smaller than maximum", path: ["acceleration"] },
    ),
    talib: {
      kernel: kernels.sar,
      lookback: "1",
      toTalib: (p) => ({ optInAcceleration: p.acceleration, optInMaximum: p.maximum }),
    },
    tradingSignals: {
      difference:
        "Starts at index 1 like TA-Lib but handles reversals differently (and forces a flip to long 0.01 below the low), so values differ after the first reversal.",
      create: ({ acceleration, maximum }) =>
        new PSAR({ accelerationStep: acceleration, accelerationMax: maximum }),
    },
  }),
  trendIndicator({
    name: "SuperTrend",
    description:
      "SuperTrend: the trailing lower band (uptrend) or upper band (downtrend) of (high+low)/2 plus and minus multiplier*ATR.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(10), multiplier: factor(3) }),
    outputs: [{ name: "supertrend", key: "supertrend" }],
    tradingSignals: {
      warmup: "period - 1",
      create: ({ period, multiplier }) => new SuperTrend({ interval: period, multiplier }),
    },
  }),
  trendIndicator({
    name: "ChandelierExit",
    aliases: ["CE"],
    description:
      "Chandelier exit: highest high minus multiplier*ATR (long stop) and lowest low plus multiplier*ATR (short stop) over `period` candles.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(22), multiplier: factor(3) }),
    outputs: sameNamedOutputs("long", "short"),
    tradingSignals: {
      warmup: "period - 1",
      create: ({ period, multiplier }) => new ChandelierExit({ interval: period, multiplier }),
    },
  }),
  trendIndicator({
    name: "ChandeKrollStop",
    aliases: ["CKS"],
    description:
      "Chande Kroll stop: lowest of (lowest low + multiplier*ATR) as the long stop and highest of (highest high - multiplier*ATR) as the short stop over `stopPeriod` candles.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(10), multiplier: factor(1), stopPeriod: period(9) }),
    outputs: [
      { name: "long", key: "longStop" },
      { name: "short", key: "shortStop" },
    ],
    tradingSignals: {
      warmup: "period + stopPeriod - 2",
      create: ({ period, multiplier, stopPeriod }) =>
        new ChandeKrollStop({ interval: period, multiplier, stopInterval: stopPeriod }),
    },
  }),
  trendIndicator({
    name: "VolatilityStop",
    aliases: ["VSTOP"],
    description:
      "Volatility stop: a trailing stop multiplier*ATR from the close that flips side when the close crosses it.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(5), multiplier: factor(3.5) }),
    outputs: [{ name: "stop", key: "stop" }],
    tradingSignals: {
      warmup: "period - 1",
      create: ({ period, multiplier }) => new VolatilityStop({ interval: period, multiplier }),
    },
  }),
  trendIndicator({
    name: "GannHiLo",
    aliases: ["HILO", "GannHiLoActivator"],
    description:
      "Gann HiLo activator: the SMA of lows (after a close above the previous high-SMA) or of highs (after a close below the previous low-SMA).",
    reads: ["high", "low", "close"],
    params: paramsObject({ highPeriod: period(13), lowPeriod: period(21) }),
    outputs: [{ name: "line", key: "line" }],
    tradingSignals: {
      warmup: "min(max(highPeriod, lowPeriod - 1), max(lowPeriod, highPeriod - 1))",
      warmupNote:
        "at the first close beyond the previous high-SMA or low-SMA once the SMA of the other side exists",
      warmupDependsOnData: true,
      create: ({ highPeriod, lowPeriod }) =>
        new GannHiLo({ highInterval: highPeriod, lowInterval: lowPeriod }),
    },
  }),
  trendIndicator({
    name: "HigherLowTrail",
    description:
      "Rising trailing stop: the latest pullback low (a low followed by `lookback` strictly higher lows) that is above the previous trail level.",
    reads: ["low"],
    params: paramsObject({ lookback: period(1) }),
    tradingSignals: {
      warmup: "lookback",
      warmupNote: "at the first confirmed pullback low",
      warmupDependsOnData: true,
      // The class emits only when the trail moves up; the series holds the current trail level.
      create: ({ lookback }) => holdLastValue(new HigherLowTrail({ lookback })),
    },
  }),
  trendIndicator({
    name: "IchimokuCloud",
    aliases: ["Ichimoku"],
    description:
      "Ichimoku cloud lines as of each candle (no forward displacement, no lagging span): conversion, base, span A and span B midpoints.",
    reads: ["high", "low"],
    params: paramsObject({ conversionPeriod: period(9), basePeriod: period(26), spanBPeriod: period(52) }),
    outputs: sameNamedOutputs("conversion", "base", "spanA", "spanB"),
    tradingSignals: {
      warmup: "max(conversionPeriod, basePeriod, spanBPeriod) - 1",
      create: ({ conversionPeriod, basePeriod, spanBPeriod }) =>
        new IchimokuCloud({
          conversionInterval: conversionPeriod,
          baseInterval: basePeriod,
          spanBInterval: spanBPeriod,
        }),
    },
  }),
  trendIndicator({
    name: "Alligator",
    aliases: ["WilliamsAlligator"],
    description:
      "Bill Williams' Alligator: Wilder-smoothed median price (high+low)/2 over three periods, each line reported `shift` bars late (charts plot it `shift` bars ahead).",
    reads: ["high", "low"],
    params: alligatorParams,
    outputs: sameNamedOutputs("jaw", "teeth", "lips"),
    tradingSignals: { warmup: ALLIGATOR_WARMUP, create: (p) => new Alligator(alligatorConfig(p)) },
  }),
  trendIndicator({
    name: "GatorOscillator",
    aliases: ["Gator"],
    description:
      "Gator oscillator: |jaw - teeth| as the upper bar and -|teeth - lips| as the lower bar of the Alligator.",
    reads: ["high", "low"],
    params: alligatorParams,
    outputs: sameNamedOutputs("upper", "lower"),
    tradingSignals: { warmup: ALLIGATOR_WARMUP, create: (p) => new GatorOscillator(alligatorConfig(p)) },
  }),
  trendIndicator({
    name: "VWAP",
    aliases: ["VolumeWeightedAveragePrice"],
    description:
      "Volume-weighted average of the typical price (high+low+close)/3, cumulative from the first candle (no session reset).",
    reads: ["high", "low", "close", "volume"],
    tradingSignals: {
      warmup: "0",
      warmupNote: "at the first candle with non-zero volume",
      warmupDependsOnData: true,
      // The class returns null for a zero-volume candle, which leaves the cumulative VWAP unchanged.
      create: () => holdLastValue(new VWAP()),
    },
  }),
];
