import {
  AccelerationBands,
  ATR,
  BollingerBands,
  BollingerBandsWidth,
  CHOP,
  CVI,
  DonchianChannels,
  GAPO,
  IQR,
  KeltnerChannels,
  MAD,
  MassIndex,
  NATR,
  PercentB,
  ProjectionOscillator,
  RelativeVolatilityIndex,
  RogersSatchellVolatility,
  TR,
  TTMSqueeze,
  UlcerIndex,
} from "trading-signals";
import * as kernels from "../kernels/bands-volatility.js";
import { indicatorFamily, sameNamedOutputs } from "./definition.js";
import { factor, paramsObject, period } from "./params.js";

/** Bands, channels and volatility: how far prices range, and envelopes drawn from it. */
const BAND_OUTPUTS = [
  { name: "upper", key: "upper" },
  { name: "middle", key: "middle" },
  { name: "lower", key: "lower" },
] as const;

const volatilityIndicator = indicatorFamily("volatility");

export const bandsAndVolatility = [
  volatilityIndicator({
    name: "BBANDS",
    aliases: ["BollingerBands"],
    description: "Bollinger Bands: SMA(period) plus and minus stdDev population standard deviations.",
    reads: ["close"],
    params: paramsObject({ period: period(20), stdDev: factor(2) }),
    outputs: sameNamedOutputs("upper", "middle", "lower"),
    talib: {
      kernel: kernels.bbands,
      lookback: "period - 1",
      toTalib: (p) => ({
        optInTimePeriod: p.period,
        optInNbDevUp: p.stdDev,
        optInNbDevDn: p.stdDev,
        optInMAType: 0,
      }),
      talibOutputs: { upper: "outRealUpperBand", middle: "outRealMiddleBand", lower: "outRealLowerBand" },
    },
    tradingSignals: { create: ({ period, stdDev }) => new BollingerBands(period, stdDev) },
  }),
  volatilityIndicator({
    name: "ATR",
    aliases: ["AverageTrueRange"],
    description: "Average true range, smoothed with Wilder's moving average (RMA).",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(14) }),
    talib: { kernel: kernels.atr, lookback: "period" },
    tradingSignals: {
      warmup: "period - 1",
      difference:
        "Counts the first candle's high-low as a true range, so values start one bar earlier than TA-Lib (index period-1, TA-Lib period) and differ slightly until the smoothing forgets the seed.",
      create: ({ period }) => new ATR(period),
    },
  }),
  volatilityIndicator({
    name: "ACCBANDS",
    aliases: ["AccelerationBands", "ABANDS"],
    description:
      "Price Headley's acceleration bands: SMAs of high*(1+k) and low*(1-k), k = width*(high-low)/(high+low), around an SMA of close.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(20, 2), width: factor(4) }),
    outputs: BAND_OUTPUTS,
    tradingSignals: {
      warmup: "period - 1",
      difference: "Matches TA-Lib at width 4, which TA-Lib fixes; other widths have no TA-Lib equivalent.",
      create: ({ period, width }) => new AccelerationBands(period, width),
    },
  }),
  volatilityIndicator({
    name: "BollingerBandsWidth",
    aliases: ["BBW", "BBWidth"],
    description: "Bollinger Band width: (upper - lower) / middle of BBANDS(period, stdDev).",
    reads: ["close"],
    params: paramsObject({ period: period(20), stdDev: factor(2) }),
    tradingSignals: {
      warmup: "period - 1",
      create: ({ period, stdDev }) => new BollingerBandsWidth(new BollingerBands(period, stdDev)),
    },
  }),
  volatilityIndicator({
    name: "CHOP",
    aliases: ["ChoppinessIndex"],
    description:
      "Choppiness index (0-100): 100*log10(sum of true ranges / true high-low range) / log10(period); high means sideways.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(14, 2) }),
    tradingSignals: { warmup: "period", create: ({ period }) => new CHOP(period) },
  }),
  volatilityIndicator({
    name: "CVI",
    aliases: ["ChaikinVolatility"],
    description:
      "Chaikin volatility: percent change of the EMA(period) of high-low over the last period bars.",
    reads: ["high", "low"],
    params: paramsObject({ period: period(10) }),
    tradingSignals: { warmup: "2 * period - 1", create: ({ period }) => new CVI(period) },
  }),
  volatilityIndicator({
    name: "DonchianChannels",
    aliases: ["Donchian", "DC"],
    description: "Donchian channels: highest high, lowest low and their midpoint over period bars.",
    reads: ["high", "low"],
    params: paramsObject({ period: period(20) }),
    outputs: BAND_OUTPUTS,
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new DonchianChannels(period) },
  }),
  volatilityIndicator({
    name: "GAPO",
    aliases: ["GopalakrishnanRangeIndex"],
    description: "Gopalakrishnan range index: log(highest high - lowest low) / log(period) over period bars.",
    reads: ["high", "low"],
    params: paramsObject({ period: period(14, 2) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new GAPO(period) },
  }),
  volatilityIndicator({
    name: "IQR",
    aliases: ["InterquartileRange"],
    description:
      "Interquartile range (Q3 - Q1, medians of the lower and upper halves) of the last period closes.",
    reads: ["close"],
    // Period 1 would take the median of an empty lower half, which throws.
    // The class sorts its whole window on every candle: O(period log period) per candle.
    params: paramsObject({ period: period(14, 2, 1_000) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new IQR(period) },
  }),
  volatilityIndicator({
    name: "KeltnerChannels",
    aliases: ["Keltner", "KC"],
    description: "Keltner channels: EMA(emaPeriod) of close plus and minus multiplier times ATR(atrPeriod).",
    reads: ["high", "low", "close"],
    params: paramsObject({ emaPeriod: period(20), atrPeriod: period(10), multiplier: factor(2) }),
    outputs: BAND_OUTPUTS,
    tradingSignals: {
      warmup: "max(emaPeriod, atrPeriod) - 1",
      create: ({ emaPeriod, atrPeriod, multiplier }) =>
        new KeltnerChannels({ atrInterval: atrPeriod, emaInterval: emaPeriod, multiplier }),
    },
  }),
  volatilityIndicator({
    name: "AVGDEV",
    aliases: ["MAD", "MeanAbsoluteDeviation"],
    description: "Mean absolute deviation of the last period closes from their mean.",
    reads: ["close"],
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.avgdev, lookback: "period - 1" },
    tradingSignals: { create: ({ period }) => new MAD(period) },
  }),
  volatilityIndicator({
    name: "MassIndex",
    aliases: ["MI"],
    description:
      "Mass index: sum over period bars of EMA9(high-low) / EMA9(EMA9(high-low)); the EMA length is fixed at 9.",
    reads: ["high", "low"],
    params: paramsObject({ period: period(25) }),
    tradingSignals: { warmup: "period + 15", create: ({ period }) => new MassIndex(period) },
  }),
  volatilityIndicator({
    name: "NATR",
    aliases: ["NormalizedAverageTrueRange"],
    description: "Normalized average true range: 100 * ATR(period) / close.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(14) }),
    talib: { kernel: kernels.natr, lookback: "period" },
    tradingSignals: {
      warmup: "period - 1",
      difference:
        "Counts the first candle's high-low as a true range, so values start one bar earlier than TA-Lib (index period-1, TA-Lib period) and differ slightly until the Wilder smoothing forgets the seed.",
      create: ({ period }) => new NATR(period),
    },
  }),
  volatilityIndicator({
    name: "PercentB",
    aliases: ["PB", "BollingerPercentB"],
    description:
      "Bollinger %B: (close - lower) / (upper - lower) of BBANDS(period, stdDev); 0.5 when the bands collapse.",
    reads: ["close"],
    params: paramsObject({ period: period(20), stdDev: factor(2) }),
    tradingSignals: {
      warmup: "period - 1",
      create: ({ period, stdDev }) => new PercentB({ interval: period, deviationMultiplier: stdDev }),
    },
  }),
  volatilityIndicator({
    name: "ProjectionOscillator",
    aliases: ["PO"],
    description:
      "Projection oscillator (0-100): close's position between regression-slope-projected highs and lows of the last period bars.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(14, 2) }),
    tradingSignals: {
      warmup: "period - 1",
      create: ({ period }) => new ProjectionOscillator({ interval: period }),
    },
  }),
  volatilityIndicator({
    name: "RogersSatchellVolatility",
    aliases: ["RSV", "RogersSatchell"],
    description:
      "Rogers-Satchell volatility: square root of the mean over period bars of ln(H/C)ln(H/O) + ln(L/C)ln(L/O), per bar (not annualized).",
    reads: ["open", "high", "low", "close"],
    params: paramsObject({ period: period(14) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new RogersSatchellVolatility(period) },
  }),
  volatilityIndicator({
    name: "RelativeVolatilityIndex",
    aliases: ["RelativeVolatility"],
    description:
      "Dorsey's relative volatility index (0-100): RSI-style ratio of Wilder-smoothed stdDevPeriod standard deviations on up versus down closes.",
    reads: ["close"],
    params: paramsObject({ period: period(14), stdDevPeriod: period(10, 2) }),
    tradingSignals: {
      warmup: "stdDevPeriod + period - 2",
      create: ({ period, stdDevPeriod }) =>
        new RelativeVolatilityIndex({ interval: period, stddevInterval: stdDevPeriod }),
    },
  }),
  volatilityIndicator({
    name: "TTMSqueeze",
    aliases: ["SQUEEZE", "SqueezeMomentum"],
    description:
      "TTM Squeeze momentum: linear-regression value of close minus the mean of the Donchian midline and SMA over period bars (the boolean squeeze flag is not exposed).",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(20, 2) }),
    outputs: [{ name: "momentum", key: "momentum" }],
    tradingSignals: {
      warmup: "2 * period - 2",
      // Band periods and multipliers only decide the (unexposed) isSqueezed flag; the Bollinger period
      // follows `period` so it never delays the momentum.
      create: ({ period }) => new TTMSqueeze({ bbInterval: period, kcInterval: period }),
    },
  }),
  volatilityIndicator({
    name: "TRANGE",
    aliases: ["TR", "TrueRange"],
    description: "True range: max(high-low, |high-previous close|, |low-previous close|).",
    reads: ["high", "low", "close"],
    talib: { kernel: kernels.trange, lookback: "1" },
    tradingSignals: {
      warmup: "0",
      difference:
        "Emits high-low for the first candle, so values start one bar earlier than TA-Lib (index 0, TA-Lib 1); identical afterwards.",
      create: () => new TR(),
    },
  }),
  volatilityIndicator({
    name: "UlcerIndex",
    aliases: ["UI", "Ulcer"],
    description:
      "Ulcer index: root mean square of percentage drawdowns from the running high within period closes.",
    reads: ["close"],
    params: paramsObject({ period: period(14) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new UlcerIndex(period) },
  }),
  volatilityIndicator({
    name: "VAR",
    aliases: ["Variance"],
    description: "Population variance of the last period closes.",
    reads: ["close"],
    // A one-candle window's variance is 0 whatever the prices (TA-Lib accepts it; STDDEV starts at 2 too).
    params: paramsObject({ period: period(5, 2) }),
    talib: {
      kernel: kernels.variance,
      lookback: "period - 1",
      // TA-Lib's VAR takes an optInNbDev it does not use; 1 is its default.
      toTalib: (p) => ({ optInTimePeriod: p.period, optInNbDev: 1 }),
    },
  }),
  volatilityIndicator({
    name: "STDDEV",
    aliases: ["StandardDeviation"],
    description: "Population standard deviation of the last period closes, times stdDev.",
    reads: ["close"],
    params: paramsObject({ period: period(5, 2), stdDev: factor(1) }),
    talib: {
      kernel: kernels.stddev,
      lookback: "period - 1",
      toTalib: (p) => ({ optInTimePeriod: p.period, optInNbDev: p.stdDev }),
    },
  }),
];
