import { expect, it } from "vitest";
import { randomOhlcv, toColumns } from "../../harness/series.js";
import {
  describeTalibParity,
  kernelOutputs,
  type ParityParams,
  parityCase,
  runTalib,
} from "../support/talib.js";

const CASES: Record<string, ParityParams> = {
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

it("the catalog-minimum params TA-Lib rejects still give finite values after the warm-up", () => {
  for (const [name, suite] of Object.entries(CASES)) {
    const testCase = parityCase(name, suite);
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
