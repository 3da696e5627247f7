import {
  ALMA,
  Alligator,
  Aroon,
  BreakoutBarLow,
  ChandeKrollStop,
  ChandelierExit,
  DEMA,
  DMA,
  DX,
  EMA,
  FRAMA,
  GannHiLo,
  GatorOscillator,
  HigherLowTrail,
  type HighLowClose,
  HMA,
  HTTrendline,
  IchimokuCloud,
  KAMA,
  LinearRegression,
  MAMA,
  McGinleyDynamic,
  Period,
  PSAR,
  RandomWalkIndex,
  RMA,
  SMA,
  SMA15,
  SuperSmoother,
  SuperTrend,
  SwingHigh,
  SwingLow,
  T3,
  TEMA,
  TRIMA,
  VHF,
  VIDYA,
  VolatilityStop,
  VortexIndicator,
  VWAP,
  WMA,
  WSMA,
  ZigZag,
  ZLEMA,
} from "trading-signals";
import { defineIndicator, SINGLE_OUTPUT, type StreamingIndicator, sameNamedOutputs } from "./definition.js";
import { bounded, factor, NO_PARAMS, paramsObject, period } from "./params.js";

interface EventIndicator<Input> {
  update(input: Input, replace: boolean): number | null;
  getResult(): number | null;
  readonly isStable: boolean;
}

/**
 * Some classes return a number only on the candles where something happens (a breakout bar, a
 * confirmed pivot, a candle with volume) and null in between, while keeping their last value as
 * the result. Reporting that last value on every later candle gives the level a stop or a chart
 * actually uses ("the most recent X so far"), looks at no future candle, and leaves nulls only
 * before the first event, as the series contract requires.
 */
function holdLastValue<Input>(indicator: EventIndicator<Input>): StreamingIndicator {
  return {
    update(input: Input, replace: boolean) {
      const value = indicator.update(input, replace);
      if (value !== null) return value;
      return indicator.isStable ? indicator.getResult() : null;
    },
    get isStable() {
      return indicator.isStable;
    },
  };
}

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

const ALLIGATOR_WARMUP =
  "First value at index max(jawPeriod+jawShift, teethPeriod+teethShift, lipsPeriod+lipsShift)-1.";

