import { type OhlcvArrays, randomOhlcv } from "../../harness/series.js";
import { describeTalibParity, type ParityParams } from "../support/talib.js";

const CASES: Record<string, ParityParams> = {
  ROCP: {
    paramSets: [{ period: 10 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  ROC: {
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

/** A random walk whose close is exactly 0 on every 7th candle: ROC/ROCP's prev == 0 branch. */
function zeroCloseSeries(length: number, seed: number): OhlcvArrays {
  const series = randomOhlcv(length, seed);
  for (let i = 0; i < length; i += 7) series.close[i] = 0;
  return series;
}

describeTalibParity(CASES, {
  flatPrices: [0],
  seeded: { "zero closes": zeroCloseSeries },
});
