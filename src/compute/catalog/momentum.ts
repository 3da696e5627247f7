import { EMA, MACD, RSI, StochasticOscillator } from "trading-signals";
import { defineIndicator, SINGLE_OUTPUT } from "./definition.js";
import { paramsObject, period } from "./params.js";

export const momentumIndicators = [
  defineIndicator({
    name: "RSI",
    aliases: ["RelativeStrengthIndex"],
    category: "momentum",
    description: "Wilder's relative strength index (0-100).",
    reads: ["close"],
    input: "price",
    params: paramsObject({ period: period(14) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period (needs period price changes).",
    version: 1,
    costNsPerCandle: 80,
    create: ({ period }) => new RSI(period),
  }),
  defineIndicator({
    name: "MACD",
    aliases: ["MovingAverageConvergenceDivergence"],
    category: "momentum",
    description:
      "Moving average convergence/divergence: EMA(fast) - EMA(slow), its signal EMA and the histogram.",
    reads: ["close"],
    input: "price",
    params: paramsObject({ fastPeriod: period(12), slowPeriod: period(26), signalPeriod: period(9) }).refine(
      (p) => p.fastPeriod < p.slowPeriod,
      { message: "fastPeriod must be smaller than slowPeriod", path: ["fastPeriod"] },
    ),
    outputs: [
      { name: "macd", key: "macd" },
      { name: "signal", key: "signal" },
      { name: "histogram", key: "histogram" },
    ],
    warmup: "First value at index slowPeriod-1 (isStable of the slow EMA).",
    talibDifference:
      "EMAs seed with the first close and output starts at index slowPeriod-1; TA-Lib seeds with SMAs and starts at slowPeriod+signalPeriod-2.",
    version: 1,
    costNsPerCandle: 45,
    create: ({ fastPeriod, slowPeriod, signalPeriod }) =>
      new MACD(new EMA(fastPeriod), new EMA(slowPeriod), new EMA(signalPeriod)),
  }),
  defineIndicator({
    name: "STOCH",
    aliases: ["StochasticOscillator"],
    category: "momentum",
    description: "Slow stochastic oscillator: %K smoothed by an SMA of kSlowingPeriod, %D an SMA of %K.",
    reads: ["high", "low", "close"],
    input: "candle",
    params: paramsObject({ kPeriod: period(14), kSlowingPeriod: period(3), dPeriod: period(3) }),
    outputs: [
      { name: "k", key: "stochK" },
      { name: "d", key: "stochD" },
    ],
    warmup: "First value at index kPeriod+kSlowingPeriod+dPeriod-3 (when %D has its first value).",
    version: 1,
    costNsPerCandle: 150,
    create: (params) => new StochasticOscillator(params),
  }),
];
