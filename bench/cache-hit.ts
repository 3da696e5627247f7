/**
 * What a memory-cache hit saves: the same 10k-candle, six-indicator request served cold
 * (compute + serialize), warm (cached numbers and cached JSON spliced in), and warm with
 * `precision` (cached numbers, serialized again). In-process through app.inject so HTTP and
 * the network do not blur the comparison. Then where a cold request's time goes: the body's
 * JSON.parse, the six TA-Lib kernels, and the `values` JSON of their nine output series, each
 * timed alone on the same body in the same rounds. Medians of interleaved rounds; compare ratios.
 *
 *   npm run bench:cache-hit [-- --candles 10000 --rounds 40]
 */
import { parseArgs } from "node:util";
import { median, textTable } from "../harness/report.js";
import { randomOhlcv } from "../harness/series.js";
import { calculateRequest, testConfig } from "../harness/service.js";
import type { IndicatorInputs } from "../src/candles/vocabulary.js";
import { findIndicator, kernelFor } from "../src/compute/catalog/index.js";
import { SeriesMemo } from "../src/compute/kernels/shared-series.js";
import { type IndicatorSeries, runKernel } from "../src/compute/run.js";
import { valuesJson } from "../src/compute/serialize.js";
import { createService } from "../src/service.js";
import { SIX_INDICATORS } from "./support/workload.js";

const { values: args } = parseArgs({
  options: { candles: { type: "string", default: "10000" }, rounds: { type: "string", default: "40" } },
});
const candles = Number(args.candles);
const rounds = Number(args.rounds);

const service = await createService(testConfig({ SCHEDULER_MODE: "sync" }));
await service.app.ready();

const indicators: readonly { name: string; params?: object }[] = SIX_INDICATORS;
function body(seed: number, options?: object): string {
  const { time: _time, ...ohlcv } = randomOhlcv(candles, seed);
  return JSON.stringify({ candles: ohlcv, indicators, ...(options ? { options } : {}) });
}

async function time(payload: string): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const response = await service.app.inject(calculateRequest(payload));
  const ms = performance.now() - start;
  if (response.statusCode !== 200) throw new Error(response.body);
  return { ms, bytes: response.body.length };
}

/** The stages of a cold request timed alone: parse the body, run the kernels, serialize the values. */
function stages(payload: string): { parse: number; compute: number; serialize: number } {
  let start = performance.now();
  const parsed = JSON.parse(payload) as { candles: Record<string, number[]> };
  const columns: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(parsed.candles)) columns[name] = Float64Array.from(values);
  const parse = performance.now() - start;
  start = performance.now();
  const shared = new SeriesMemo();
  const results: IndicatorSeries[] = indicators.map(({ name, params }) => {
    const definition = findIndicator(name);
    const kernel = kernelFor(name);
    if (!definition || !kernel) throw new Error(`${name} has no kernel`);
    const inputs = Object.fromEntries(definition.reads.map((column) => [column, columns[column]]));
    return runKernel(
      definition,
      kernel,
      definition.params.parse(params ?? {}) as object,
      inputs as IndicatorInputs,
      shared,
    );
  });
  const compute = performance.now() - start;
  start = performance.now();
  for (const result of results) valuesJson(result);
  return { parse, compute, serialize: performance.now() - start };
}

const warmBody = body(1);
const preciseBody = body(1, { precision: 6 });
await time(warmBody);
const samples: Record<string, number[]> = { cold: [], warm: [], "warm+precision": [] };
const stageSamples: Record<string, number[]> = {
  "JSON.parse + columns": [],
  "kernels (compute)": [],
  "values JSON (serialize)": [],
};
let bytes = 0;
for (let round = 0; round < rounds; round++) {
  samples.cold?.push((await time(body(1_000 + round))).ms);
  const warm = await time(warmBody);
  bytes = warm.bytes;
  samples.warm?.push(warm.ms);
  samples["warm+precision"]?.push((await time(preciseBody)).ms);
  const stage = stages(body(2_000 + round));
  stageSamples["JSON.parse + columns"]?.push(stage.parse);
  stageSamples["kernels (compute)"]?.push(stage.compute);
  stageSamples["values JSON (serialize)"]?.push(stage.serialize);
}
await service.close();

const cold = median(samples.cold ?? []);
console.log(
  `${candles} candles, six indicators, ${rounds} interleaved rounds, response ${(bytes / 1e6).toFixed(2)} MB`,
);
const rows = (from: Record<string, number[]>, share: (ms: number) => string) =>
  Object.entries(from).map(([name, xs]) => [name, median(xs).toFixed(2), share(median(xs))]);
console.log(
  textTable(
    ["scenario", "median ms", "vs cold"],
    rows(samples, (ms) => `${(ms / cold).toFixed(2)}x`),
  ),
);
console.log("\nwhere a cold request's time goes (each stage timed alone, same body size)");
console.log(
  textTable(
    ["stage", "median ms", "share of cold"],
    rows(stageSamples, (ms) => `${((ms / cold) * 100).toFixed(0)}%`),
  ),
);
