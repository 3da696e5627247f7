import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { randomOhlcv, toColumns } from "../../harness/series.js";
import { INDICATORS, kernelFor } from "../../src/compute/catalog/index.js";
import { SeriesMemo } from "../../src/compute/kernels/shared-series.js";
import { runKernel } from "../../src/compute/run.js";

const withKernels = INDICATORS.flatMap((definition) => {
  const kernel = kernelFor(definition.name);
  return kernel ? [[definition.name, definition, kernel] as const] : [];
});

describe("every TA-Lib kernel fits its catalog entry", () => {
  it("exists for as many indicators as the README says are TA-Lib-exact", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const claimed = /TA-Lib-exact batch kernels for (\d+) of them/.exec(readme)?.[1];
    expect(withKernels.length).toBe(Number(claimed));
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
