/**
 * Fits the cost model of src/compute/cost.ts for every catalog indicator and implementation and
 * writes src/compute/catalog/costs.generated.json. The scheduler uses the estimates to run a unit
 * inline or in the pool and to refuse requests over MAX_REQUEST_COMPUTE_MS, so re-run after
 * changing the runtime:  npm run measure:costs
 * After adding or changing indicators, fit only those and keep the rest of the table (and its
 * JSON prices, which are fitted over every indicator):
 *   npm run measure:costs -- --missing      the indicators with an implementation the table lacks
 *   npm run measure:costs -- '^(ROC|ROCR)$'  the indicators whose names match
 *
 * For each (indicator, implementation): the computation's median time (its JSON apart) at the
 * window levels of harness/cost-points.ts (smallest legal, two between, default, largest
 * legal) times three series lengths, then non-negative least squares on the relative error (every
 * point counts the same, whether it took 20 us or 2 s). The JSON's time per value is measured at
 * the same points and written once, as the upper quartile over all of them.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  measureMs,
  measureUnitPartsMs,
  warmUp,
  windowedParams,
  windowRange,
} from "../harness/cost-points.js";
import { randomOhlcv, toColumns } from "../harness/series.js";
import current from "../src/compute/catalog/costs.generated.json" with { type: "json" };
import { implementationsOf } from "../src/compute/catalog/definition.js";
import { INDICATORS } from "../src/compute/catalog/index.js";
import { COST_TERM_NAMES, type CostCoefficients, costTerms, modelledCostMs } from "../src/compute/cost.js";
import { valuesBytes } from "../src/compute/serialize.js";

const SIZES = [1_000, 4_000, 16_000];
const columnsBySize = new Map(SIZES.map((size) => [size, toColumns(randomOhlcv(size, 12345))]));
const argument = process.argv[2];
const measured: Readonly<Record<string, object>> = current.coefficients;
/** Which indicators to fit; undefined: all, and the JSON prices with them. */
const filter =
  argument === "--missing"
    ? {
        test: (name: string) =>
          INDICATORS.some(
            (definition) =>
              definition.name === name &&
              implementationsOf(definition).some(
                (implementation) =>
                  !(measured[name] as Record<string, unknown> | undefined)?.[implementation],
              ),
          ),
      }
    : argument
      ? new RegExp(argument, "i")
      : undefined;

/** Minimizes |A c - b|^2 over c >= 0 by cyclic coordinate descent on the normal equations. */
function nonNegativeLeastSquares(rows: number[][], targets: number[]): number[] {
  const width = rows[0]?.length ?? 0;
  // Columns scaled to unit norm so one sweep moves every coordinate on a comparable scale.
  const norms = Array.from(
    { length: width },
    (_, j) => Math.hypot(...rows.map((row) => row[j] as number)) || 1,
  );
  const scaled = rows.map((row) => row.map((value, j) => value / (norms[j] as number)));
  const gram = Array.from({ length: width }, (_, i) =>
    Array.from({ length: width }, (_, j) =>
      scaled.reduce((sum, row) => sum + (row[i] as number) * (row[j] as number), 0),
    ),
  );
  const projected = Array.from({ length: width }, (_, j) =>
    scaled.reduce((sum, row, r) => sum + (row[j] as number) * (targets[r] as number), 0),
  );
  const solution = new Array<number>(width).fill(0);
  for (let sweep = 0; sweep < 20_000; sweep++) {
    let moved = 0;
    for (let j = 0; j < width; j++) {
      const diagonal = gram[j]?.[j] as number;
      if (diagonal === 0) continue;
      let gradient = -(projected[j] as number);
      for (let k = 0; k < width; k++) gradient += (gram[j]?.[k] as number) * (solution[k] as number);
      const next = Math.max(0, (solution[j] as number) - gradient / diagonal);
      moved = Math.max(moved, Math.abs(next - (solution[j] as number)));
      solution[j] = next;
    }
    if (moved < 1e-12) break;
  }
  return solution.map((value, j) => value / (norms[j] as number));
}

function significant(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(4));
}

