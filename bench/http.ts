/**
 * HTTP throughput and latency of the built server under autocannon, next to the I/O floor.
 *
 * For 1k and 10k candles with six indicators (SMA 20, EMA 20, RSI 14, MACD, BBANDS, ATR 14):
 * cold (every request a different series, so every unit is computed) and warm (the same request
 * again and again: memory-cache hits), standalone and distributed (one redis-server). Each
 * scenario gets a fresh server process (child), so its peak RSS (VmHWM) is its own; autocannon
 * runs in another child process. The I/O floors (bench/support/floor-server.ts), a bare Fastify
 * route and bare node:http, parse the same body and answer the same number of bytes; "vs ...
 * floor" is a scenario's req/s over that floor's.
 *
 *   npm run bench:http [-- --duration 10 --connections 16 --warmup 2 --candles 1000,10000
 *                          --modes standalone,distributed --log-level warn]
 *   npm run bench:http -- --quick        # 2 s per scenario, 1k candles only
 */
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { type ServerProcess, startServerProcess } from "../harness/process.js";
import { hasRedisServerBinary, RedisServer } from "../harness/redis.js";
import {
  formatMiB,
  formatNumber,
  machineFacts,
  markdownTable,
  peakRssBytes,
  scrape,
  sumMetric,
} from "../harness/report.js";
import { type FloorKind, startFloorServer } from "./support/floor.js";
import { type LoadConfig, type LoadResult, runLoad } from "./support/load-client.js";
import { sixIndicatorBody } from "./support/workload.js";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    duration: { type: "string" },
    connections: { type: "string", default: "16" },
    warmup: { type: "string" },
    candles: { type: "string" },
    modes: { type: "string", default: "standalone,distributed" },
    "log-level": { type: "string", default: "warn" },
    rounds: { type: "string" },
  },
});

const quick = args.quick === true;
const durationSeconds = Number(args.duration ?? (quick ? 2 : 5));
/** Every scenario runs this many times, interleaved; the table shows the median round. */
const rounds = Number(args.rounds ?? (quick ? 1 : 3));
const warmupSeconds = Number(args.warmup ?? (quick ? 0.5 : 2));
const connections = Number(args.connections);
const candleSizes = (args.candles ?? (quick ? "1000" : "1000,10000")).split(",").map(Number);
const requestedModes = (args.modes ?? "").split(",").filter(Boolean);
const logLevel = args["log-level"] ?? "warn";
for (const [name, value] of Object.entries({ durationSeconds, warmupSeconds, connections, rounds }))
  if (!Number.isFinite(value) || value < 0) throw new Error(`bad --${name}: ${value}`);
if (candleSizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bad --candles: ${args.candles}`);
for (const mode of requestedModes)
  if (mode !== "standalone" && mode !== "distributed") throw new Error(`bad --modes entry: ${mode}`);

type Mode = "standalone" | "distributed";
type Cache = "cold" | "warm";
const notes: string[] = [];
let modes = requestedModes as Mode[];
if (modes.includes("distributed") && !hasRedisServerBinary()) {
  modes = modes.filter((mode) => mode !== "distributed");
  notes.push("distributed rows skipped: no redis-server binary on PATH");
}

const PATH = "/indicators/calculate";
const WARM_SEED = 42;
const autocannonVersion = (() => {
  try {
    return (createRequire(import.meta.url)("autocannon/package.json") as { version: string }).version;
  } catch {
    throw new Error(
      "autocannon is not installed: npm install --no-save autocannon@9 (or add it as a devDependency)",
    );
  }
})();

interface Row {
  label: string;
  mode: Mode | "floor";
  /** Which floor, on floor rows. */
  floor?: FloorKind;
  candles: number;
  cache: Cache | "-";
  load: LoadResult;
  peakRss: number;
  computedShare: number;
  /** Units computed uncoordinated because Redis calls failed (the breaker opened). */
  degradedUnits: number;
  serverMode: string;
  /** (max - min) / median of req/s over the rounds; set on the aggregated rows. */
  spread?: number;
}

function loadConfig(url: string, path: string, candles: number, cache: Cache, seed: number): LoadConfig {
  return {
    url,
    path,
    connections,
    durationSeconds,
    warmupSeconds,
    timeoutSeconds: 30,
    workload:
      cache === "warm" ? { kind: "same", candles, seed: WARM_SEED } : { kind: "distinct", candles, seed },
  };
}

async function post(url: string, body: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST ${url}: ${response.status} ${text.slice(0, 300)}`);
  return text;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const redis = modes.includes("distributed") ? await RedisServer.start() : undefined;
