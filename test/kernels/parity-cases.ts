import type { ParityParams } from "../support/talib.js";

/**
 * The param sets each TA-Lib kernel is compared with the TA-Lib binding at (the parity table
 * itself is the catalog's `talib`). Every kernel of the catalog has an entry in one of these
 * (kernel-contract.test.ts checks): close-only indicators (close-only.test.ts feeds the close as
 * every column, over price gaps and magnitudes), indicators of whole candles (candle-parity.test.ts),
 * and those that also divide by a price (zero closes and flat zero prices on top).
 */
const periods = (values: number[]) => values.map((period) => ({ period }));

export const CLOSE_ONLY_CASES: Record<string, ParityParams> = {
  SUM: { paramSets: periods([30, 2, 3, 50]) },
  AVGDEV: { paramSets: periods([14, 2, 3, 40]) },
  LINEARREG_INTERCEPT: { paramSets: periods([14, 2, 3, 50]) },
  LINEARREG_ANGLE: { paramSets: periods([14, 2, 3, 50]) },
  VAR: { paramSets: periods([5, 2, 3, 20]) },
  SMA: {
    paramSets: periods([2, 3, 20, 50]),
  },
  EMA: {
    paramSets: periods([2, 3, 20, 50]),
  },
  WMA: {
    paramSets: periods([2, 3, 20, 50]),
  },
  BBANDS: {
    paramSets: [
      { period: 20, stdDev: 2 },
      { period: 2, stdDev: 1 },
      { period: 5, stdDev: 0.5 },
      { period: 50, stdDev: 3 },
    ],
  },
  MACD: {
    paramSets: [
      { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 },
      { fastPeriod: 2, slowPeriod: 3, signalPeriod: 2 },
      { fastPeriod: 5, slowPeriod: 35, signalPeriod: 5 },
    ],
  },
  DEMA: {
    paramSets: periods([2, 3, 20, 30]),
  },
  TEMA: {
    paramSets: periods([2, 3, 20, 30]),
  },
  TRIMA: {
    paramSets: periods([2, 3, 4, 5, 20, 31]),
  },
  MOM: {
    paramSets: periods([1, 2, 10, 40]),
  },
  APO: {
    paramSets: [
      { fastPeriod: 12, slowPeriod: 26 },
      { fastPeriod: 2, slowPeriod: 3 },
      { fastPeriod: 5, slowPeriod: 40 },
    ],
  },
  PPO: {
    paramSets: [
      { fastPeriod: 12, slowPeriod: 26 },
      { fastPeriod: 2, slowPeriod: 3 },
      { fastPeriod: 5, slowPeriod: 40 },
    ],
  },
  CMO: {
    paramSets: periods([2, 3, 14, 40]),
  },
  TRIX: {
    paramSets: periods([2, 3, 15, 30]),
  },
  KAMA: {
    paramSets: periods([2, 3, 10, 30]),
  },
  T3: {
    paramSets: [
      { period: 5, volumeFactor: 0.7 },
      { period: 2, volumeFactor: 0 },
      { period: 3, volumeFactor: 1 },
      { period: 12, volumeFactor: 0.4 },
    ],
  },
};

export const CANDLE_CASES: Record<string, ParityParams> = {
  AVGPRICE: { paramSets: [{}] },
  MEDPRICE: { paramSets: [{}] },
  TYPPRICE: { paramSets: [{}] },
  WCLPRICE: { paramSets: [{}] },
  MIDPRICE: { paramSets: periods([14, 2, 3, 30]) },
  RSI: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  ATR: {
    paramSets: [{ period: 14 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  NATR: {
    paramSets: [{ period: 14 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  TRANGE: { paramSets: [{}] },
  STOCHRSI: {
    paramSets: [
      { period: 14, kPeriod: 5, dPeriod: 3 },
      { period: 14, kPeriod: 14, dPeriod: 3 },
      { period: 2, kPeriod: 1, dPeriod: 1 },
      { period: 3, kPeriod: 2, dPeriod: 5 },
    ],
  },
  STOCH: {
    paramSets: [
      { kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 },
      { kPeriod: 1, kSlowingPeriod: 1, dPeriod: 1 },
      { kPeriod: 5, kSlowingPeriod: 1, dPeriod: 4 },
      { kPeriod: 2, kSlowingPeriod: 5, dPeriod: 1 },
      { kPeriod: 21, kSlowingPeriod: 7, dPeriod: 5 },
    ],
  },
  CCI: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 20 }],
  },
  WILLR: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 30 }],
    talibRejects: [{ period: 1 }],
  },
  MFI: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 30 }],
    talibRejects: [{ period: 1 }],
  },
  OBV: { paramSets: [{}] },
  AD: { paramSets: [{}] },
  ADOSC: {
    paramSets: [
      { fastPeriod: 3, slowPeriod: 10 },
      { fastPeriod: 2, slowPeriod: 3 },
      { fastPeriod: 5, slowPeriod: 30 },
    ],
    talibRejects: [{ fastPeriod: 1, slowPeriod: 2 }],
  },
  BOP: { paramSets: [{}] },
  ADX: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  DX: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  ADXR: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 20 }],
  },
  AROON: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 25 }],
    talibRejects: [{ period: 1 }],
  },
  ULTOSC: {
    talibBegIndex: (p, length) => {
      const longest = Math.max(p.shortPeriod as number, p.mediumPeriod as number, p.longPeriod as number);
      if (longest === 1) return 0;
      return Math.min(length, longest);
    },
    paramSets: [
      { shortPeriod: 7, mediumPeriod: 14, longPeriod: 28 },
      { shortPeriod: 1, mediumPeriod: 1, longPeriod: 1 },
      { shortPeriod: 2, mediumPeriod: 3, longPeriod: 5 },
      { shortPeriod: 5, mediumPeriod: 5, longPeriod: 20 },
    ],
  },
  SAR: {
    paramSets: [
      { acceleration: 0.02, maximum: 0.2 },
      { acceleration: 0.01, maximum: 0.5 },
      { acceleration: 0.1, maximum: 1 },
      { acceleration: 0.001, maximum: 0.002 },
    ],
  },
};

export const ZERO_PRICE_CASES: Record<string, ParityParams> = {
  ROCP: {
    paramSets: [{ period: 10 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  ROC: {
    paramSets: [{ period: 10 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  ROCR: {
    paramSets: [{ period: 10 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  ROCR100: {
    paramSets: [{ period: 10 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  STDDEV: {
    paramSets: [
      { period: 5, stdDev: 1 },
      { period: 2, stdDev: 1 },
      { period: 20, stdDev: 2 },
      { period: 3, stdDev: 0.5 },
      { period: 50, stdDev: 1.5 },
    ],
  },
  MAX: {
    paramSets: [{ period: 30 }, { period: 2 }, { period: 3 }, { period: 14 }],
  },
  MIN: {
    paramSets: [{ period: 30 }, { period: 2 }, { period: 3 }, { period: 14 }],
  },
  MIDPOINT: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  PLUS_DI: {
    paramSets: [{ period: 14 }, { period: 1 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  MINUS_DI: {
    paramSets: [{ period: 14 }, { period: 1 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  AROONOSC: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 25 }],
  },
  STOCHF: {
    paramSets: [
      { kPeriod: 5, dPeriod: 3 },
      { kPeriod: 1, dPeriod: 1 },
      { kPeriod: 1, dPeriod: 3 },
      { kPeriod: 2, dPeriod: 1 },
      { kPeriod: 14, dPeriod: 5 },
    ],
  },
  LINEARREG_SLOPE: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 50 }],
  },
  TSF: {
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 50 }],
  },
};
