/**
 * Where JSON bodies should be read: on the event loop or in a worker thread (the
 * JSON_BODY_WORKER_MIN_BYTES threshold). Two services in this process, one reading every body in
 * a worker and one reading every body inline, answer the same cold requests (a new series each,
 * one indicator so the body dominates) in alternation; for each body size the table shows the
 * median request time of each and the longest the event loop was held meanwhile (a timer that
 * should fire every millisecond, its worst lateness).
 *
 *   npm run bench:json-body [-- --rounds 15 --candles 500,1000,2000,5000,10000,50000]
 */
import { parseArgs } from "node:util";
import { formatNumber, machineFacts, markdownTable, median } from "../harness/report.js";
import { randomOhlcv } from "../harness/series.js";
import { calculateRequest, startTestService } from "../harness/service.js";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "15" },
    candles: { type: "string", default: "500,1000,2000,5000,10000,50000" },
  },
});
const rounds = Number(args.rounds);
const sizes = (args.candles ?? "").split(",").map(Number);

const [inWorker, inline] = await Promise.all([
  startTestService({ JSON_BODY_WORKER_MIN_BYTES: 0 }),
  startTestService({ JSON_BODY_WORKER_MIN_BYTES: 1_024 * 1_024 * 1_024 }),
]);

/** Runs `work` while a 1 ms timer measures how late the event loop lets it fire. */
async function withLoopWatch<T>(work: () => Promise<T>): Promise<{ value: T; heldMs: number }> {
  let worst = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
  }, 1);
  try {
    const value = await work();
    return { value, heldMs: worst };
  } finally {
    clearInterval(timer);
  }
}

let seed = 1;
const rows: string[][] = [];
try {
  for (const candles of sizes) {
    const times = { worker: [] as number[], inline: [] as number[] };
    const held = { worker: [] as number[], inline: [] as number[] };
    let bytes = 0;
    for (let round = -2; round < rounds; round++) {
      for (const [name, service] of [
        ["worker", inWorker],
        ["inline", inline],
      ] as const) {
        const { high, low, close } = randomOhlcv(candles, seed++);
        const payload = JSON.stringify({ candles: { high, low, close }, indicators: [{ name: "ATR" }] });
        bytes = payload.length;
        const started = performance.now();
        const { value, heldMs } = await withLoopWatch(() => service.app.inject(calculateRequest(payload)));
        const ms = performance.now() - started;
        if (value.statusCode !== 200) throw new Error(`${name} ${candles}: ${value.statusCode}`);
        // The first rounds start the worker and warm the code paths.
        if (round < 0) continue;
        times[name].push(ms);
        held[name].push(heldMs);
      }
    }
    rows.push([
      formatNumber(candles),
      formatNumber(bytes / 1024),
      formatNumber(median(times.inline), 2),
      formatNumber(median(times.worker), 2),
      formatNumber(median(held.inline), 1),
      formatNumber(median(held.worker), 1),
    ]);
  }
} finally {
  await Promise.all([inWorker.close(), inline.close()]);
}

console.log(machineFacts({ rounds: String(rounds) }).join("\n"));
console.log();
console.log(
  markdownTable(
    ["candles", "body KiB", "inline ms", "worker ms", "loop held inline ms", "loop held worker ms"],
    rows,
  ),
);
