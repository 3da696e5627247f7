/**
 * Compute speed per indicator: the service's compute path exactly as the scheduler's executors
 * call it (`computeTask`, and `runIndicator` alone so the serialization share shows),
 * trading-signals called directly, the peers a user might pick instead (technicalindicators,
 * @ixjb94/indicators, the TA-Lib binding `talib`), each as ns per candle and as a multiple of a
 * tight Float64Array loop (the practical floor, checked against the service's numbers).
 *
 *   npm run bench:compute                        # 1k, 10k, 100k, 1M candles (~4-6 min on 2 cores)
 *   npm run bench:compute -- --quick             # 1k and 10k, 3 rounds (development)
 *   npm run bench:compute -- --sizes 100000 --samples 5 --only SMA,RSI --json out.json
 *
 * Peers are optional devDependencies: a missing one shows as an n/a row with the reason.
 * Medians of interleaved rounds on one machine; compare ratios, not absolute numbers across machines.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { buildCases, CASE_LABELS } from "./compute/cases.js";
import { benchSeries } from "./compute/data.js";
import { measureSize, type SizeResult } from "./compute/measure.js";
import { installedVersion, loadPeers } from "./compute/peers.js";
import { medians, renderSize, summarize, unavailableRows } from "./compute/report.js";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    sizes: { type: "string" },
    samples: { type: "string" },
    "large-samples": { type: "string", default: "5" },
    "batch-ms": { type: "string" },
    "warm-ms": { type: "string" },
    budget: { type: "string", default: "90" },
    only: { type: "string" },
    seed: { type: "string", default: "1" },
    json: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log(`usage: tsx bench/compute.ts [options]
  --quick              1k and 10k candles, 3 rounds, short batches (development)
  --sizes LIST         candle counts, default 1000,10000,100000,1000000
  --samples N          rounds for sizes below 1M (default 9; --quick 3)
  --large-samples N    rounds for sizes of 1M and more (default 5)
  --batch-ms MS        minimum duration of one timed batch (default 20; --quick 5)
  --warm-ms MS         warm-up per row and size (default 200; --quick 50)
  --budget S           stop adding rounds to a size after S seconds, 3 rounds minimum (default 90; x2 from 1M)
  --only LIST          indicators to run, e.g. SMA,RSI (default all: ${CASE_LABELS.join(" ")})
  --seed N             series seed (default 1)
  --json FILE          also write the results as JSON`);
  process.exit(0);
}

function positiveInteger(value: string, name: string): number {
  const parsed = Number(value.replace(/_/g, ""));
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new Error(`${name} must be a positive integer, got ${value}`);
  return parsed;
}

const sizes = (args.sizes ?? (args.quick ? "1000,10000" : "1000,10000,100000,1000000"))
  .split(",")
  .map((size) => positiveInteger(size.trim(), "--sizes"));
const samples = positiveInteger(args.samples ?? (args.quick ? "3" : "9"), "--samples");
const largeSamples = positiveInteger(args["large-samples"], "--large-samples");
const batchMs = positiveInteger(args["batch-ms"] ?? (args.quick ? "5" : "20"), "--batch-ms");
const warmMs = positiveInteger(args["warm-ms"] ?? (args.quick ? "50" : "200"), "--warm-ms");
const budgetSeconds = positiveInteger(args.budget, "--budget");
const seed = positiveInteger(args.seed, "--seed");
const only = args.only?.split(",").map((name) => name.trim());
if (sizes.some((size) => size < 100))
  throw new Error("--sizes: at least 100 candles (ADX needs 27 to warm up)");

const started = Date.now();
const peers = await loadPeers();
const cpus = os.cpus();
const versions = ["trading-signals", "technicalindicators", "@ixjb94/indicators", "talib"].map(
  (name) => `${name} ${installedVersion(name) ?? "not installed"}`,
);
const machine = {
  date: new Date().toISOString(),
  node: process.version,
  v8: process.versions.v8,
  cpu: cpus[0]?.model.trim() ?? "unknown",
  cores: cpus.length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))),
  libraries: versions,
};
const command = `tsx bench/compute.ts ${process.argv.slice(2).join(" ")}`.trim();
console.log(`bench:compute  ${machine.date}`);
console.log(`node ${machine.node} (V8 ${machine.v8}), ${machine.os}`);
console.log(
  `CPU ${machine.cpu} x ${machine.cores}, ${machine.memoryGiB} GiB; load average ${machine.loadAverage.join(" ")}`,
);
console.log(
  `libraries: ${versions.join(", ")}${peers.talib.ok && installedVersion("talib") === "2.0.3" ? " (talib 2.0.3 bundles TA-Lib C 0.6.0-dev)" : ""}`,
);
console.log(`command: ${command}`);
console.log(
  `series: mean-reverting random walk (bench/compute/data.ts), seed ${seed}; rounds ${samples} (<1M) / ${largeSamples} (>=1M); ` +
    `batches >= ${batchMs} ms; warm-up ${warmMs} ms per row; budget ${budgetSeconds} s per size`,
);
console.log(
  "columns: ns/candle = median; x floor = / the tight Float64Array loop (preallocated outputs); serialize = share\n" +
    "  of computeTask (kernel + values JSON) spent on the JSON; spread = (max-min)/median of the rounds; first = index of the first value of the primary\n" +
    "  output; tail Δ = max |row - service| / max |service| over the last 200 values of the primary output\n" +
    "  (MACD line, BBANDS upper, STOCH %K); ! = beyond rounding (another formula, seed or warm-up still in effect).\n",
);

const results: SizeResult[] = [];
for (const candles of sizes) {
  const built = performance.now();
  const series = benchSeries(candles, seed);
  const cases = buildCases(series, peers, only);
  process.stderr.write(
    `${candles} candles: series built in ${((performance.now() - built) / 1000).toFixed(1)} s\n`,
  );
  const large = candles >= 1_000_000;
  const result = measureSize(candles, cases, {
    samples: large ? largeSamples : samples,
    batchMs,
    warmMs,
    budgetMs: budgetSeconds * 1000 * (large ? 2 : 1),
    progress: (message) => process.stderr.write(`${message}\n`),
  });
  results.push(result);
  console.log(renderSize(result));
  const failed = result.floorChecks.filter((check) => !check.ok);
  console.log(
    failed.length === 0
      ? `floor check: all ${result.floorChecks.length} floors match the service's numbers (rel. tolerance 1e-9)\n`
      : `FLOOR CHECK FAILED: ${failed.map((check) => `${check.indicator}: ${check.detail}`).join(" | ")}\n`,
  );
}

const unavailable = unavailableRows(results);
console.log(
  unavailable.length === 0 ? "every row ran" : `rows that could not run:\n  ${unavailable.join("\n  ")}`,
);
console.log(
  `load average at the end: ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(" ")}`,
);
console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);

if (args.json) {
  const json = {
    machine,
    command,
    seed,
    sizes: results.map((size) => {
      const m = medians(size);
      return {
        candles: size.candles,
        rounds: size.rounds,
        budgetHit: size.budgetHit,
        seconds: size.seconds,
        floorChecks: size.floorChecks,
        rows: size.rows.map((row) => {
          const ns = m.get(`${row.indicator}|${row.impl}`);
          const floor = m.get(`${row.indicator}|floor (Float64Array loop)`);
          return {
            indicator: row.indicator,
            implementation: row.impl,
            nsPerCandle: ns ?? null,
            xFloor: ns !== undefined && floor ? ns / floor : null,
            samples: row.samples,
            first: row.first ?? null,
            tailDelta: row.tailDelta ?? null,
            unavailable: row.unavailable ?? null,
            note: row.note ?? null,
          };
        }),
        summary: summarize(size),
      };
    }),
  };
  writeFileSync(args.json, `${JSON.stringify(json, null, 2)}\n`);
}

if (results.some((size) => size.floorChecks.some((check) => !check.ok))) process.exitCode = 1;
