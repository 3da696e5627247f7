import {
  AC,
  AccumulativeSwingIndex,
  AO,
  APO,
  BOP,
  CCI,
  CFO,
  CG,
  CMO,
  ConnorsRSI,
  CoppockCurve,
  DeMarker,
  DerivativeOscillator,
  DisparityIndex,
  DPO,
  ElderRay,
  EMA,
  ER,
  FisherTransform,
  IBS,
  IMI,
  KST,
  LaguerreRSI,
  MACD,
  MFI,
  MOM,
  PGO,
  PMO,
  PPO,
  PSL,
  QQE,
  Qstick,
  RCI,
  RelativeVigorIndex,
  RMI,
  ROC,
  RSI,
  SwingIndex,
  TRIX,
  TSI,
  UltimateOscillator,
  WaddahAttarExplosion,
  WaveTrend,
} from "trading-signals";
import * as kernels from "../kernels/momentum.js";
import { indicatorFamily, sameNamedOutputs, TALIB_MA_TYPE } from "./definition.js";
import { bounded, factor, fastSlowPeriods, paramsObject, period } from "./params.js";

/** Momentum oscillators: rates of change, price oscillators and the strength of moves. */
/*
 * trading-signals momentum classes left out on purpose:
 * - TDS (TD Sequential setup) returns a value only on the candle that completes a 9-count setup
 *   and null on every other candle, so there is no warm-up after which values are continuous.
 * - REI sums over the whole history instead of a rolling window (so it is not DeMark's REI), keeps
 *   every candle and is quadratic in the series length (~1.3 s for 20k candles, ~30 s for 100k extrapolated).
 * - OBV is in volume-flow.ts.
 */

const momentumIndicator = indicatorFamily("momentum");

