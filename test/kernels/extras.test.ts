import { type OhlcvArrays, randomOhlcv } from "../../harness/series.js";
import { describeTalibParity, type Params, type ParityCase } from "../support/talib.js";

const period = (p: Params) => ({ optInTimePeriod: p.period as number });
const value = { value: "outReal" };

const CASES: Record<string, ParityCase> = {
  ROCP: {
    talibName: "ROCP",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 10 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  ROC: {
    talibName: "ROC",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 10 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  STDDEV: {
    talibName: "STDDEV",
    toTalib: (p) => ({ optInTimePeriod: p.period as number, optInNbDev: p.stdDev as number }),
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [
      { period: 5, stdDev: 1 },
      { period: 2, stdDev: 1 },
      { period: 20, stdDev: 2 },
      { period: 3, stdDev: 0.5 },
      { period: 50, stdDev: 1.5 },
    ],
  },
  MAX: {
    talibName: "MAX",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [{ period: 30 }, { period: 2 }, { period: 3 }, { period: 14 }],
  },
  MIN: {
    talibName: "MIN",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [{ period: 30 }, { period: 2 }, { period: 3 }, { period: 14 }],
  },
  MIDPOINT: {
    talibName: "MIDPOINT",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  PLUS_DI: {
    talibName: "PLUS_DI",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 1 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  MINUS_DI: {
    talibName: "MINUS_DI",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 1 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  AROONOSC: {
    talibName: "AROONOSC",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 25 }],
  },
  STOCHF: {
    talibName: "STOCHF",
    toTalib: (p) => ({
      optInFastK_Period: p.kPeriod as number,
      optInFastD_Period: p.dPeriod as number,
      optInFastD_MAType: 0,
    }),
    outputs: { k: "outFastK", d: "outFastD" },
    lookback: (p) => (p.kPeriod as number) + (p.dPeriod as number) - 2,
    paramSets: [
      { kPeriod: 5, dPeriod: 3 },
      { kPeriod: 1, dPeriod: 1 },
      { kPeriod: 1, dPeriod: 3 },
      { kPeriod: 2, dPeriod: 1 },
      { kPeriod: 14, dPeriod: 5 },
    ],
  },
  LINEARREG_SLOPE: {
    talibName: "LINEARREG_SLOPE",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 50 }],
  },
  TSF: {
    talibName: "TSF",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
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