const rows: Row[] = [];
const responseBytes = new Map<number, number>();
const requestBytes = new Map<number, number>();
let seed = 10_000 + Math.floor(Math.random() * 1_000_000);

const FLOOR_KINDS: readonly FloorKind[] = ["fastify", "node"];
const FLOOR_NAMES: Record<FloorKind, string> = { fastify: "Fastify floor", node: "node:http floor" };

/** A floor: the same body in, the same number of bytes out, nothing in between. */
async function measureFloor(candles: number, kind: FloorKind, when: "before" | "after"): Promise<void> {
  const label = `${FLOOR_NAMES[kind]}, ${when}`;
  log(`running: ${label}, ${candles} candles, ${durationSeconds} s`);
  const floor = await startFloorServer(kind);
  try {
    const bytes = responseBytes.get(candles) ?? 0;
    const load = await runLoad(loadConfig(floor.url, `/floor?bytes=${bytes}`, candles, "warm", 0));
    rows.push({
      label,
      mode: "floor",
      floor: kind,
      candles,
      cache: "-",
      load,
      peakRss: peakRssBytes(floor.child.pid),
      computedShare: Number.NaN,
      degradedUnits: 0,
      serverMode: "-",
    });
  } finally {
    await floor.stop();
  }
}

async function measureService(candles: number, mode: Mode, cache: Cache, warmBody: string): Promise<void> {
  const label = `${mode} ${cache}`;
  log(`running: ${label}, ${candles} candles, ${durationSeconds} s`);
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({
      LOG_LEVEL: logLevel,
      REDIS_URL: mode === "distributed" ? (redis as RedisServer).url : "",
    });
    // One request before the clock: checks the body and starts the worker pool.
    await post(`${server.url}${PATH}`, warmBody);
    const health = (await (await fetch(`${server.url}/health`)).json()) as { mode?: string };
    const load = await runLoad(loadConfig(server.url, PATH, candles, cache, seed++));
    const metrics = await scrape(server.url);
    const computed = sumMetric(metrics, "indicator_computations_total");
    const resolved =
      computed +
      sumMetric(metrics, "indicator_cache_hits_total") +
      sumMetric(metrics, "indicator_joins_total") +
      sumMetric(metrics, "indicator_awaited_total");
    rows.push({
      label,
      mode,
      candles,
      cache,
      load,
      peakRss: peakRssBytes(server.child.pid),
      computedShare: resolved > 0 ? computed / resolved : Number.NaN,
      degradedUnits: sumMetric(metrics, "indicator_degraded_computations_total"),
      serverMode: health.mode ?? "?",
    });
  } finally {
    await server?.stop("SIGKILL");
    if (redis) {
      const client = redis.client();
      await client.flushall();
      client.disconnect();
    }
  }
}

try {
  // The warm body is the same every round: size it, and the real response the floor must answer
  // with as many bytes, once.
  const warmBodies = new Map<number, string>();
  const sizer = await startServerProcess({ LOG_LEVEL: logLevel, REDIS_URL: "" });
  try {
    for (const candles of candleSizes) {
      const warmBody = sixIndicatorBody(candles, WARM_SEED);
      warmBodies.set(candles, warmBody);
      requestBytes.set(candles, Buffer.byteLength(warmBody));
      responseBytes.set(candles, Buffer.byteLength(await post(`${sizer.url}${PATH}`, warmBody)));
    }
  } finally {
    await sizer.stop("SIGKILL");
  }
  for (let round = 0; round < rounds; round++)
    for (const candles of candleSizes) {
      const warmBody = warmBodies.get(candles) as string;
      // The floors before and after the scenarios: if the two differ much, the machine was busy.
      for (const kind of FLOOR_KINDS) await measureFloor(candles, kind, "before");
      for (const mode of modes)
        for (const cache of ["cold", "warm"] as const) await measureService(candles, mode, cache, warmBody);
      for (const kind of FLOOR_KINDS) await measureFloor(candles, kind, "after");
    }
} finally {
  await redis?.stop();
}

/**
 * One row per scenario: the round with the median req/s (its latencies and RSS come along), and
 * the spread of req/s over the rounds, so a ratio can be judged against the noise.
 */
