import { expect, it } from "vitest";
import { type OhlcvArrays, randomOhlcv, toColumns } from "../../harness/series.js";
import { describeTalibParity, kernelOutputs, parityCase, runTalib } from "../support/talib.js";
import { CANDLE_CASES, ZERO_PRICE_CASES } from "./parity-cases.js";

it("the catalog-minimum params TA-Lib rejects still give finite values after the warm-up", () => {
  for (const [name, suite] of Object.entries({ ...CANDLE_CASES, ...ZERO_PRICE_CASES })) {
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

/** A random walk whose close is exactly 0 on every 7th candle: ROC/ROCP's prev == 0 branch. */
function zeroCloseSeries(length: number, seed: number): OhlcvArrays {
  const series = randomOhlcv(length, seed);
  for (let i = 0; i < length; i += 7) series.close[i] = 0;
  return series;
}

describeTalibParity(CANDLE_CASES);
describeTalibParity(ZERO_PRICE_CASES, {
  flatPrices: [0],
  seeded: { "zero closes": zeroCloseSeries },
});
