import { expect, it } from "vitest";
import { randomOhlcv, toColumns } from "../../harness/series.js";
import {
  describeTalibParity,
  kernelOutputs,
  type Params,
  type ParityCase,
  runTalib,
} from "../support/talib.js";

const period = (p: Params) => ({ optInTimePeriod: p.period as number });
const value = { value: "outReal" };

const CASES: Record<string, ParityCase> = {
  RSI: {
    talibName: "RSI",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  ATR: {
    talibName: "ATR",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  NATR: {
    talibName: "NATR",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 1 }, { period: 2 }, { period: 30 }],
  },
  TRANGE: { talibName: "TRANGE", toTalib: () => ({}), outputs: value, lookback: () => 1, paramSets: [{}] },
  STOCHRSI: {
    talibName: "STOCHRSI",
    toTalib: (p) => ({
      optInTimePeriod: p.period as number,
      optInFastK_Period: p.kPeriod as number,
      optInFastD_Period: p.dPeriod as number,
      optInFastD_MAType: 0,
    }),
    outputs: { k: "outFastK", d: "outFastD" },
    lookback: (p) => (p.period as number) + (p.kPeriod as number) + (p.dPeriod as number) - 2,
    paramSets: [
      { period: 14, kPeriod: 5, dPeriod: 3 },
      { period: 14, kPeriod: 14, dPeriod: 3 },
      { period: 2, kPeriod: 1, dPeriod: 1 },
      { period: 3, kPeriod: 2, dPeriod: 5 },
    ],
  },
  STOCH: {
    talibName: "STOCH",
    toTalib: (p) => ({
      optInFastK_Period: p.kPeriod as number,
      optInSlowK_Period: p.kSlowingPeriod as number,
      optInSlowK_MAType: 0,
      optInSlowD_Period: p.dPeriod as number,
      optInSlowD_MAType: 0,
    }),
    outputs: { k: "outSlowK", d: "outSlowD" },
    lookback: (p) => (p.kPeriod as number) + (p.kSlowingPeriod as number) + (p.dPeriod as number) - 3,
    paramSets: [
      { kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 },
      { kPeriod: 1, kSlowingPeriod: 1, dPeriod: 1 },
      { kPeriod: 5, kSlowingPeriod: 1, dPeriod: 4 },
      { kPeriod: 2, kSlowingPeriod: 5, dPeriod: 1 },
      { kPeriod: 21, kSlowingPeriod: 7, dPeriod: 5 },
    ],
  },
  CCI: {
    talibName: "CCI",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 20 }],
  },
  WILLR: {
    talibName: "WILLR",
    toTalib: period,
    outputs: value,
    lookback: (p) => (p.period as number) - 1,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 30 }],
    talibRejects: [{ period: 1 }],
  },
  MFI: {
    talibName: "MFI",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 30 }],
    talibRejects: [{ period: 1 }],
  },
  OBV: { talibName: "OBV", toTalib: () => ({}), outputs: value, lookback: () => 0, paramSets: [{}] },
  AD: { talibName: "AD", toTalib: () => ({}), outputs: value, lookback: () => 0, paramSets: [{}] },
  ADOSC: {
    talibName: "ADOSC",
    toTalib: (p) => ({ optInFastPeriod: p.fastPeriod as number, optInSlowPeriod: p.slowPeriod as number }),
    outputs: value,
    lookback: (p) => Math.max(p.fastPeriod as number, p.slowPeriod as number) - 1,
    paramSets: [
      { fastPeriod: 3, slowPeriod: 10 },
      { fastPeriod: 2, slowPeriod: 3 },
      { fastPeriod: 5, slowPeriod: 30 },
    ],
    talibRejects: [{ fastPeriod: 1, slowPeriod: 2 }],
  },
  BOP: { talibName: "BOP", toTalib: () => ({}), outputs: value, lookback: () => 0, paramSets: [{}] },
  ADX: {
    talibName: "ADX",
    toTalib: period,
    outputs: value,
    lookback: (p) => 2 * (p.period as number) - 1,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  DX: {
    talibName: "DX",
    toTalib: period,
    outputs: value,
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 30 }],
  },
  ADXR: {
    talibName: "ADXR",
    toTalib: period,
    outputs: value,
    lookback: (p) => 3 * (p.period as number) - 2,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 3 }, { period: 20 }],
  },
  AROON: {
    talibName: "AROON",
    toTalib: period,
    outputs: { up: "outAroonUp", down: "outAroonDown" },
    lookback: (p) => p.period as number,
    paramSets: [{ period: 14 }, { period: 2 }, { period: 25 }],
    talibRejects: [{ period: 1 }],
  },
  ULTOSC: {
    talibName: "ULTOSC",
    toTalib: (p) => ({
      optInTimePeriod1: p.shortPeriod as number,
      optInTimePeriod2: p.mediumPeriod as number,
      optInTimePeriod3: p.longPeriod as number,
    }),
    outputs: value,
    lookback: (p) => Math.max(p.shortPeriod as number, p.mediumPeriod as number, p.longPeriod as number),
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
    talibName: "SAR",
    toTalib: (p) => ({ optInAcceleration: p.acceleration as number, optInMaximum: p.maximum as number }),
    outputs: value,
    lookback: () => 1,
    paramSets: [
      { acceleration: 0.02, maximum: 0.2 },
      { acceleration: 0.01, maximum: 0.5 },
      { acceleration: 0.1, maximum: 1 },
      { acceleration: 0.001, maximum: 0.002 },
    ],
  },
};

it("the catalog-minimum params TA-Lib rejects still give finite values after the warm-up", () => {
  for (const [name, testCase] of Object.entries(CASES)) {
    for (const params of testCase.talibRejects ?? []) {
      expect(() => runTalib(testCase, randomOhlcv(50, 1), params), name).toThrow();
      const outputs = kernelOutputs(name, toColumns(randomOhlcv(50, 1)), params);
      for (const values of Object.values(outputs)) {
        const lookback = testCase.lookback(params);
        for (let i = 0; i < 50; i++) expect(Number.isFinite(values[i]), `${name}[${i}]`).toBe(i >= lookback);
      }
    }
  }
});

describeTalibParity(CASES);
