/**
 * Large requests end to end, JSON against Apache Arrow, on one built server (standalone, a child
 * process; this process is the client). Scenarios run interleaved, round by round, so a noisy
 * machine slows each alike; a cold request always sends a series no earlier request sent.
 *
 * - cold: 100k candles x the six indicators of bench:http, JSON in and out against Arrow in and
 *   out; and Arrow with the default TA-Lib kernels against `"convention": "trading-signals"`;
 * - warm: the same request again (memory-cache hits), JSON against Arrow;
 * - burst: 8 concurrent cold Arrow requests while GET /health/live is asked every 10 ms.
 *
 * Times are the client's wall time per request (body sent to last byte read); the table shows
 * the median over rounds and the ratios of medians measured in this one run.
 *
 *   npm run bench:arrow [-- --candles 100000 --rounds 5 --burst 8]
 */
import { parseArgs } from "node:util";
import { ARROW, arrowBody } from "../harness/arrow.js";
import { type ServerProcess, startServerProcess } from "../harness/process.js";
import {
  formatMiB,
  formatNumber,
  machineFacts,
  markdownTable,
  median,
  peakRssBytes,
  percentile,
} from "../harness/report.js";
import { randomOhlcv } from "../harness/series.js";
import { SIX_INDICATORS } from "./support/workload.js";

const { values: args } = parseArgs({
  options: {
    candles: { type: "string", default: "100000" },
    rounds: { type: "string", default: "5" },
    burst: { type: "string", default: "8" },
  },
});
const candles = Number(args.candles);
const rounds = Number(args.rounds);
const burst = Number(args.burst);
for (const [name, value] of Object.entries({ candles, rounds, burst }))
  if (!Number.isInteger(value) || value < 1) throw new Error(`bad --${name}: ${value}`);

type Format = "json" | "arrow";
const JSON_TYPE = "application/json";
let seed = 1;

function requestBody(format: Format, convention: "talib" | "trading-signals", fixedSeed?: number) {
  const series = randomOhlcv(candles, fixedSeed ?? seed++);
  const request = { indicators: SIX_INDICATORS, options: { convention } };
  const { high, low, close } = series;
  if (format === "arrow") return arrowBody({ high, low, close }, request);
  return Buffer.from(JSON.stringify({ ...request, candles: { high, low, close } }));
}

async function timedPost(server: ServerProcess, format: Format, body: Buffer) {
  const type = format === "arrow" ? ARROW : JSON_TYPE;
  const started = performance.now();
  const response = await fetch(`${server.url}/indicators/calculate`, {
    method: "POST",
    headers: { "content-type": type, accept: type },
    body,
  });
  const bytes = (await response.arrayBuffer()).byteLength;
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${format}: ${response.status}`);
  return { ms, bytes };
}

const server = await startServerProcess({
  LOG_LEVEL: "warn",
  MAX_REQUEST_COMPUTE_MS: "600000",
  MAX_INFLIGHT_COMPUTE_MS: "3600000",
  MAX_RESPONSE_VALUES: "100000000",
});
const times = new Map<string, number[]>();
const sizes = new Map<string, { request: number; response: number }>();
const record = (name: string, requestBytes: number, result: { ms: number; bytes: number }) => {
  times.set(name, [...(times.get(name) ?? []), result.ms]);
  sizes.set(name, { request: requestBytes, response: result.bytes });
};

const health: number[] = [];
try {
  // One untimed request of each kind: worker threads start, V8 compiles the paths.
  for (const format of ["json", "arrow"] as const)
    await timedPost(server, format, requestBody(format, "talib"));

  const warmBodies = { json: requestBody("json", "talib", 0), arrow: requestBody("arrow", "talib", 0) };
  for (const format of ["json", "arrow"] as const) await timedPost(server, format, warmBodies[format]);

  for (let round = 0; round < rounds; round++) {
    for (const [name, format, convention] of [
      ["cold JSON", "json", "talib"],
      ["cold Arrow", "arrow", "talib"],
      ["cold Arrow, trading-signals", "arrow", "trading-signals"],
    ] as const) {
      const body = requestBody(format, convention);
      record(name, body.length, await timedPost(server, format, body));
    }
    for (const format of ["json", "arrow"] as const) {
      const body = warmBodies[format];
      record(
        `warm ${format === "json" ? "JSON" : "Arrow"}`,
        body.length,
        await timedPost(server, format, body),
      );
    }
  }

  // The burst: every request cold, all at once, while a prober measures liveness.
  const bodies = Array.from({ length: burst }, () => requestBody("arrow", "talib"));
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const started = performance.now();
      await (await fetch(`${server.url}/health/live`)).arrayBuffer();
      health.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const burstStarted = performance.now();
  await Promise.all(bodies.map((body) => timedPost(server, "arrow", body)));
  const burstMs = performance.now() - burstStarted;
  probing = false;
  await prober;

  const rss = peakRssBytes(server.child.pid);
  const row = (name: string) => {
    const values = times.get(name) ?? [];
    const size = sizes.get(name);
    return [
      name,
      formatNumber(median(values), 1),
      formatNumber(Math.min(...values), 1),
      size ? (size.request / 2 ** 20).toFixed(1) : "",
      size ? (size.response / 2 ** 20).toFixed(1) : "",
    ];
  };
  const ratio = (slow: string, fast: string) =>
    `${(median(times.get(slow) ?? []) / median(times.get(fast) ?? [])).toFixed(1)}x`;

  console.log(machineFacts({ candles: String(candles), rounds: String(rounds) }).join("\n"));
  console.log();
  console.log(
    markdownTable(
      ["scenario", "median ms", "best ms", "request MiB", "response MiB"],
      ["cold JSON", "cold Arrow", "cold Arrow, trading-signals", "warm JSON", "warm Arrow"].map(row),
    ),
  );
  console.log();
  console.log(
    markdownTable(
      ["ratio of medians", "value"],
      [
        ["cold: JSON / Arrow", ratio("cold JSON", "cold Arrow")],
        ["warm: JSON / Arrow", ratio("warm JSON", "warm Arrow")],
        ["Arrow: trading-signals / TA-Lib kernels", ratio("cold Arrow, trading-signals", "cold Arrow")],
      ],
    ),
  );
  console.log();
  console.log(
    `burst of ${burst} concurrent cold Arrow requests: all answered in ${formatNumber(burstMs)} ms; ` +
      `GET /health/live meanwhile (n=${health.length}): p50 ${formatNumber(percentile(health, 50), 1)} ms, ` +
      `p99 ${formatNumber(percentile(health, 99), 1)} ms, max ${formatNumber(Math.max(...health), 1)} ms`,
  );
  console.log(`server peak RSS (VmHWM): ${formatMiB(rss)}`);
} catch (error) {
  console.error(`the server's log ends: ${server.output().slice(-4_000)}`);
  throw error;
} finally {
  await server.stop();
}