const measured = rows.splice(0);
for (const candles of candleSizes) {
  const labels = [...new Set(measured.filter((r) => r.candles === candles).map((r) => r.label))];
  for (const label of labels) {
    const runs = measured
      .filter((r) => r.candles === candles && r.label === label)
      .sort((a, b) => a.load.requestsPerSecond - b.load.requestsPerSecond);
    const median = runs[Math.floor(runs.length / 2)] as Row;
    const low = runs[0]?.load.requestsPerSecond ?? 0;
    const high = runs.at(-1)?.load.requestsPerSecond ?? 0;
    rows.push({
      ...median,
      spread: median.load.requestsPerSecond > 0 ? (high - low) / median.load.requestsPerSecond : 0,
    });
  }
}

console.log("# bench:http\n");
console.log(
  machineFacts({
    autocannon: autocannonVersion,
    settings: `${rounds} interleaved round(s) of ${durationSeconds} s per scenario after ${warmupSeconds} s warm-up, ${connections} connections, server LOG_LEVEL=${logLevel}, a fresh server process per scenario run; the median round is shown`,
    command: `npm run bench:http -- ${process.argv.slice(2).join(" ")}`.trim(),
  }).join("\n"),
);
console.log();
for (const candles of candleSizes)
  console.log(
    `- ${candles} candles: request ${formatNumber((requestBytes.get(candles) ?? 0) / 1024)} KiB, response ${formatNumber((responseBytes.get(candles) ?? 0) / 1024)} KiB`,
  );
console.log();
/** The mean of a floor's runs before and after, at a candle count. */
const floorRps = (kind: FloorKind, candles: number) => {
  const floors = rows.filter((r) => r.floor === kind && r.candles === candles);
  return floors.reduce((sum, r) => sum + r.load.requestsPerSecond, 0) / floors.length;
};
console.log(
  markdownTable(
    [
      "candles",
      "scenario",
      "req/s",
      "spread",
      "vs Fastify floor",
      "vs node:http floor",
      "p50 ms",
      "p99 ms",
      "peak RSS MiB",
      "units computed",
      "degraded units",
      "non-2xx",
      "errors",
    ],
    rows.map((row) => {
      const failures = row.load.errors + row.load.timeouts;
      return [
        formatNumber(row.candles),
        row.mode === "distributed" && row.serverMode !== "distributed"
          ? `${row.label} (server said ${row.serverMode})`
          : row.label,
        formatNumber(row.load.requestsPerSecond, row.load.requestsPerSecond < 100 ? 1 : 0),
        `${((row.spread ?? 0) * 100).toFixed(0)}%`,
        ...FLOOR_KINDS.map(
          (kind) => `${(row.load.requestsPerSecond / floorRps(kind, row.candles)).toFixed(2)}x`,
        ),
        formatNumber(row.load.latencyMs.p50, 1),
        formatNumber(row.load.latencyMs.p99, 1),
        formatMiB(row.peakRss),
        Number.isFinite(row.computedShare) ? `${(row.computedShare * 100).toFixed(0)}%` : "-",
        row.mode === "distributed" ? formatNumber(row.degradedUnits) : "-",
        formatNumber(row.load.non2xx),
        formatNumber(failures),
      ];
    }),
  ),
);
console.log();
console.log(
  [
    "- cold: every request a different series (nothing cached); warm: the same request every time (memory-cache hits).",
    "- req/s: the median of the rounds; spread: (max - min) / median of req/s over the rounds.",
    "- distributed: Redis is configured, but the cost policy keeps units cheaper than a Redis round trip local (most units at 1k candles); warm requests are memory hits in both modes.",
    "- vs Fastify / node:http floor: req/s over that floor's (mean of its runs before and after) at the same candle count. The floors parse the same body and write as many response bytes: a bare Fastify route (a prebuilt string), and bare node:http (chunks concatenated and JSON.parse'd, a prebuilt Buffer).",
    "- units computed: share of the units the server resolved (warm-up included) that it computed rather than took from a cache; ~100% cold, ~0% warm.",
    "- degraded units (distributed): units computed without coordination because a Redis call failed or timed out (REDIS_COMMAND_TIMEOUT_MS) and the breaker opened; a CPU-saturated replica can trip it.",
    "- peak RSS: the server process's VmHWM after its scenario (fresh process each time).",
    "- autocannon and the server share this machine's cores: compare ratios, not absolute figures across machines.",
    ...notes.map((note) => `- ${note}`),
  ].join("\n"),
);
const failed = rows.filter((row) => row.load.non2xx + row.load.errors + row.load.timeouts > 0);
if (failed.length > 0) {
  console.log(`\n${failed.length} scenario(s) saw non-2xx responses or errors; see the table.`);
  process.exitCode = 1;
}