export const momentum = [
  momentumIndicator({
    name: "RSI",
    aliases: ["RelativeStrengthIndex"],
    description: "Wilder's relative strength index (0-100).",
    reads: ["close"],
    // trading-signals' RSI(1) keeps only one previous price and never produces a value.
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.rsi, lookback: "period" },
    tradingSignals: { create: ({ period }) => new RSI(period) },
  }),
  momentumIndicator({
    name: "MACD",
    aliases: ["MovingAverageConvergenceDivergence"],
    description:
      "Moving average convergence/divergence: EMA(fast) - EMA(slow), its signal EMA and the histogram.",
    reads: ["close"],
    params: paramsObject({ fastPeriod: period(12), slowPeriod: period(26), signalPeriod: period(9) }).refine(
      (p) => p.fastPeriod < p.slowPeriod,
      { message: "fastPeriod must be smaller than slowPeriod", path: ["fastPeriod"] },
    ),
    outputs: sameNamedOutputs("macd", "signal", "histogram"),
    talib: {
      kernel: kernels.macd,
      lookback: "slowPeriod + signalPeriod - 2",
      toTalib: (p) => ({
        optInFastPeriod: p.fastPeriod,
        optInSlowPeriod: p.slowPeriod,
        optInSignalPeriod: p.signalPeriod,
      }),
      talibOutputs: { macd: "outMACD", signal: "outMACDSignal", histogram: "outMACDHist" },
    },
    tradingSignals: {
      warmup: "slowPeriod - 1",
      difference:
        "EMAs seed with the first close and output starts at index slowPeriod-1; TA-Lib seeds with SMAs and starts at slowPeriod+signalPeriod-2.",
      create: ({ fastPeriod, slowPeriod, signalPeriod }) =>
        new MACD(new EMA(fastPeriod), new EMA(slowPeriod), new EMA(signalPeriod)),
    },
  }),
  momentumIndicator({
    name: "AC",
    aliases: ["AcceleratorOscillator", "AccelerationDeceleration"],
    description:
      "Bill Williams' accelerator oscillator: the awesome oscillator minus its SMA over signalPeriod.",
    reads: ["high", "low"],
    params: paramsObject({ shortPeriod: period(5), longPeriod: period(34), signalPeriod: period(5) }).refine(
      (p) => p.shortPeriod < p.longPeriod,
      { message: "shortPeriod must be smaller than longPeriod", path: ["shortPeriod"] },
    ),
    tradingSignals: {
      warmup: "longPeriod + signalPeriod - 2",
      warmupNote: "a candle where the awesome oscillator is exactly 0 gets no value",
      create: ({ shortPeriod, longPeriod, signalPeriod }) => new AC(shortPeriod, longPeriod, signalPeriod),
    },
  }),
  momentumIndicator({
    name: "AO",
    aliases: ["AwesomeOscillator"],
    description:
      "Bill Williams' awesome oscillator: SMA(shortPeriod) minus SMA(longPeriod) of the median price (high+low)/2.",
    reads: ["high", "low"],
    params: paramsObject({ shortPeriod: period(5), longPeriod: period(34) }).refine(
      (p) => p.shortPeriod < p.longPeriod,
      { message: "shortPeriod must be smaller than longPeriod", path: ["shortPeriod"] },
    ),
    tradingSignals: {
      warmup: "longPeriod - 1",
      create: ({ shortPeriod, longPeriod }) => new AO(shortPeriod, longPeriod),
    },
  }),
  momentumIndicator({
    name: "APO",
    aliases: ["AbsolutePriceOscillator"],
    description: "Absolute price oscillator: EMA(fastPeriod) minus EMA(slowPeriod) of the close.",
    reads: ["close"],
    params: fastSlowPeriods(12, 26),
    talib: {
      kernel: kernels.apo,
      lookback: "slowPeriod - 1",
      toTalib: (p) => ({
        optInFastPeriod: p.fastPeriod,
        optInSlowPeriod: p.slowPeriod,
        optInMAType: TALIB_MA_TYPE.EMA,
      }),
    },
    tradingSignals: {
      difference:
        "Always EMAs seeded with the first close; TA-Lib's default MA type is SMA, and its EMA seeds with an SMA.",
      create: ({ fastPeriod, slowPeriod }) => new APO({ fastPeriod, slowPeriod }),
    },
  }),
  momentumIndicator({
    name: "BOP",
    aliases: ["BalanceOfPower"],
    description: "Balance of power: (close-open)/(high-low), 0 when the candle has no range.",
    reads: ["open", "high", "low", "close"],
    talib: { kernel: kernels.bop, lookback: "0" },
    tradingSignals: { create: () => new BOP() },
  }),
  momentumIndicator({
    name: "CCI",
    aliases: ["CommodityChannelIndex"],
    description:
      "Commodity channel index: typical price minus its SMA, over 0.015 times the mean absolute deviation.",
    reads: ["high", "low", "close"],
    // A one-candle window has zero mean deviation, so every value would be 0/0.
    params: paramsObject({ period: period(14, 2) }),
    talib: { kernel: kernels.cci, lookback: "period - 1" },
    tradingSignals: {
      difference:
        "Same numbers, except a window of identical typical prices (zero deviation) gives no value where TA-Lib gives 0.",
      create: ({ period }) => new CCI(period),
    },
  }),
  momentumIndicator({
    name: "CFO",
    aliases: ["ChandeForecastOscillator"],
    description:
      "Chande forecast oscillator: percent distance of the close from the linear-regression forecast of the previous period closes.",
    reads: ["close"],
    // The class throws below 2: a regression needs two points.
    params: paramsObject({ period: period(14, 2) }),
    tradingSignals: { warmup: "period", create: ({ period }) => new CFO(period) },
  }),
  momentumIndicator({
    name: "CG",
    aliases: ["CenterOfGravity", "CenterOfGravityOscillator"],
    description: "Ehlers' center of gravity: position-weighted average of the last period closes.",
    reads: ["close"],
    params: paramsObject({ period: period(10), signalPeriod: period(10) }),
    tradingSignals: {
      warmup: "signalPeriod - 1",
      warmupNote: "if signalPeriod < period the first values use a partial window",
      create: ({ period, signalPeriod }) => new CG(period, signalPeriod),
    },
  }),
  momentumIndicator({
    name: "CMO",
    aliases: ["ChandeMomentumOscillator"],
    description:
      "Chande momentum oscillator: 100*(gains-losses)/(gains+losses) over the last period changes.",
    reads: ["close"],
    params: paramsObject({ period: period(14) }),
    talib: { kernel: kernels.cmo, lookback: "period" },
    tradingSignals: {
      difference:
        "Plain sums of gains and losses over a rolling window (Chande's formula); TA-Lib smooths them Wilder-style like RSI.",
      create: ({ period }) => new CMO(period),
    },
  }),
  momentumIndicator({
    name: "CoppockCurve",
    aliases: ["Coppock", "CoppockIndicator"],
    description: "Coppock curve: WMA of the sum of two rates of change (in percent).",
    reads: ["close"],
    params: paramsObject({ longRocPeriod: period(14), shortRocPeriod: period(11), wmaPeriod: period(10) }),
    tradingSignals: {
      warmup: "max(longRocPeriod, shortRocPeriod) + wmaPeriod - 1",
      create: ({ longRocPeriod, shortRocPeriod, wmaPeriod }) =>
        new CoppockCurve({
          longRocInterval: longRocPeriod,
          shortRocInterval: shortRocPeriod,
          wmaInterval: wmaPeriod,
        }),
    },
  }),
  momentumIndicator({
    name: "ConnorsRSI",
    aliases: ["CRSI", "ConnorsRelativeStrengthIndex"],
    description:
      "Connors RSI: mean of RSI(close), RSI of the up/down streak length and the percent rank of the latest return.",
    reads: ["close"],
    // trading-signals' RSI(1) never produces a value, hence the minimum of 2 for both RSIs.
    params: paramsObject({
      rsiPeriod: period(3, 2),
      streakRsiPeriod: period(2, 2),
      percentRankPeriod: period(100),
    }),
    tradingSignals: {
      warmup: "max(rsiPeriod, streakRsiPeriod + 1, percentRankPeriod + 1)",
      create: ({ rsiPeriod, streakRsiPeriod, percentRankPeriod }) =>
        new ConnorsRSI({
          rsiInterval: rsiPeriod,
          streakRsiInterval: streakRsiPeriod,
          percentRankInterval: percentRankPeriod,
        }),
    },
  }),
  momentumIndicator({
    name: "DeMarker",
    aliases: ["DEM", "DeMarkerIndicator"],
    description: "DeMarker: sum of high increases over the sum of high increases and low decreases (0-1).",
    reads: ["high", "low"],
    params: paramsObject({ period: period(14) }),
    tradingSignals: { warmup: "period", create: ({ period }) => new DeMarker({ interval: period }) },
  }),
  momentumIndicator({
    name: "DisparityIndex",
    aliases: ["Disparity", "DisparityOscillator"],
    description: "Disparity index: percent distance of the close from its SMA.",
    reads: ["close"],
    params: paramsObject({ period: period(14) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new DisparityIndex(period) },
  }),
  momentumIndicator({
    name: "DerivativeOscillator",
    aliases: ["DOSC"],
    description: "Derivative oscillator: RSI double-smoothed by two EMAs, minus an SMA signal of that.",
    reads: ["close"],
    // trading-signals' RSI(1) never produces a value.
    params: paramsObject({
      rsiPeriod: period(14, 2),
      firstSmoothingPeriod: period(5),
      secondSmoothingPeriod: period(3),
      signalPeriod: period(9),
    }),
    tradingSignals: {
      warmup: "rsiPeriod + firstSmoothingPeriod + secondSmoothingPeriod + signalPeriod - 3",
      create: ({ rsiPeriod, firstSmoothingPeriod, secondSmoothingPeriod, signalPeriod }) =>
        new DerivativeOscillator({
          rsiInterval: rsiPeriod,
          ema1Interval: firstSmoothingPeriod,
          ema2Interval: secondSmoothingPeriod,
          smaInterval: signalPeriod,
        }),
    },
  }),
  momentumIndicator({
    name: "DPO",
    aliases: ["DetrendedPriceOscillator"],
    description:
      "Detrended price oscillator: the close floor(period/2)+1 candles back minus the current SMA(period).",
    reads: ["close"],
    params: paramsObject({ period: period(20) }),
    tradingSignals: {
      warmup: "max(period - 1, floor(period / 2) + 1)",
      create: ({ period }) => new DPO(period),
    },
  }),
  momentumIndicator({
    name: "ER",
    aliases: ["EfficiencyRatio"],
    description:
      "Efficiency ratio as trading-signals defines it: |close change over the window| divided by the window's high-low range (0-1).",
    reads: ["high", "low", "close"],
    // With one candle the net change is always 0, so the value would be constant.
    params: paramsObject({ period: period(10, 2) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new ER(period) },
  }),
  momentumIndicator({
    name: "ElderRay",
    aliases: ["ElderRayIndex", "ERI"],
    description: "Elder-ray index: bull power (high - EMA of close) and bear power (low - EMA of close).",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(13) }),
    outputs: sameNamedOutputs("bullPower", "bearPower"),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new ElderRay(period) },
  }),
  momentumIndicator({
    name: "FisherTransform",
    aliases: ["Fisher", "EhlersFisherTransform"],
    description: "Ehlers' Fisher transform of the median price's position in its period high-low range.",
    reads: ["high", "low"],
    // A one-candle window has no range: the library substitutes 0.001 and the output is constant.
    params: paramsObject({ period: period(10, 2) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new FisherTransform(period) },
  }),
  momentumIndicator({
    name: "IBS",
    aliases: ["InternalBarStrength"],
    description: "Internal bar strength: (close-low)/(high-low), 0.5 when the candle has no range.",
    reads: ["high", "low", "close"],
    tradingSignals: { warmup: "0", create: () => new IBS() },
  }),
  momentumIndicator({
    name: "IMI",
    aliases: ["IntradayMomentumIndex"],
    description:
      "Intraday momentum index: up-candle bodies as a percentage of all candle bodies over period.",
    reads: ["open", "close"],
    params: paramsObject({ period: period(14) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new IMI(period) },
  }),
  momentumIndicator({
    name: "KST",
    aliases: ["KnowSureThing"],
    description:
      "Pring's know sure thing: weighted (1-4) sum of four SMA-smoothed rates of change, times 100.",
    reads: ["close"],
    params: paramsObject({
      roc1Period: period(10),
      roc2Period: period(15),
      roc3Period: period(20),
      roc4Period: period(30),
      sma1Period: period(10),
      sma2Period: period(10),
      sma3Period: period(10),
      sma4Period: period(15),
    }),
    tradingSignals: {
      warmup:
        "max(roc1Period + sma1Period, roc2Period + sma2Period, roc3Period + sma3Period, roc4Period + sma4Period) - 1",
      create: (p) =>
        new KST({
          roc1: p.roc1Period,
          roc2: p.roc2Period,
          roc3: p.roc3Period,
          roc4: p.roc4Period,
          sma1: p.sma1Period,
          sma2: p.sma2Period,
          sma3: p.sma3Period,
          sma4: p.sma4Period,
        }),
    },
  }),
  momentumIndicator({
    name: "LaguerreRSI",
    aliases: ["LRSI", "LaguerreRelativeStrengthIndex"],
    description: "Ehlers' Laguerre RSI (0-1): an RSI over a four-stage Laguerre filter with damping gamma.",
    reads: ["close"],
    // The class requires 0 <= gamma < 1.
    params: paramsObject({ gamma: bounded(0.5, 0, 0.99) }),
    tradingSignals: { warmup: "3", create: ({ gamma }) => new LaguerreRSI({ gamma }) },
  }),
  momentumIndicator({
    name: "MFI",
    aliases: ["MoneyFlowIndex"],
    description: "Money flow index: volume-weighted RSI of the typical price (0-100).",
    reads: ["high", "low", "close", "volume"],
    params: paramsObject({ period: period(14) }),
    talib: { kernel: kernels.mfi, lookback: "period" },
    tradingSignals: {
      difference:
        "Same numbers, except with zero total money flow it gives 50; TA-Lib gives 0 whenever the total flow is below 1.",
      create: ({ period }) => new MFI(period),
    },
  }),
  momentumIndicator({
    name: "MOM",
    aliases: ["Momentum"],
    description: "Momentum: the close minus the close period candles earlier.",
    reads: ["close"],
    params: paramsObject({ period: period(10) }),
    talib: { kernel: kernels.mom, lookback: "period" },
    tradingSignals: { create: ({ period }) => new MOM(period) },
  }),
  momentumIndicator({
    name: "PGO",
    aliases: ["PrettyGoodOscillator"],
    description:
      "Pretty good oscillator: (close - SMA(close)) divided by an EMA of the ATR, all over period.",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(14) }),
    tradingSignals: { warmup: "2 * period - 2", create: ({ period }) => new PGO({ interval: period }) },
  }),
  momentumIndicator({
    name: "PMO",
    aliases: ["PriceMomentumOscillator", "DecisionPointPMO"],
    description:
      "DecisionPoint price momentum oscillator: the 1-bar percent rate of change smoothed twice (2/period factors, times 10), with an EMA signal.",
    reads: ["close"],
    // A smoothing period of 1 makes the weight factor 2/1 = 2, which extrapolates instead of smoothing.
    params: paramsObject({
      firstSmoothingPeriod: period(35, 2),
      secondSmoothingPeriod: period(20, 2),
      signalPeriod: period(10),
    }),
    outputs: sameNamedOutputs("pmo", "signal"),
    tradingSignals: {
      warmup: "firstSmoothingPeriod + secondSmoothingPeriod - 1",
      warmupNote: "the signal EMA starts there too, seeded with the first PMO value",
      create: ({ firstSmoothingPeriod, secondSmoothingPeriod, signalPeriod }) =>
        new PMO({
          smoothing1: firstSmoothingPeriod,
          smoothing2: secondSmoothingPeriod,
          signalInterval: signalPeriod,
        }),
    },
  }),
  momentumIndicator({
    name: "PPO",
    aliases: ["PercentagePriceOscillator"],
    description:
      "Percentage price oscillator: 100*(EMA(fastPeriod) - EMA(slowPeriod))/EMA(slowPeriod) of the close.",
    reads: ["close"],
    params: fastSlowPeriods(12, 26),
    talib: {
      kernel: kernels.ppo,
      lookback: "slowPeriod - 1",
      toTalib: (p) => ({
        optInFastPeriod: p.fastPeriod,
        optInSlowPeriod: p.slowPeriod,
        optInMAType: TALIB_MA_TYPE.EMA,
      }),
    },
    tradingSignals: {
      difference:
        "Always EMAs seeded with the first close; TA-Lib's default MA type is SMA, and its EMA seeds with an SMA.",
      create: ({ fastPeriod, slowPeriod }) => new PPO({ fastPeriod, slowPeriod }),
    },
  }),
  momentumIndicator({
    name: "PSL",
    aliases: ["PsychologicalLine"],
    description: "Psychological line: percentage of the last period closes that rose (0-100).",
    reads: ["close"],
    params: paramsObject({ period: period(12) }),
    tradingSignals: { warmup: "period", create: ({ period }) => new PSL({ interval: period }) },
  }),
  momentumIndicator({
    name: "QQE",
    aliases: ["QuantitativeQualitativeEstimation"],
    description:
      "Quantitative qualitative estimation: an EMA-smoothed RSI and a trailing stop set fastFactor times its smoothed volatility away.",
    reads: ["close"],
    // trading-signals' RSI(1) never produces a value.
    params: paramsObject({
      rsiPeriod: period(14, 2),
      smoothPeriod: period(5),
      fastFactor: factor(4.236, 100),
    }),
    outputs: sameNamedOutputs("rsiMa", "trailingStop"),
    tradingSignals: {
      warmup: "rsiPeriod + smoothPeriod + 2 * (2 * rsiPeriod - 1) - 2",
      create: ({ rsiPeriod, smoothPeriod, fastFactor }) =>
        new QQE({ rsiInterval: rsiPeriod, smoothInterval: smoothPeriod, fastFactor }),
    },
  }),
  momentumIndicator({
    name: "Qstick",
    aliases: ["QstickIndicator"],
    description: "Chande's Qstick: SMA of the candle body (close - open).",
    reads: ["open", "close"],
    params: paramsObject({ period: period(8) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new Qstick(period) },
  }),
  momentumIndicator({
    name: "RCI",
    aliases: ["RankCorrelationIndex"],
    description:
      "Rank correlation index: Spearman correlation of the last period closes with time, times 100.",
    reads: ["close"],
    // The class throws below 2. Ranking costs O(period^2) per candle (~45 us at 100, ~1 ms at 500),
    // so the window is capped far below MAX_PERIOD.
    params: paramsObject({ period: period(9, 2, 100) }),
    tradingSignals: { warmup: "period - 1", create: ({ period }) => new RCI(period) },
  }),
  momentumIndicator({
    name: "RMI",
    aliases: ["RelativeMomentumIndex"],
    description:
      "Relative momentum index: an RSI of momentumPeriod-bar price changes, Wilder-smoothed over period.",
    reads: ["close"],
    params: paramsObject({ period: period(14), momentumPeriod: period(5) }),
    tradingSignals: {
      warmup: "momentumPeriod + period - 1",
      create: ({ period, momentumPeriod }) => new RMI({ interval: period, momentum: momentumPeriod }),
    },
  }),
  momentumIndicator({
    name: "ROC",
    aliases: ["RateOfChange"],
    description: "Rate of change in percent: 100 * (close / the close period candles earlier - 1).",
    reads: ["close"],
    params: paramsObject({ period: period(10) }),
    talib: { kernel: kernels.roc, lookback: "period" },
    tradingSignals: {
      difference:
        "trading-signals returns the ratio (TA-Lib's ROCP, also its own catalog entry); TA-Lib's ROC, the default here, is 100 times it.",
      create: ({ period }) => new ROC(period),
    },
  }),
  momentumIndicator({
    name: "ROCP",
    aliases: ["RateOfChangePercentage"],
    description: "Rate of change as a ratio: (close - close[period ago]) / close[period ago].",
    reads: ["close"],
    params: paramsObject({ period: period(10) }),
    talib: { kernel: kernels.rocp, lookback: "period" },
  }),
  momentumIndicator({
    name: "ROCR",
    aliases: ["RateOfChangeRatio"],
    description: "Rate of change as a ratio of prices: close / the close period candles earlier.",
    reads: ["close"],
    params: paramsObject({ period: period(10) }),
    talib: { kernel: kernels.rocr, lookback: "period" },
  }),
  momentumIndicator({
    name: "ROCR100",
    aliases: ["RateOfChangeRatio100"],
    description:
      "Rate of change as a ratio of prices, times 100: 100 * close / the close period candles earlier.",
    reads: ["close"],
    params: paramsObject({ period: period(10) }),
    talib: { kernel: kernels.rocr100, lookback: "period" },
  }),
  momentumIndicator({
    name: "RelativeVigorIndex",
    aliases: ["RVGI", "RelativeVigourIndex"],
    description:
      "Relative vigor index: symmetric-weighted candle bodies over ranges summed over period, with a symmetric-weighted signal.",
    reads: ["open", "high", "low", "close"],
    params: paramsObject({ period: period(10) }),
    outputs: sameNamedOutputs("rvgi", "signal"),
    tradingSignals: { warmup: "period + 5", create: ({ period }) => new RelativeVigorIndex(period) },
  }),
  momentumIndicator({
    name: "AccumulativeSwingIndex",
    aliases: ["ASI", "AccumulationSwingIndex"],
    description: "Wilder's accumulative swing index: running total of the swing index.",
    reads: ["open", "high", "low", "close"],
    // limitMove is in price units (the largest move allowed), so it needs a wide range.
    params: paramsObject({ limitMove: factor(300, 1_000_000_000) }),
    tradingSignals: { warmup: "1", create: ({ limitMove }) => new AccumulativeSwingIndex(limitMove) },
  }),
  momentumIndicator({
    name: "SwingIndex",
    aliases: ["SI", "WilderSwingIndex"],
    description: "Wilder's swing index of each candle against the previous one, scaled by limitMove.",
    reads: ["open", "high", "low", "close"],
    // limitMove is in price units (the largest move allowed), so it needs a wide range.
    params: paramsObject({ limitMove: factor(300, 1_000_000_000) }),
    tradingSignals: { warmup: "1", create: ({ limitMove }) => new SwingIndex(limitMove) },
  }),
  momentumIndicator({
    name: "TRIX",
    aliases: ["TripleExponentialAverage"],
    description: "TRIX: one-bar percent change of a triple EMA of the close.",
    reads: ["close"],
    params: paramsObject({ period: period(30) }),
    talib: { kernel: kernels.trix, lookback: "3 * (period - 1) + 1" },
    tradingSignals: {
      warmup: "3 * period - 2",
      difference:
        "Same start index, but divides the one-bar change by the current triple EMA (TA-Lib: the previous one) and seeds its EMAs with the first input (TA-Lib: an SMA).",
      create: ({ period }) => new TRIX(period),
    },
  }),
  momentumIndicator({
    name: "TSI",
    aliases: ["TrueStrengthIndex"],
    description:
      "True strength index: double-EMA-smoothed price change over double-smoothed absolute change, times 100.",
    reads: ["close"],
    params: paramsObject({ longPeriod: period(25), shortPeriod: period(13) }),
    tradingSignals: {
      warmup: "longPeriod + shortPeriod - 1",
      create: ({ longPeriod, shortPeriod }) => new TSI({ longPeriod, shortPeriod }),
    },
  }),
  momentumIndicator({
    name: "ULTOSC",
    aliases: ["UltimateOscillator", "UO"],
    description:
      "Williams' ultimate oscillator: 4:2:1 weighted buying pressure over true range for three windows (0-100).",
    reads: ["high", "low", "close"],
    params: paramsObject({ shortPeriod: period(7), mediumPeriod: period(14), longPeriod: period(28) }).refine(
      // The class keeps only longPeriod+1 candles (a longer window reads past them: NaN), and it guards only the
      // short window's zero true range, which is safe only if that window is the shortest.
      (p) => p.shortPeriod <= p.mediumPeriod && p.mediumPeriod <= p.longPeriod,
      { message: "periods must satisfy shortPeriod <= mediumPeriod <= longPeriod", path: ["mediumPeriod"] },
    ),
    talib: {
      kernel: kernels.ultosc,
      lookback: "max(shortPeriod, mediumPeriod, longPeriod)",
      toTalib: (p) => ({
        optInTimePeriod1: p.shortPeriod,
        optInTimePeriod2: p.mediumPeriod,
        optInTimePeriod3: p.longPeriod,
      }),
    },
    tradingSignals: {
      warmup: "longPeriod",
      create: ({ shortPeriod, mediumPeriod, longPeriod }) =>
        new UltimateOscillator({ shortPeriod, mediumPeriod, longPeriod }),
    },
  }),
  momentumIndicator({
    name: "WaddahAttarExplosion",
    aliases: ["WAE", "WaddahAttar"],
    description:
      "Waddah Attar explosion: MACD-line change times sensitivity (trend), Bollinger band width (explosion) and ATR times a multiplier (dead zone).",
    reads: ["high", "low", "close"],
    params: paramsObject({
      fastPeriod: period(20),
      slowPeriod: period(40),
      bandsPeriod: period(20),
      bandsStdDev: factor(2, 100),
      atrPeriod: period(100),
      deadZoneMultiplier: factor(3.7),
      sensitivity: factor(150, 1_000_000),
    }).refine((p) => p.fastPeriod < p.slowPeriod, {
      message: "fastPeriod must be smaller than slowPeriod",
      path: ["fastPeriod"],
    }),
    outputs: sameNamedOutputs("trend", "explosion", "deadZone"),
    tradingSignals: {
      warmup: "max(slowPeriod, bandsPeriod - 1, atrPeriod - 1)",
      create: (p) =>
        new WaddahAttarExplosion({
          shortInterval: p.fastPeriod,
          longInterval: p.slowPeriod,
          bandsInterval: p.bandsPeriod,
          bandsMultiplier: p.bandsStdDev,
          atrInterval: p.atrPeriod,
          deadZoneMultiplier: p.deadZoneMultiplier,
          sensitivity: p.sensitivity,
        }),
    },
  }),
  momentumIndicator({
    name: "WaveTrend",
    aliases: ["WT", "WaveTrendOscillator"],
    description:
      "WaveTrend oscillator (LazyBear): EMA of a CCI-like channel index of the typical price (wt1) and its SMA (wt2).",
    reads: ["high", "low", "close"],
    params: paramsObject({ channelPeriod: period(10), averagePeriod: period(21), signalPeriod: period(4) }),
    outputs: sameNamedOutputs("wt1", "wt2"),
    tradingSignals: {
      warmup: "max(channelPeriod, averagePeriod, signalPeriod) - 1",
      create: ({ channelPeriod, averagePeriod, signalPeriod }) =>
        new WaveTrend({
          channelInterval: channelPeriod,
          averageInterval: averagePeriod,
          smoothingInterval: signalPeriod,
        }),
    },
  }),
];
