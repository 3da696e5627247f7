/**
 * Load and faults: three replicas (the built server as child processes) on one Redis under mixed
 * traffic for a bounded time, while Redis is killed and restarted, frozen (SIGSTOP) and thawed,
 * and one replica is SIGKILLed and restarted. Every 200 is compared with a locally computed
 * reference; malformed requests must get their 4xx problem+json. Exits 1 when anything was lost
 * or wrong (any 5xx, wrong result, timeout or connection failure on a live replica, unexpected
 * 4xx, a replica not back to distributed, a replica degraded by a merely slow Redis), so it can
 * guard releases. Then the flood phase (harness/soak/flood.ts): one standalone replica with
 * defaults and a burst of concurrent heavy requests, which must get only 200s and 503s with
 * Retry-After while memory stays bounded. Loopback only.
 *
 *   npm run bench:soak [-- --duration 60 --loops 6 --seed 1 --flood 150 --json soak.json --env KEY=VALUE ...]
 */
import { existsSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BUILT_SERVER } from "../harness/process.js";
import { hasRedisServerBinary } from "../harness/redis.js";
import { formatFlood, runFlood } from "../harness/soak/flood.js";
import { formatMachine, formatReport, machineFacts } from "../harness/soak/report.js";
import { DEFAULT_REPLICA_ENV, runSoak, soakOptions } from "../harness/soak/run.js";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    loops: { type: "string", default: "6" },
    seed: { type: "string", default: "1" },
    "request-timeout": { type: "string", default: "15000" },
    "kill-replica": { type: "string", default: "2" },
    flood: { type: "string", default: "150" },
    env: { type: "string", multiple: true, default: [] },
    json: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log(
    [
      "usage: tsx bench/soak.ts [options]   (npm run bench:soak builds first)",
      "  --duration S          seconds of traffic (default 60); the fault schedule scales with it",
      "  --loops N             concurrent client loops (default 6)",
      "  --seed N              traffic seed (default 1)",
      "  --request-timeout MS  a request without a response by then is a failure (default 15000)",
      "  --kill-replica I      which replica is SIGKILLed and restarted (default 2)",
      "  --flood N             concurrent 100k-candle requests of the flood phase (default 150; 0 skips it)",
      "  --env KEY=VALUE       extra replica environment (repeatable), over the defaults:",
      `                        ${Object.entries(DEFAULT_REPLICA_ENV)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
      "  --json FILE           also write the report as JSON",
    ].join("\n"),
  );
  process.exit(0);
}

function positive(name: string, text: string, max: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    console.error(`--${name} must be a number in (0, ${max}], got ${text}`);
    process.exit(2);
  }
  return value;
}

const durationMs = Math.round(positive("duration", args.duration, 3_600) * 1_000);
const loops = Math.round(positive("loops", args.loops, 64));
const seed = Math.round(positive("seed", args.seed, 1_000_000));
const requestTimeoutMs = Math.round(positive("request-timeout", args["request-timeout"], 600_000));
const killReplica = Number(args["kill-replica"]);
const floodRequests = Number(args.flood);
if (!Number.isInteger(floodRequests) || floodRequests < 0 || floodRequests > 10_000) {
  console.error("--flood must be an integer in [0, 10000]");
  process.exit(2);
}
if (![0, 1, 2].includes(killReplica)) {
  console.error("--kill-replica must be 0, 1 or 2");
  process.exit(2);
}
const extraEnv: Record<string, string> = {};
for (const pair of args.env) {
  const at = pair.indexOf("=");
  if (at <= 0) {
    console.error(`--env expects KEY=VALUE, got ${pair}`);
    process.exit(2);
  }
  extraEnv[pair.slice(0, at)] = pair.slice(at + 1);
}

if (!existsSync(BUILT_SERVER)) {
  console.error(`no built server at ${BUILT_SERVER}: run npm run build (npm run bench:soak does)`);
  process.exit(2);
}
if (!hasRedisServerBinary()) {
  console.error("the soak needs the redis-server binary (apt-get install redis-server)");
  process.exit(2);
}

const machine = machineFacts();
console.log(formatMachine(machine));
console.log("");

// Ctrl-C (or a supervisor's SIGTERM) ends the run early; cleanup still kills every child.
const abort = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the soak early`);
    abort.abort();
  });
}
// Whatever happens, this process does not outlive its bound.
const hardLimit = setTimeout(
  () => {
    console.error("soak exceeded its time bound; exiting");
    process.exit(3);
  },
  durationMs + requestTimeoutMs + 300_000,
);
hardLimit.unref();

const options = soakOptions({
  durationMs,
  loops,
  seed,
  requestTimeoutMs,
  killReplica,
  replicaEnv: { ...DEFAULT_REPLICA_ENV, ...extraEnv },
  log: (line) => console.log(line),
  signal: abort.signal,
});

try {
  const report = await runSoak(options);
  console.log("");
  console.log(formatReport(report));
  const flood =
    floodRequests > 0 && !abort.signal.aborted
      ? await runFlood({ requests: floodRequests, candles: 100_000, replicaEnv: { LOG_LEVEL: "warn" } })
      : undefined;
  if (flood) console.log(`\n${formatFlood(flood)}`);
  if (args.json) writeFileSync(args.json, `${JSON.stringify({ machine, ...report, flood }, null, 2)}\n`);
  process.exitCode = abort.signal.aborted ? 130 : report.ok && (flood?.ok ?? true) ? 0 : 1;
} catch (error) {
  console.error("soak could not run:", error);
  process.exitCode = 2;
}
// Everything is stopped and written by now. Node 20's exit-time cleanup was seen spinning at
// 100% CPU forever in uv_run (Environment::CleanupHandles, under gdb) after a run whose fault
// proxy reset connections mid-write; an explicit exit skips that wait.
process.exit();
