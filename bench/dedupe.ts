/**
 * Exactly-once work across a fleet: Redis and 3 replicas (the built server, child processes),
 * every computation slowed to DEBUG_COMPUTE_DELAY_MS, hit with bursts of identical requests
 * spread round-robin over the replicas (each burst a new series: one fresh unit). For each
 * wait strategy and burst size: computations per unit (ideal 1, from the replicas' /metrics),
 * duplicates, and how much later than the holder everyone else got the answer.
 *
 * Strategies, each on freshly started replicas:
 *   notify  the product (COORDINATION_WAIT=notify: pub/sub wake-up, lease-aware)
 *   poll    the origin design's wait (COORDINATION_WAIT=poll, 3 reads 500 ms apart, then compute)
 *   off     no Redis: every replica computes on its own (requests on one replica still join)
 *
 * A second part repeats one burst size with a computation longer than the poll budget
 * (1.5 s), where the origin design computes again.
 *
 *   npm run bench:dedupe [-- --concurrency 3,12,48 --bursts 20 --compute-ms 200
 *                            --long-compute-ms 2000 --long-concurrency 12 --long-bursts 3
 *                            --strategies notify,poll,off]
 *   npm run bench:dedupe -- --quick
 */
import { parseArgs } from "node:util";
import {
  type DedupeRow,
  runDedupe,
  STRATEGIES,
  type StrategyName,
  summarize,
} from "../harness/dedupe-run.js";
import { requireRedisBinary } from "../harness/redis.js";
import { formatNumber, machineFacts, markdownTable } from "../harness/report.js";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    concurrency: { type: "string" },
    bursts: { type: "string" },
    "compute-ms": { type: "string", default: "200" },
    "long-compute-ms": { type: "string", default: "2000" },
    "long-concurrency": { type: "string", default: "12" },
    "long-bursts": { type: "string" },
    strategies: { type: "string", default: "notify,poll,off" },
  },
});
const quick = args.quick === true;
const concurrencies = (args.concurrency ?? (quick ? "3,12" : "3,12,48")).split(",").map(Number);
const bursts = Number(args.bursts ?? (quick ? 3 : 20));
const computeMs = Number(args["compute-ms"]);
const longComputeMs = Number(args["long-compute-ms"]);
const longConcurrency = Number(args["long-concurrency"]);
const longBursts = Number(args["long-bursts"] ?? (quick ? 1 : 3));
const strategies = (args.strategies ?? "").split(",").filter(Boolean) as StrategyName[];
for (const strategy of strategies)
  if (!(strategy in STRATEGIES)) throw new Error(`unknown strategy: ${strategy}`);
for (const n of [...concurrencies, bursts, longConcurrency, longBursts])
  if (!Number.isInteger(n) || n < 0 || n > 500) throw new Error(`bad count: ${n}`);
for (const ms of [computeMs, longComputeMs])
  if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) throw new Error(`bad compute time: ${ms}`);

if (!requireRedisBinary()) process.exit(process.env.CI === "true" ? 1 : 0);

const log = (line: string) => process.stderr.write(`${line}\n`);
const started = performance.now();
const rows = await runDedupe({ strategies, concurrencies, bursts, computeMs, log });
const longRows =
  longBursts > 0 && longConcurrency > 0 && longComputeMs > 0
    ? await runDedupe({
        strategies,
        concurrencies: [longConcurrency],
        bursts: longBursts,
        computeMs: longComputeMs,
        log,
      })
    : [];

const ms = (value: number) => formatNumber(value, 0);
function table(list: readonly DedupeRow[]): string {
  return markdownTable(
    [
      "strategy",
      "compute ms",
      "requests/burst",
      "units",
      "computations/unit",
      "extra computations",
      "dup. metric",
      "waiter extra p50 ms",
      "p99 ms",
      "max ms",
      "holder p50 ms",
      "sources",
    ],
    list.map((row) => {
      const s = summarize(row);
      return [
        row.label,
        String(row.computeMs),
        String(row.concurrency),
        String(row.units),
        s.computationsPerUnit.toFixed(2),
        String(s.extraComputations),
        String(row.duplicateMetric),
        ms(s.waiterExtraP50),
        ms(s.waiterExtraP99),
        ms(s.waiterExtraMax),
        ms(s.holderP50),
        Object.entries(row.sources)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([source, count]) => `${source} ${count}`)
          .join(", "),
      ];
    }),
  );
}

console.log("# bench:dedupe\n");
console.log(
  machineFacts({
    settings: `3 replicas, ${bursts} bursts per row (${longBursts} in the long part), one BBANDS unit per request over 1,000 candles, requests round-robin over the replicas`,
    command: `npm run bench:dedupe -- ${process.argv.slice(2).join(" ")}`.trim(),
    "wall time": `${((performance.now() - started) / 1000).toFixed(0)} s`,
  }).join("\n"),
);
console.log(`\n## Compute ${computeMs} ms per unit\n`);
console.log(table(rows));
if (longRows.length > 0) {
  console.log(`\n## Compute ${longComputeMs} ms per unit (longer than the poll budget of 3 x 500 ms)\n`);
  console.log(table(longRows));
}
console.log(
  [
    "",
    "- computations/unit: sum of indicator_computations_total deltas over the replicas per unique unit; 1 is ideal.",
    "- extra computations: computations minus units. dup. metric: indicator_duplicate_computations_total (a replica gave up waiting and computed).",
    "- waiter extra: each response's time minus the holder's in the same burst (holder: the first response whose result says `computed`); negative when a waiter was answered first.",
    "- sources: the `source` of every response: computed, awaited (another replica computed), joined (same replica computed), shared (Redis cache).",
  ].join("\n"),
);

const problems: string[] = [];
for (const row of [...rows, ...longRows]) {
  if (row.failures.length > 0)
    problems.push(
      `${row.label} x${row.concurrency}: ${row.failures.length} failed requests (${row.failures[0]})`,
    );
  if (row.computedResponses !== row.computations)
    problems.push(
      `${row.label} x${row.concurrency}: ${row.computedResponses} responses say computed, metrics count ${row.computations}`,
    );
}
if (problems.length > 0) {
  console.log(`\nProblems:\n${problems.map((p) => `- ${p}`).join("\n")}`);
  process.exitCode = 1;
}
