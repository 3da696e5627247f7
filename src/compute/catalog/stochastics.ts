import { PremierStochastic, SMI, STC, StochasticOscillator, StochasticRSI, WilliamsR } from "trading-signals";
import { z } from "zod";
import * as kernels from "../kernels/stochastics.js";
import { indicatorFamily, sameNamedOutputs } from "./definition.js";
import { MAX_PERIOD, paramsObject, period } from "./params.js";

/** Stochastics: where the close (or an oscillator) sits in its recent high-low range. */
const momentumIndicator = indicatorFamily("momentum");

export const stochastics = [
  momentumIndicator({
    name: "STOCH",
    aliases: ["StochasticOscillator"],
    description: "Slow stochastic oscillator: %K smoothed by an SMA of kSlowingPeriod, %D an SMA of %K.",
    reads: ["high", "low", "close"],
    params: paramsObject({ kPeriod: period(14), kSlowingPeriod: period(3), dPeriod: period(3) }),
    outputs: [
      { name: "k", key: "stochK" },
      { name: "d", key: "stochD" },
    ],
    talib: {
      kernel: kernels.stoch,
      lookback: "kPeriod + kSlowingPeriod + dPeriod - 3",
      toTalib: (p) => ({
        optInFastK_Period: p.kPeriod,
        optInSlowK_Period: p.kSlowingPeriod,
        optInSlowK_MAType: 0,
        optInSlowD_Period: p.dPeriod,
        optInSlowD_MAType: 0,
      }),
      talibOutputs: { k: "outSlowK", d: "outSlowD" },
    },
    tradingSignals: { create: (params) => new StochasticOscillator(params) },
  }),
  momentumIndicator({
    name: "STOCHF",
    aliases: ["FastStochastic", "StochasticFast"],
    description: "Fast stochastic: raw %K over kPeriod and its SMA %D over dPeriod.",
    reads: ["high", "low", "close"],
    params: paramsObject({ kPeriod: period(5), dPeriod: period(3) }),
    outputs: sameNamedOutputs("k", "d"),
    talib: {
      kernel: kernels.stochf,
      lookback: "kPeriod + dPeriod - 2",
      toTalib: (p) => ({
        optInFastK_Period: p.kPeriod,
        optInFastD_Period: p.dPeriod,
        optInFastD_MAType: 0,
      }),
      talibOutputs: { k: "outFastK", d: "outFastD" },
    },
  }),
  momentumIndicator({
    name: "STOCHRSI",
    aliases: ["StochRSI"],
    description:
      "Stochastic RSI (TA-Lib): fast stochastic of the RSI(period) series, %K over kPeriod and its SMA %D over dPeriod, 0-100. trading-signals' unsmoothed 0-1 variant is StochasticRSI.",
    reads: ["close"],
    params: paramsObject({ period: period(14, 2), kPeriod: period(5), dPeriod: period(3) }),
    outputs: sameNamedOutputs("k", "d"),
    talib: {
      kernel: kernels.stochrsi,
      lookback: "period + kPeriod + dPeriod - 2",
      toTalib: (p) => ({
        optInTimePeriod: p.period,
        optInFastK_Period: p.kPeriod,
        optInFastD_Period: p.dPeriod,
        optInFastD_MAType: 0,
      }),
      talibOutputs: { k: "outFastK", d: "outFastD" },
    },
  }),
  momentumIndicator({
    // trading-signals' variant under its class name: TA-Lib's STOCHRSI (above) has other
    // params and outputs (%K and %D, 0-100), which one definition cannot hold for both.
    name: "StochasticRSI",
    aliases: ["StochasticRelativeStrengthIndex"],
    description:
      "Stochastic RSI as trading-signals computes it: the RSI's position in its own high-low range over period (0-1), unsmoothed. TA-Lib's version with %K/%D smoothing is STOCHRSI.",
    reads: ["close"],
    // trading-signals' RSI(1) never produces a value.
    params: paramsObject({ period: period(14, 2) }),
    tradingSignals: {
      warmup: "2 * period - 1",
      warmupNote: "no value while the RSI is exactly 0 (the library treats 0 as missing)",
      difference:
        "Raw 0-1 ratio over one period (100 on a flat RSI window); TA-Lib returns 0-100 fastK/fastD with separate periods.",
      create: ({ period }) => new StochasticRSI(period),
    },
  }),
  momentumIndicator({
    name: "PremierStochastic",
    aliases: ["PSO", "PremierStochasticOscillator"],
    description:
      "Premier stochastic oscillator: the stochastic %K double-smoothed by EMAs and squashed into -1..1.",
    reads: ["high", "low", "close"],
    params: paramsObject({
      stochPeriod: period(8),
      smoothPeriod: z.number().int().min(1).max(MAX_PERIOD).optional(),
    }).transform((p) => ({
      ...p,
      // Like the library: when absent it is round(sqrt(stochPeriod)), 3 for the default.
      smoothPeriod: p.smoothPeriod ?? Math.round(Math.sqrt(p.stochPeriod)),
    })),
    tradingSignals: {
      warmup: "stochPeriod + 2 * smoothPeriod - 3",
      create: ({ stochPeriod, smoothPeriod }) =>
        new PremierStochastic({ stochInterval: stochPeriod, smoothInterval: smoothPeriod }),
    },
  }),
  momentumIndicator({
    name: "SMI",
    aliases: ["StochasticMomentumIndex"],
    description:
      "Stochastic momentum index: close minus the period high-low midpoint over half the range, both double-smoothed by EMAs.",
    reads: ["high", "low", "close"],
    params: paramsObject({
      period: period(10),
      firstSmoothingPeriod: period(3),
      secondSmoothingPeriod: period(3),
    }),
    tradingSignals: {
      warmup: "period + firstSmoothingPeriod + secondSmoothingPeriod - 3",
      create: ({ period, firstSmoothingPeriod, secondSmoothingPeriod }) =>
        new SMI({ interval: period, smooth1: firstSmoothingPeriod, smooth2: secondSmoothingPeriod }),
    },
  }),
  momentumIndicator({
    name: "WILLR",
    aliases: ["WilliamsR", "WilliamsPercentR"],
    description:
      "Williams %R: where the close sits in the period high-low range, from -100 (low) to 0 (high).",
    reads: ["high", "low", "close"],
    params: paramsObject({ period: period(14) }),
    talib: { kernel: kernels.willr, lookback: "period - 1" },
    tradingSignals: {
      difference: "Same numbers, except a window with no range gives -100 where TA-Lib gives 0.",
      create: ({ period }) => new WilliamsR(period),
    },
  }),
  momentumIndicator({
    name: "STC",
    aliases: ["SchaffTrendCycle"],
    description: "Schaff trend cycle: a double stochastic (with EMA(3) smoothing) of the MACD line (0-100).",
    reads: ["close"],
    // The class throws for cyclePeriod below 2.
    params: paramsObject({
      fastPeriod: period(23),
      slowPeriod: period(50),
      cyclePeriod: period(10, 2),
    }).refine((p) => p.fastPeriod < p.slowPeriod, {
      message: "fastPeriod must be smaller than slowPeriod",
      path: ["fastPeriod"],
    }),
    tradingSignals: {
      warmup: "slowPeriod + 2 * cyclePeriod - 3",
      create: ({ fastPeriod, slowPeriod, cyclePeriod }) =>
        new STC({ fastInterval: fastPeriod, slowInterval: slowPeriod, cycleInterval: cyclePeriod }),
    },
  }),
];
