import {
  AD,
  ADOSC,
  CMF,
  EMV,
  ForceIndex,
  KVO,
  MarketFacilitationIndex,
  NVI,
  OBV,
  PVI,
  PVO,
  PVT,
  RVOL,
  VROC,
  VWMA,
  WAD,
} from "trading-signals";
import * as kernels from "../kernels/volume-flow.js";
import { indicatorFamily } from "./definition.js";
import { factor, fastSlowPeriods, paramsObject, period } from "./params.js";

/** Volume flow: accumulation, money flow and volume-weighted prices. */
const volumeIndicator = indicatorFamily("volume");

export const volumeFlow = [
  volumeIndicator({
    name: "OBV",
    aliases: ["OnBalanceVolume"],
    description: "On-balance volume: running total of volume signed by the close's direction.",
    reads: ["close", "volume"],
    talib: { kernel: kernels.obv, lookback: "0" },
    tradingSignals: {
      warmup: "1",
      difference: "Starts from 0 at the second candle; TA-Lib starts at the first candle's volume.",
      // The constructor argument is only the size of the look-back buffer; 2 is what the formula needs.
      create: () => new OBV(2),
    },
  }),
  volumeIndicator({
    name: "AD",
    aliases: ["ChaikinAD", "AccumulationDistribution"],
    description:
      "Chaikin accumulation/distribution line: running total of volume times ((close-low) - (high-close)) / (high-low).",
    reads: ["high", "low", "close", "volume"],
    talib: { kernel: kernels.ad, lookback: "0" },
    tradingSignals: { create: () => new AD() },
  }),
  volumeIndicator({
    name: "ADOSC",
    aliases: ["ChaikinOscillator", "ChaikinADOscillator"],
    description:
      "Chaikin A/D oscillator: EMA(fastPeriod) - EMA(slowPeriod) of the accumulation/distribution line.",
    reads: ["high", "low", "close", "volume"],
    params: fastSlowPeriods(3, 10),
    talib: {
      kernel: kernels.adosc,
      lookback: "max(fastPeriod, slowPeriod) - 1",
      toTalib: (p) => ({ optInFastPeriod: p.fastPeriod, optInSlowPeriod: p.slowPeriod }),
    },
    tradingSignals: {
      warmup: "slowPeriod - 1",
      create: ({ fastPeriod, slowPeriod }) => new ADOSC({ fastPeriod, slowPeriod }),
    },
  }),
  volumeIndicator({
    name: "CMF",
    aliases: ["ChaikinMoneyFlow"],
    description:
      "Chaikin money flow: money-flow volume summed over period bars divided by the volume summed.",
    reads: ["high", "low", "close", "volume"],
    params: paramsObject({ period: period(20) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new CMF(period) },
  }),
  volumeIndicator({
    name: "EMV",
    aliases: ["EaseOfMovement"],
    description:
      "Ease of movement: SMA(period) of the midpoint move divided by the box ratio (volume / volumeDivisor) / (high-low).",
    reads: ["high", "low", "volume"],
    params: paramsObject({ period: period(14), volumeDivisor: factor(100_000_000, 1e12) }),
    tradingSignals: {
      warmup: "period",
      create: ({ period, volumeDivisor }) => new EMV(period, volumeDivisor),
    },
  }),
  volumeIndicator({
    name: "ForceIndex",
    aliases: ["FI", "ElderForceIndex"],
    description: "Elder's force index: EMA(period) of (close - previous close) * volume.",
    reads: ["close", "volume"],
    params: paramsObject({ period: period(13) }),
    tradingSignals: { warmup: "period", create: ({ period }) => new ForceIndex(period) },
  }),
  volumeIndicator({
    name: "KVO",
    aliases: ["KlingerVolumeOscillator", "Klinger"],
    description:
      "Klinger volume oscillator: EMA(fastPeriod) - EMA(slowPeriod) of the volume force (no signal line).",
    reads: ["high", "low", "close", "volume"],
    params: fastSlowPeriods(34, 55),
    tradingSignals: {
      warmup: "1",
      warmupNote: "whatever the periods: both EMAs are seeded with the first volume force",
      create: ({ fastPeriod, slowPeriod }) => new KVO(fastPeriod, slowPeriod),
    },
  }),
  volumeIndicator({
    name: "MarketFacilitationIndex",
    aliases: ["MARKETFI", "BWMFI"],
    description: "Bill Williams' market facilitation index: (high - low) / volume; 0 on a zero-volume bar.",
    reads: ["high", "low", "volume"],
    tradingSignals: { warmup: "0", create: () => new MarketFacilitationIndex() },
  }),
  volumeIndicator({
    name: "NVI",
    aliases: ["NegativeVolumeIndex"],
    description:
      "Negative volume index: starts at 1000 and compounds the close's percent change on bars whose volume fell.",
    reads: ["close", "volume"],
    tradingSignals: { warmup: "0", create: () => new NVI() },
  }),
  volumeIndicator({
    name: "PVI",
    aliases: ["PositiveVolumeIndex"],
    description:
      "Positive volume index: starts at 1000 and compounds the close's percent change on bars whose volume rose.",
    reads: ["close", "volume"],
    tradingSignals: { warmup: "0", create: () => new PVI() },
  }),
  volumeIndicator({
    name: "PVO",
    aliases: ["PercentageVolumeOscillator"],
    description:
      "Percentage volume oscillator: 100 * (EMA(fastPeriod) - EMA(slowPeriod)) / EMA(slowPeriod) of volume (no signal line).",
    reads: ["volume"],
    input: "value",
    params: fastSlowPeriods(12, 26),
    tradingSignals: {
      warmup: "slowPeriod - 1",
      create: ({ fastPeriod, slowPeriod }) => new PVO({ fastPeriod, slowPeriod }),
    },
  }),
  volumeIndicator({
    name: "PVT",
    aliases: ["PriceVolumeTrend"],
    description: "Price volume trend: running total of volume times the close's fractional change.",
    reads: ["close", "volume"],
    tradingSignals: { warmup: "1", create: () => new PVT() },
  }),
  volumeIndicator({
    name: "RVOL",
    aliases: ["RelativeVolume"],
    description: "Relative volume: volume divided by the mean volume of the period bars before it.",
    reads: ["volume"],
    input: "value",
    params: paramsObject({ period: period(20) }),
    tradingSignals: { warmup: "period", create: ({ period }) => new RVOL(period) },
  }),
  volumeIndicator({
    name: "VROC",
    aliases: ["VolumeRateOfChange"],
    description: "Volume rate of change: percent change of volume versus period bars earlier.",
    reads: ["volume"],
    input: "value",
    params: paramsObject({ period: period(14) }),
    tradingSignals: { warmup: "period", create: ({ period }) => new VROC(period) },
  }),
  volumeIndicator({
    name: "VWMA",
    aliases: ["VolumeWeightedMovingAverage"],
    description: "Volume-weighted moving average: sum(close * volume) / sum(volume) over period bars.",
    reads: ["close", "volume"],
    params: paramsObject({ period: period(20) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new VWMA(period) },
  }),
  volumeIndicator({
    name: "WAD",
    aliases: ["WilliamsAD", "WilliamsAccumulationDistribution"],
    description:
      "Williams accumulation/distribution: running total of close minus the true low (up closes) or true high (down closes); reads no volume.",
    reads: ["high", "low", "close"],
    tradingSignals: { warmup: "1", create: () => new WAD() },
  }),
];
