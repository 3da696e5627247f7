import {
  ALMA,
  DEMA,
  DMA,
  EMA,
  FRAMA,
  HMA,
  HTTrendline,
  KAMA,
  MAMA,
  McGinleyDynamic,
  RMA,
  SMA,
  SMA15,
  SuperSmoother,
  T3,
  TEMA,
  TRIMA,
  VIDYA,
  WMA,
  WSMA,
  ZLEMA,
} from "trading-signals";
import * as kernels from "../kernels/moving-averages.js";
import { indicatorFamily, sameNamedOutputs } from "./definition.js";
import { bounded, factor, paramsObject, period } from "./params.js";

/** Moving averages of one series: each smooths the close its own way. */
const trendIndicator = indicatorFamily("trend");

export const movingAverages = [
  trendIndicator({
    name: "SMA",
    aliases: ["SimpleMovingAverage"],
    description: "Simple moving average: the mean of the last `period` closes.",
    reads: ["close"],
    params: paramsObject({ period: period(20) }),
    talib: { kernel: kernels.sma, lookback: "period - 1" },
    tradingSignals: { create: ({ period }) => new SMA(period) },
  }),
  trendIndicator({
    name: "EMA",
    aliases: ["ExponentialMovingAverage"],
    description: "Exponential moving average with smoothing 2/(period+1).",
    reads: ["close"],
    params: paramsObject({ period: period(20) }),
    talib: { kernel: kernels.ema, lookback: "period - 1" },
    tradingSignals: {
      warmupNote: "earlier values are unseeded and masked",
      difference:
        "Seeds with the first close, TA-Lib with the SMA of the first period closes; values converge after a few periods.",
      create: ({ period }) => new EMA(period),
    },
  }),
  trendIndicator({
    name: "WMA",
    aliases: ["WeightedMovingAverage"],
    description: "Linearly weighted moving average of the last `period` closes (newest weighs most).",
    reads: ["close"],
    params: paramsObject({ period: period(20) }),
    talib: { kernel: kernels.wma, lookback: "period - 1" },
    tradingSignals: { create: ({ period }) => new WMA(period) },
  }),
  trendIndicator({
    name: "DEMA",
    aliases: ["DoubleExponentialMovingAverage"],
    description: "Double exponential moving average: 2*EMA - EMA(EMA).",
    reads: ["close"],
    params: paramsObject({ period: period(20) }),
    talib: { kernel: kernels.dema, lookback: "2 * (period - 1)" },
    tradingSignals: {
      warmup: "period - 1",
      difference:
        "Both EMAs seed with the first close and values start at index period-1; TA-Lib seeds with SMAs and starts at 2*period-2.",
      create: ({ period }) => new DEMA(period),
    },
  }),
  trendIndicator({
    name: "TEMA",
    aliases: ["TripleExponentialMovingAverage"],
    description: "Triple exponential moving average: 3*EMA - 3*EMA(EMA) + EMA(EMA(EMA)).",
    reads: ["close"],
    params: paramsObject({ period: period(20) }),
    talib: { kernel: kernels.tema, lookback: "3 * (period - 1)" },
    tradingSignals: {
      difference:
        "Each of the three EMAs seeds with its first input instead of an SMA; same start index as TA-Lib, values converge after a few dozen bars.",
      create: ({ period }) => new TEMA(period),
    },
  }),
  trendIndicator({
    name: "TRIMA",
    aliases: ["TriangularMovingAverage"],
    description: "Triangular moving average: triangle-weighted mean of the last `period` closes.",
    reads: ["close"],
    params: paramsObject({ period: period(20) }),
    talib: { kernel: kernels.trima, lookback: "period - 1" },
    tradingSignals: { create: ({ period }) => new TRIMA(period) },
  }),
  trendIndicator({
    name: "KAMA",
    aliases: ["KaufmanAdaptiveMovingAverage"],
    description:
      "Kaufman adaptive moving average: smoothing between 2/3 and 2/31 set by the efficiency ratio over `period` closes.",
    reads: ["close"],
    params: paramsObject({ period: period(10) }),
    talib: { kernel: kernels.kama, lookback: "period" },
    tradingSignals: {
      warmup: "period - 1",
      warmupNote: "where it equals the close (the seed)",
      difference:
        "Also emits the seed (the close itself) at index period-1, one bar before TA-Lib; from index period on the values are identical.",
      create: ({ period }) => new KAMA(period),
    },
  }),
  trendIndicator({
    name: "T3",
    aliases: ["TillsonT3"],
    description: "Tillson T3: six chained EMAs combined with weights from the volume factor.",
    reads: ["close"],
    params: paramsObject({ period: period(5), volumeFactor: bounded(0.7, 0, 1) }),
    talib: {
      kernel: kernels.t3,
      lookback: "6 * (period - 1)",
      toTalib: (p) => ({ optInTimePeriod: p.period, optInVFactor: p.volumeFactor }),
    },
    tradingSignals: {
      difference:
        "Each of the six EMAs seeds with its first input instead of an SMA; same start index as TA-Lib, values converge after a few dozen bars.",
      create: ({ period, volumeFactor }) => new T3(period, volumeFactor),
    },
  }),
  trendIndicator({
    name: "MAMA",
    aliases: ["MESAAdaptiveMovingAverage"],
    description:
      "Ehlers' MESA adaptive moving average and its following average (FAMA), with smoothing set by the Hilbert-transform phase rate.",
    reads: ["close"],
    params: paramsObject({ fastLimit: bounded(0.5, 0.01, 0.99), slowLimit: bounded(0.05, 0.01, 0.99) }),
    outputs: sameNamedOutputs("mama", "fama"),
    tradingSignals: {
      warmup: "32",
      create: ({ fastLimit, slowLimit }) => new MAMA({ fastLimit, slowLimit }),
    },
  }),
  trendIndicator({
    name: "HT_TRENDLINE",
    aliases: ["HTTrendline", "HilbertTransformTrendline"],
    description:
      "Ehlers' Hilbert transform instantaneous trendline: the close averaged over the measured dominant cycle.",
    reads: ["close"],
    tradingSignals: { warmup: "63", create: () => new HTTrendline() },
  }),
  trendIndicator({
    name: "ALMA",
    aliases: ["ArnaudLegouxMovingAverage"],
    description:
      "Arnaud Legoux moving average: Gaussian-weighted mean of the last `period` closes, peaked at `offset` of the window with width period/sigma.",
    reads: ["close"],
    params: paramsObject({
      period: period(9),
      offset: bounded(0.85, 0, 1),
      // From about 200 up, every Gaussian weight of a short window can underflow to 0 (0/0 = NaN).
      sigma: factor(6, 100),
    }),
    tradingSignals: {
      warmup: "period - 1",
      create: ({ period, offset, sigma }) => new ALMA(period, offset, sigma),
    },
  }),
  trendIndicator({
    name: "DMA",
    aliases: ["DualMovingAverage"],
    description: "Dual moving average: a short and a long SMA of the close, for crossover signals.",
    reads: ["close"],
    params: paramsObject({ shortPeriod: period(5), longPeriod: period(9) }).refine(
      (p) => p.shortPeriod < p.longPeriod,
      { message: "shortPeriod must be smaller than longPeriod", path: ["shortPeriod"] },
    ),
    outputs: sameNamedOutputs("short", "long"),
    tradingSignals: {
      warmup: "longPeriod - 1",
      create: ({ shortPeriod, longPeriod }) => new DMA(shortPeriod, longPeriod),
    },
  }),
  trendIndicator({
    name: "FRAMA",
    aliases: ["FractalAdaptiveMovingAverage"],
    description:
      "Ehlers' fractal adaptive moving average: an EMA whose smoothing follows the fractal dimension of the last `period` closes.",
    reads: ["close"],
    params: paramsObject({ period: period(16, 2) }).refine((p) => p.period % 2 === 0, {
      message: "period must be even",
      path: ["period"],
    }),
    tradingSignals: {
      warmup: "period - 1",
      warmupNote: "where it equals the close (the seed)",
      create: ({ period }) => new FRAMA(period),
    },
  }),
  trendIndicator({
    name: "HMA",
    aliases: ["HullMovingAverage"],
    description: "Hull moving average: WMA over floor(sqrt(period)) of 2*WMA(period/2) - WMA(period).",
    reads: ["close"],
    // Period 1 makes the half-period WMA a WMA of 0 prices (NaN).
    params: paramsObject({ period: period(14, 2) }),
    tradingSignals: { warmup: "period + floor(sqrt(period)) - 2", create: ({ period }) => new HMA(period) },
  }),
  trendIndicator({
    name: "McGinleyDynamic",
    aliases: ["McGinley"],
    description:
      "McGinley dynamic: a moving average whose speed adapts to the ratio of the close to the previous value (constant 0.6).",
    reads: ["close"],
    // With period 1 the line overshoots the close on every bar (each step is 1/0.6 of the gap).
    params: paramsObject({ period: period(14, 2) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new McGinleyDynamic(period) },
  }),
  trendIndicator({
    name: "RMA",
    aliases: ["RelativeMovingAverage"],
    description:
      "Relative (running) moving average: an EMA with smoothing 1/period, seeded with the first close.",
    reads: ["close"],
    params: paramsObject({ period: period(14) }),
    tradingSignals: {
      warmup: "period - 1",
      warmupNote: "earlier values are unseeded and masked",
      create: ({ period }) => new RMA(period),
    },
  }),
  trendIndicator({
    name: "SMA15",
    aliases: ["SpencerMovingAverage", "Spencer15"],
    description: "Spencer's 15-point weighted moving average.",
    reads: ["close"],
    tradingSignals: { warmup: "14", create: () => new SMA15(15) },
  }),
  trendIndicator({
    name: "SuperSmoother",
    aliases: ["EhlersSuperSmoother"],
    description: "Ehlers' two-pole super smoother filter of the close.",
    reads: ["close"],
    params: paramsObject({ period: period(10) }),
    tradingSignals: {
      warmup: "period - 1",
      warmupNote: "the filter starts from the first closes",
      create: ({ period }) => new SuperSmoother(period),
    },
  }),
  trendIndicator({
    name: "VIDYA",
    aliases: ["VariableIndexDynamicAverage"],
    description:
      "Chande's variable index dynamic average: an EMA(period) whose smoothing is scaled by |CMO(period)|/100, seeded with the first close.",
    reads: ["close"],
    params: paramsObject({ period: period(10) }),
    tradingSignals: { warmup: "period", create: ({ period }) => new VIDYA(period) },
  }),
  trendIndicator({
    name: "WSMA",
    aliases: ["WildersSmoothedMovingAverage", "SMMA"],
    description:
      "Wilder's smoothed moving average: seeded with the SMA of the first `period` closes, then smoothing 1/period.",
    reads: ["close"],
    params: paramsObject({ period: period(14) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new WSMA(period) },
  }),
  trendIndicator({
    name: "ZLEMA",
    aliases: ["ZeroLagExponentialMovingAverage", "ZeroLagEMA"],
    description: "Zero-lag EMA: an EMA of 2*close - close (period-1)/2 bars ago.",
    reads: ["close"],
    params: paramsObject({ period: period(20) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new ZLEMA(period) },
  }),
];