const MIN_JSON_VALUES = 1_000;
/** What every slot of an output costs its JSON, null or number: timed on a series of nulls only, as long as the longest fitted. */
const NULL_SERIES = SIZES.at(-1) as number;
const slotPrice = significant(
  (measureMs(() =>
    valuesBytes({ warmup: null, outputs: { value: new Float64Array(NULL_SERIES).fill(Number.NaN) } }),
  ) *
    1e6) /
    NULL_SERIES,
);
const jsonNsPerValue: number[] = [];
const fitted: Record<string, Record<string, CostCoefficients>> = {};
/** Per fit, its coefficients and each point's measured total: judged once the JSON price is known. */
const fits: {
  label: string;
  definition: (typeof INDICATORS)[number];
  coefficients: CostCoefficients;
  points: { totalMs: number; params: object; size: number }[];
}[] = [];
for (const definition of INDICATORS) {
  if (filter && !filter.test(definition.name)) continue;
  const { small, standard, large } = windowRange(definition);
  const between = (fraction: number) => Math.round(standard * (large / Math.max(1, standard)) ** fraction);
  const targets = [...new Set([small, standard, between(1 / 3), between(2 / 3), large])];
  for (const implementation of implementationsOf(definition)) {
    warmUp(definition, implementation, columnsBySize.get(SIZES[1] as number) as never);
    const rows: number[][] = [];
    const points: (typeof fits)[number]["points"] = [];
    for (const target of targets) {
      const params = windowedParams(definition, target);
      for (const size of SIZES) {
        const parts = measureUnitPartsMs(
          definition,
          implementation,
          params,
          columnsBySize.get(size) as never,
        );
        rows.push(costTerms(size, params).map((term) => term / (parts.computeMs * 1e6)));
        points.push({ totalMs: parts.computeMs + parts.jsonMs, params, size });
        // Short JSON is timer noise and fixed costs, not a per-value price.
        if (parts.values >= MIN_JSON_VALUES)
          jsonNsPerValue.push((parts.jsonMs * 1e6 - parts.slots * slotPrice) / parts.values);
      }
    }
    const coefficients = nonNegativeLeastSquares(
      rows,
      rows.map(() => 1),
    ).map(significant);
    const byImplementation = fitted[definition.name] ?? {};
    fitted[definition.name] = byImplementation;
    byImplementation[implementation] = coefficients as unknown as CostCoefficients;
    fits.push({
      label: `${definition.name.padEnd(26)} ${implementation.padEnd(15)}`,
      definition,
      coefficients: coefficients as unknown as CostCoefficients,
      points,
    });
    process.stdout.write(".");
  }
}

jsonNsPerValue.sort((a, b) => a - b);
const jsonQuantile = (q: number) =>
  significant(jsonNsPerValue[Math.floor((jsonNsPerValue.length - 1) * q)] ?? 0);
const jsonPrice = jsonQuantile(0.75);
console.log(
  `\nJSON ns per slot ${slotPrice}; per value beyond that: median ${jsonQuantile(0.5)}, upper quartile ${jsonPrice}, max ${jsonQuantile(1)} (${jsonNsPerValue.length} points)`,
);
const prices = filter
  ? { perSlotNs: current.jsonNsPerSlot, perValueNs: current.jsonNsPerValue }
  : { perSlotNs: slotPrice, perValueNs: jsonPrice };
for (const { label, definition, coefficients, points } of fits) {
  const ratios = points.map(
    (point) => modelledCostMs(coefficients, prices, definition, point.params, point.size) / point.totalMs,
  );
  const worst = Math.max(...ratios.map((ratio) => Math.max(ratio, 1 / ratio)));
  const slowest = Math.max(...points.map((point) => point.totalMs));
  console.log(`${label} worst ${worst.toFixed(2)}x  max ${slowest.toFixed(1)} ms`);
  if (process.env.VERBOSE) {
    points.forEach((point, i) => {
      console.log(
        `    ${JSON.stringify(point.params)} n=${point.size} ${point.totalMs.toFixed(3)} ms estimate/measured ${ratios[i]?.toFixed(2)}`,
      );
    });
  }
}

if (fits.length === 0) {
  console.log("Nothing to fit: no indicator matches, or every one has its rows.");
  process.exit(0);
}
const table: Record<string, object> = filter ? { ...measured, ...fitted } : fitted;
const generated = new URL("../src/compute/catalog/costs.generated.json", import.meta.url);
const document = {
  $comment: `Generated by scripts/measure-costs.ts (npm run measure:costs) on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}; do not edit. Nanoseconds per step of the computation (its JSON apart), per term: ${COST_TERM_NAMES.join(", ")}; and of JSON for each output slot (null or number) and each number beyond that (upper quartile of every fitted point).`,
  jsonNsPerSlot: prices.perSlotNs,
  jsonNsPerValue: prices.perValueNs,
  coefficients: Object.fromEntries(
    Object.keys(table)
      .sort((a, b) => a.localeCompare(b))
      .map((name) => [name, table[name]]),
  ),
};
writeFileSync(generated, `${JSON.stringify(document, null, 2)}\n`);
execFileSync("npx", ["biome", "format", "--write", fileURLToPath(generated)], { stdio: "inherit" });