export const trendIndicators = [
  defineIndicator({
    name: "SMA",
    aliases: ["SimpleMovingAverage"],
    category: "trend",
    description: "Simple moving average: the mean of the last `period` closes.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(20) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1.",
    version: 1,
    create: ({ period }) => new SMA(period),
  }),
  defineIndicator({
    name: "EMA",
    aliases: ["ExponentialMovingAverage"],
    category: "trend",
    description: "Exponential moving average with smoothing 2/(period+1).",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(20) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1 (isStable); earlier values are unseeded and masked.",
    talibDifference:
      "Seeds with the first close, TA-Lib with the SMA of the first period closes; values converge after a few periods.",
    version: 1,
    create: ({ period }) => new EMA(period),
  }),
  defineIndicator({
    name: "ADX",
    aliases: ["AverageDirectionalIndex"],
    category: "trend",
    description:
      "Average directional index (0-100): Wilder-smoothed DX, the strength of a trend in either direction.",
    reads: ["high", "low", "close"],
    input: "candle",
    // TA-Lib's minimum for ADX, ADXR and DX: with period 1 the DX is only ever 0 or 100.
    params: paramsObject({ period: period(14, 2) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index 2*period-2.",
    talibDifference:
      "Starts one bar earlier than TA-Lib (index 2*period-2 vs 2*period-1) and counts equal up and down moves as both +DM and -DM (TA-Lib: neither), so values differ, by several points on tick-rounded prices.",
    version: 1,
    create: ({ period }) => createAdx(period),
  }),
  defineIndicator({
    name: "ADXR",
    aliases: ["AverageDirectionalIndexRating"],
    category: "trend",
    description: "Average directional index rating: the mean of today's ADX and the ADX period-1 bars ago.",
    reads: ["high", "low", "close"],
    input: "candle",
    params: paramsObject({ period: period(14, 2) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index 3*period-3.",
    talibDifference:
      "Inherits ADX's differences: starts one bar earlier than TA-Lib (index 3*period-3 vs 3*period-2) and counts equal up and down moves as both +DM and -DM (TA-Lib: neither).",
    version: 1,
    create: ({ period }) => createAdxr(period),
  }),
  defineIndicator({
    name: "DX",
    aliases: ["DirectionalMovementIndex", "DMI"],
    category: "trend",
    description: "Directional movement index (0-100): |+DI - -DI| / (+DI + -DI) with Wilder smoothing.",
    reads: ["high", "low", "close"],
    input: "candle",
    params: paramsObject({ period: period(14, 2) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1.",
    talibDifference:
      "Starts one bar earlier than TA-Lib (index period-1 vs period) and counts equal up and down moves as both +DM and -DM (TA-Lib: neither); otherwise identical.",
    version: 1,
    create: ({ period }) => createDx(period),
  }),
  defineIndicator({
    name: "Alligator",
    aliases: ["WilliamsAlligator"],
    category: "trend",
    description:
      "Bill Williams' Alligator: Wilder-smoothed median price (high+low)/2 over three periods, each line reported `shift` bars late (charts plot it `shift` bars ahead).",
    reads: ["high", "low"],
    input: "candle",
    params: alligatorParams,
    outputs: sameNamedOutputs("jaw", "teeth", "lips"),
    warmup: ALLIGATOR_WARMUP,
    version: 1,
    create: (p) => new Alligator(alligatorConfig(p)),
  }),
  defineIndicator({
    name: "GatorOscillator",
    aliases: ["Gator"],
    category: "trend",
    description:
      "Gator oscillator: |jaw - teeth| as the upper bar and -|teeth - lips| as the lower bar of the Alligator.",
    reads: ["high", "low"],
    input: "candle",
    params: alligatorParams,
    outputs: sameNamedOutputs("upper", "lower"),
    warmup: ALLIGATOR_WARMUP,
    version: 1,
    create: (p) => new GatorOscillator(alligatorConfig(p)),
  }),
  defineIndicator({
    name: "ALMA",
    aliases: ["ArnaudLegouxMovingAverage"],
    category: "trend",
    description:
      "Arnaud Legoux moving average: Gaussian-weighted mean of the last `period` closes, peaked at `offset` of the window with width period/sigma.",
    reads: ["close"],
    input: "value",
    params: paramsObject({
      period: period(9),
      offset: bounded(0.85, 0, 1),
      // From about 200 up, every Gaussian weight of a short window can underflow to 0 (0/0 = NaN).
      sigma: factor(6, 100),
    }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1.",
    version: 1,
    create: ({ period, offset, sigma }) => new ALMA(period, offset, sigma),
  }),
  defineIndicator({
    name: "AROON",
    aliases: ["AroonIndicator"],
    category: "trend",
    description:
      "Aroon up/down (0-100): how recently within the last period+1 candles the highest high and lowest low occurred.",
    reads: ["high", "low"],
    input: "candle",
    params: paramsObject({ period: period(14) }),
    outputs: [
      { name: "up", key: "aroonUp" },
      { name: "down", key: "aroonDown" },
    ],
    warmup: "First value at index period.",
    version: 1,
    create: ({ period }) => new Aroon(period),
  }),
  defineIndicator({
    name: "BreakoutBarLow",
    aliases: [],
    category: "trend",
    description:
      "Low of the most recent breakout bar, a bar whose high exceeds the highest high of the `lookback` bars before it (a stop reference).",
    reads: ["high", "low"],
    input: "candle",
    params: paramsObject({ lookback: period(20) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at the first breakout bar, no earlier than index lookback (depends on the data).",
    version: 1,
    // The class emits only on breakout bars; the series holds the latest breakout bar's low.
    create: ({ lookback }) => holdLastValue(new BreakoutBarLow({ lookback })),
  }),
  defineIndicator({
    name: "ChandelierExit",
    aliases: ["CE"],
    category: "trend",
    description:
      "Chandelier exit: highest high minus multiplier*ATR (long stop) and lowest low plus multiplier*ATR (short stop) over `period` candles.",
    reads: ["high", "low", "close"],
    input: "candle",
    params: paramsObject({ period: period(22), multiplier: factor(3) }),
    outputs: sameNamedOutputs("long", "short"),
    warmup: "First value at index period-1 (when the ATR has its first value).",
    version: 1,
    create: ({ period, multiplier }) => new ChandelierExit({ interval: period, multiplier }),
  }),
  defineIndicator({
    name: "ChandeKrollStop",
    aliases: ["CKS"],
    category: "trend",
    description:
      "Chande Kroll stop: lowest of (lowest low + multiplier*ATR) as the long stop and highest of (highest high - multiplier*ATR) as the short stop over `stopPeriod` candles.",
    reads: ["high", "low", "close"],
    input: "candle",
    params: paramsObject({ period: period(10), multiplier: factor(1), stopPeriod: period(9) }),
    outputs: [
      { name: "long", key: "longStop" },
      { name: "short", key: "shortStop" },
    ],
    warmup: "First value at index period+stopPeriod-2.",
    version: 1,
    create: ({ period, multiplier, stopPeriod }) =>
      new ChandeKrollStop({ interval: period, multiplier, stopInterval: stopPeriod }),
  }),
  defineIndicator({
    name: "DEMA",
    aliases: ["DoubleExponentialMovingAverage"],
    category: "trend",
    description: "Double exponential moving average: 2*EMA - EMA(EMA).",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(20) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1.",
    talibDifference:
      "Both EMAs seed with the first close and values start at index period-1; TA-Lib seeds with SMAs and starts at 2*period-2.",
    version: 1,
    create: ({ period }) => new DEMA(period),
  }),
  defineIndicator({
    name: "DMA",
    aliases: ["DualMovingAverage"],
    category: "trend",
    description: "Dual moving average: a short and a long SMA of the close, for crossover signals.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ shortPeriod: period(5), longPeriod: period(9) }).refine(
      (p) => p.shortPeriod < p.longPeriod,
      { message: "shortPeriod must be smaller than longPeriod", path: ["shortPeriod"] },
    ),
    outputs: sameNamedOutputs("short", "long"),
    warmup: "First value at index longPeriod-1.",
    version: 1,
    create: ({ shortPeriod, longPeriod }) => new DMA(shortPeriod, longPeriod),
  }),
  defineIndicator({
    name: "FRAMA",
    aliases: ["FractalAdaptiveMovingAverage"],
    category: "trend",
    description:
      "Ehlers' fractal adaptive moving average: an EMA whose smoothing follows the fractal dimension of the last `period` closes.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(16, 2) }).refine((p) => p.period % 2 === 0, {
      message: "period must be even",
      path: ["period"],
    }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1, where it equals the close (the seed).",
    version: 1,
    create: ({ period }) => new FRAMA(period),
  }),
  defineIndicator({
    name: "GannHiLo",
    aliases: ["HILO", "GannHiLoActivator"],
    category: "trend",
    description:
      "Gann HiLo activator: the SMA of lows (after a close above the previous high-SMA) or of highs (after a close below the previous low-SMA).",
    reads: ["high", "low", "close"],
    input: "candle",
    params: paramsObject({ highPeriod: period(13), lowPeriod: period(21) }),
    outputs: [{ name: "line", key: "line" }],
    warmup:
      "First value at the first close beyond the previous high-SMA or low-SMA once the SMA of the other side exists, no earlier than index min(max(highPeriod, lowPeriod-1), max(lowPeriod, highPeriod-1)) (depends on the data).",
    version: 1,
    create: ({ highPeriod, lowPeriod }) => new GannHiLo({ highInterval: highPeriod, lowInterval: lowPeriod }),
  }),
  defineIndicator({
    name: "HigherLowTrail",
    aliases: [],
    category: "trend",
    description:
      "Rising trailing stop: the latest pullback low (a low followed by `lookback` strictly higher lows) that is above the previous trail level.",
    reads: ["low"],
    input: "candle",
    params: paramsObject({ lookback: period(1) }),
    outputs: SINGLE_OUTPUT,
    warmup:
      "First value at the first confirmed pullback low, no earlier than index lookback (depends on the data).",
    version: 1,
    // The class emits only when the trail moves up; the series holds the current trail level.
    create: ({ lookback }) => holdLastValue(new HigherLowTrail({ lookback })),
  }),
  defineIndicator({
    name: "HMA",
    aliases: ["HullMovingAverage"],
    category: "trend",
    description: "Hull moving average: WMA over floor(sqrt(period)) of 2*WMA(period/2) - WMA(period).",
    reads: ["close"],
    input: "value",
    // Period 1 makes the half-period WMA a WMA of 0 prices (NaN).
    params: paramsObject({ period: period(14, 2) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period+floor(sqrt(period))-2.",
    version: 1,
    create: ({ period }) => new HMA(period),
  }),
  defineIndicator({
    name: "HT_TRENDLINE",
    aliases: ["HTTrendline", "HilbertTransformTrendline"],
    category: "trend",
    description:
      "Ehlers' Hilbert transform instantaneous trendline: the close averaged over the measured dominant cycle.",
    reads: ["close"],
    input: "value",
    params: NO_PARAMS,
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index 63.",
    version: 1,
    create: () => new HTTrendline(),
  }),
  defineIndicator({
    name: "IchimokuCloud",
    aliases: ["Ichimoku"],
    category: "trend",
    description:
      "Ichimoku cloud lines as of each candle (no forward displacement, no lagging span): conversion, base, span A and span B midpoints.",
    reads: ["high", "low"],
    input: "candle",
    params: paramsObject({ conversionPeriod: period(9), basePeriod: period(26), spanBPeriod: period(52) }),
    outputs: sameNamedOutputs("conversion", "base", "spanA", "spanB"),
    warmup: "First value at index max(conversionPeriod, basePeriod, spanBPeriod)-1.",
    version: 1,
    create: ({ conversionPeriod, basePeriod, spanBPeriod }) =>
      new IchimokuCloud({
        conversionInterval: conversionPeriod,
        baseInterval: basePeriod,
        spanBInterval: spanBPeriod,
      }),
  }),
  defineIndicator({
    name: "KAMA",
    aliases: ["KaufmanAdaptiveMovingAverage"],
    category: "trend",
    description:
      "Kaufman adaptive moving average: smoothing between 2/3 and 2/31 set by the efficiency ratio over `period` closes.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(10) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1, where it equals the close (the seed).",
    talibDifference:
      "Also emits the seed (the close itself) at index period-1, one bar before TA-Lib; from index period on the values are identical.",
    version: 1,
    create: ({ period }) => new KAMA(period),
  }),
  defineIndicator({
    name: "LINEARREG",
    aliases: ["LinearRegression", "LINREG"],
    category: "trend",
    description:
      "Least-squares line through the last `period` closes: its value at the latest close, its value one bar ahead, its slope per bar and its value at the oldest close.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(14, 2) }),
    outputs: sameNamedOutputs("value", "forecast", "slope", "intercept"),
    warmup: "First value at index period-1.",
    version: 1,
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
  }),
  defineIndicator({
    name: "MAMA",
    aliases: ["MESAAdaptiveMovingAverage"],
    category: "trend",
    description:
      "Ehlers' MESA adaptive moving average and its following average (FAMA), with smoothing set by the Hilbert-transform phase rate.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ fastLimit: bounded(0.5, 0.01, 0.99), slowLimit: bounded(0.05, 0.01, 0.99) }),
    outputs: sameNamedOutputs("mama", "fama"),
    warmup: "First value at index 32.",
    version: 1,
    create: ({ fastLimit, slowLimit }) => new MAMA({ fastLimit, slowLimit }),
  }),
  defineIndicator({
    name: "McGinleyDynamic",
    aliases: ["McGinley"],
    category: "trend",
    description:
      "McGinley dynamic: a moving average whose speed adapts to the ratio of the close to the previous value (constant 0.6).",
    reads: ["close"],
    input: "value",
    // With period 1 the line overshoots the close on every bar (each step is 1/0.6 of the gap).
    params: paramsObject({ period: period(14, 2) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1 (seeded with the first close).",
    version: 1,
    create: ({ period }) => new McGinleyDynamic(period),
  }),
  defineIndicator({
    name: "SAR",
    aliases: ["PSAR", "ParabolicSAR"],
    category: "trend",
    description: "Wilder's parabolic stop and reverse.",
    reads: ["high", "low"],
    input: "candle",
    params: paramsObject({ acceleration: factor(0.02, 1), maximum: factor(0.2, 1) }).refine(
      (p) => p.acceleration < p.maximum,
      { message: "acceleration must be smaller than maximum", path: ["acceleration"] },
    ),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index 1.",
    talibDifference:
      "Starts at index 1 like TA-Lib but handles reversals differently (and forces a flip to long 0.01 below the low), so values differ after the first reversal.",
    version: 1,
    create: ({ acceleration, maximum }) =>
      new PSAR({ accelerationStep: acceleration, accelerationMax: maximum }),
  }),
  defineIndicator({
    name: "RMA",
    aliases: ["RelativeMovingAverage"],
    category: "trend",
    description:
      "Relative (running) moving average: an EMA with smoothing 1/period, seeded with the first close.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(14) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1 (isStable); earlier values are unseeded and masked.",
    version: 1,
    create: ({ period }) => new RMA(period),
  }),
  defineIndicator({
    name: "RandomWalkIndex",
    aliases: ["RWI"],
    category: "trend",
    description:
      "Random walk index: the largest move from a bar up to `period` bars back, over ATR times the square root of the distance, for highs and lows.",
    reads: ["high", "low", "close"],
    input: "candle",
    // Period 1 compares no distances at all and reports 0 forever. The class keeps one ATR per
    // distance 2..period, each O(distance) per candle, so the cost grows with period squared
    // (10k candles: 130 ms at 100, 1.3 s at 400, minutes at 10 000): capped well below MAX_PERIOD.
    params: paramsObject({ period: period(14, 2, 100) }),
    outputs: sameNamedOutputs("high", "low"),
    warmup: "First value at index period.",
    version: 1,
    create: ({ period }) => new RandomWalkIndex(period),
  }),
  defineIndicator({
    name: "SMA15",
    aliases: ["SpencerMovingAverage", "Spencer15"],
    category: "trend",
    description: "Spencer's 15-point weighted moving average.",
    reads: ["close"],
    input: "value",
    params: NO_PARAMS,
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index 14.",
    version: 1,
    create: () => new SMA15(15),
  }),
  defineIndicator({
    name: "SuperSmoother",
    aliases: ["EhlersSuperSmoother"],
    category: "trend",
    description: "Ehlers' two-pole super smoother filter of the close.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(10) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1 (isStable); the filter starts from the first closes.",
    version: 1,
    create: ({ period }) => new SuperSmoother(period),
  }),
  defineIndicator({
    name: "SuperTrend",
    aliases: [],
    category: "trend",
    description:
      "SuperTrend: the trailing lower band (uptrend) or upper band (downtrend) of (high+low)/2 plus and minus multiplier*ATR.",
    reads: ["high", "low", "close"],
    input: "candle",
    params: paramsObject({ period: period(10), multiplier: factor(3) }),
    outputs: [{ name: "supertrend", key: "supertrend" }],
    warmup: "First value at index period-1 (when the ATR has its first value).",
    version: 1,
    create: ({ period, multiplier }) => new SuperTrend({ interval: period, multiplier }),
  }),
  defineIndicator({
    name: "SwingHigh",
    aliases: [],
    category: "trend",
    description:
      "Most recent confirmed swing high: a high strictly above the highs of `lookback` candles on each side, known `lookback` candles after it.",
    reads: ["high"],
    input: "candle",
    params: paramsObject({ lookback: period(2) }),
    outputs: SINGLE_OUTPUT,
    warmup:
      "First value when the first swing high is confirmed, no earlier than index 2*lookback (depends on the data).",
    version: 1,
    // The class emits only on the confirming candle; the series holds the latest swing high.
    create: ({ lookback }) => holdLastValue(new SwingHigh({ lookback })),
  }),
  defineIndicator({
    name: "SwingLow",
    aliases: [],
    category: "trend",
    description:
      "Most recent confirmed swing low: a low strictly below the lows of `lookback` candles on each side, known `lookback` candles after it.",
    reads: ["low"],
    input: "candle",
    params: paramsObject({ lookback: period(2) }),
    outputs: SINGLE_OUTPUT,
    warmup:
      "First value when the first swing low is confirmed, no earlier than index 2*lookback (depends on the data).",
    version: 1,
    // The class emits only on the confirming candle; the series holds the latest swing low.
    create: ({ lookback }) => holdLastValue(new SwingLow({ lookback })),
  }),
  defineIndicator({
    name: "T3",
    aliases: ["TillsonT3"],
    category: "trend",
    description: "Tillson T3: six chained EMAs combined with weights from the volume factor.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(5), volumeFactor: bounded(0.7, 0, 1) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index 6*(period-1).",
    talibDifference:
      "Each of the six EMAs seeds with its first input instead of an SMA; same start index as TA-Lib, values converge after a few dozen bars.",
    version: 1,
    create: ({ period, volumeFactor }) => new T3(period, volumeFactor),
  }),
  defineIndicator({
    name: "TEMA",
    aliases: ["TripleExponentialMovingAverage"],
    category: "trend",
    description: "Triple exponential moving average: 3*EMA - 3*EMA(EMA) + EMA(EMA(EMA)).",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(20) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index 3*(period-1).",
    talibDifference:
      "Each of the three EMAs seeds with its first input instead of an SMA; same start index as TA-Lib, values converge after a few dozen bars.",
    version: 1,
    create: ({ period }) => new TEMA(period),
  }),
  defineIndicator({
    name: "TRIMA",
    aliases: ["TriangularMovingAverage"],
    category: "trend",
    description: "Triangular moving average: triangle-weighted mean of the last `period` closes.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(20) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1.",
    version: 1,
    create: ({ period }) => new TRIMA(period),
  }),
  defineIndicator({
    name: "VHF",
    aliases: ["VerticalHorizontalFilter"],
    category: "trend",
    description:
      "Vertical horizontal filter: range of the last `period` closes over the sum of their absolute changes (high means trending).",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(28) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period.",
    version: 1,
    create: ({ period }) => new VHF(period),
  }),
  defineIndicator({
    name: "VortexIndicator",
    aliases: ["Vortex", "VI"],
    category: "trend",
    description:
      "Vortex indicator: upward and downward vortex movement over `period` candles, each divided by the true range sum.",
    reads: ["high", "low", "close"],
    input: "candle",
    params: paramsObject({ period: period(14) }),
    outputs: sameNamedOutputs("plus", "minus"),
    warmup: "First value at index period.",
    version: 1,
    create: ({ period }) => new VortexIndicator(period),
  }),
  defineIndicator({
    name: "VIDYA",
    aliases: ["VariableIndexDynamicAverage"],
    category: "trend",
    description:
      "Chande's variable index dynamic average: an EMA(period) whose smoothing is scaled by |CMO(period)|/100, seeded with the first close.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(10) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period.",
    version: 1,
    create: ({ period }) => new VIDYA(period),
  }),
  defineIndicator({
    name: "VolatilityStop",
    aliases: ["VSTOP"],
    category: "trend",
    description:
      "Volatility stop: a trailing stop multiplier*ATR from the close that flips side when the close crosses it.",
    reads: ["high", "low", "close"],
    input: "candle",
    params: paramsObject({ period: period(5), multiplier: factor(3.5) }),
    outputs: [{ name: "stop", key: "stop" }],
    warmup: "First value at index period-1 (when the ATR has its first value).",
    version: 1,
    create: ({ period, multiplier }) => new VolatilityStop({ interval: period, multiplier }),
  }),
  defineIndicator({
    name: "VWAP",
    aliases: ["VolumeWeightedAveragePrice"],
    category: "trend",
    description:
      "Volume-weighted average of the typical price (high+low+close)/3, cumulative from the first candle (no session reset).",
    reads: ["high", "low", "close", "volume"],
    input: "candle",
    params: NO_PARAMS,
    outputs: SINGLE_OUTPUT,
    warmup: "First value at the first candle with non-zero volume (index 0 usually).",
    version: 1,
    // The class returns null for a zero-volume candle, which leaves the cumulative VWAP unchanged.
    create: () => holdLastValue(new VWAP()),
  }),
  defineIndicator({
    name: "WMA",
    aliases: ["WeightedMovingAverage"],
    category: "trend",
    description: "Linearly weighted moving average of the last `period` closes (newest weighs most).",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(20) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1.",
    version: 1,
    create: ({ period }) => new WMA(period),
  }),
  defineIndicator({
    name: "WSMA",
    aliases: ["WildersSmoothedMovingAverage", "SMMA"],
    category: "trend",
    description:
      "Wilder's smoothed moving average: seeded with the SMA of the first `period` closes, then smoothing 1/period.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(14) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1.",
    version: 1,
    create: ({ period }) => new WSMA(period),
  }),
  defineIndicator({
    name: "ZigZag",
    aliases: [],
    category: "trend",
    description:
      "Most recent confirmed ZigZag pivot: the last swing extreme, confirmed once price retraces `deviation` percent of the swing.",
    reads: ["high", "low"],
    input: "candle",
    params: paramsObject({ deviation: bounded(5, 0, 100) }),
    outputs: SINGLE_OUTPUT,
    warmup:
      "First value at index 0 for deviation < 100 (the class counts the first candle's low as a pivot), else at the first confirmed reversal.",
    version: 1,
    // The class emits a pivot only on the reversal candle; the series holds the latest pivot price.
    create: ({ deviation }) => holdLastValue(new ZigZag({ deviation })),
  }),
  defineIndicator({
    name: "ZLEMA",
    aliases: ["ZeroLagExponentialMovingAverage", "ZeroLagEMA"],
    category: "trend",
    description: "Zero-lag EMA: an EMA of 2*close - close (period-1)/2 bars ago.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(20) }),
    outputs: SINGLE_OUTPUT,
    warmup: "First value at index period-1.",
    version: 1,
    create: ({ period }) => new ZLEMA(period),
  }),
  defineIndicator({
    name: "MINMAX",
    aliases: ["Period", "HighestLowest"],
    category: "trend",
    description: "Highest and lowest close of the last `period` candles.",
    reads: ["close"],
    input: "value",
    params: paramsObject({ period: period(20) }),
    outputs: [
      { name: "max", key: "highest" },
      { name: "min", key: "lowest" },
    ],
    warmup: "First value at index period-1.",
    version: 1,
    create: ({ period }) => new Period(period),
  }),
];
