import { describe, expect, it } from "vitest";
import { randomOhlcv, toColumns } from "../../harness/series.js";
import { INDICATORS, kernelFor } from "../../src/compute/catalog/index.js";
import { SeriesMemo } from "../../src/compute/kernels/shared-series.js";
import { runKernel } from "../../src/compute/run.js";
import { CANDLE_CASES, CLOSE_ONLY_CASES, ZERO_PRICE_CASES } from "./parity-cases.js";

const withKernels = INDICATORS.flatMap((definition) => {
  const kernel = kernelFor(definition.name);
  return kernel ? [[definition.name, definition, kernel] as const] : [];
});

describe("every TA-Lib kernel fits its catalog entry", () => {
  it("is compared with the TA-Lib binding: each kernel of the catalog has its parity param sets", () => {
    // LINEARREG's four outputs come from four TA-Lib functions: close-only.test.ts checks it apart.
    const covered = [
      ...Object.keys({ ...CLOSE_ONLY_CASES, ...CANDLE_CASES, ...ZERO_PRICE_CASES }),
      "LINEARREG",
    ];
    expect(covered.sort()).toEqual(withKernels.map(([name]) => name).sort());
  });

  describe.each(withKernels)("%s", (_name, definition, kernel) => {
    it.each([1, 7, 60, 400])(
      "computes %i candles: the catalog's outputs, aligned, NaN then finite",
      (length) => {
        const all = toColumns(randomOhlcv(length, length * 31 + 7));
        // Only the columns the catalog declares, as the scheduler hands them over.
        const inputs = Object.fromEntries(definition.reads.map((name) => [name, all[name]]));
        const series = runKernel(
          definition,
          kernel,
          definition.params.parse({}) as object,
          inputs,
          new SeriesMemo(),
        );
        expect(Object.keys(series.outputs)).toEqual(definition.outputs.map((output) => output.name));
        for (const values of Object.values(series.outputs)) {
          expect(values.length).toBe(length);
          const start = series.warmup ?? length;
          for (let i = 0; i < length; i++) {
            if (i < start) expect(Number.isNaN(values[i])).toBe(true);
            else expect(Number.isFinite(values[i]), `[${i}]`).toBe(true);
          }
        }
      },
    );
  });
});
