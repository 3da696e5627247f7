/** Machine facts and the soak's summary as plain-text tables. */
import { execFileSync } from "node:child_process";
import os from "node:os";
import { textTable } from "../report.js";
import { FAILURE_CLASSES, FAILURE_LABELS } from "./client.js";
import { formatOffset, type SoakReport } from "./run.js";

export interface MachineFacts {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly cpus: string;
  readonly memory: string;
  readonly loadAverage: string;
  readonly redis: string;
  readonly commit: string;
}

function tryRun(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: `${cpus.length} x ${cpus[0]?.model ?? "unknown"}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(os.freemem() / 2 ** 30).toFixed(1)} GiB free`,
    loadAverage: os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(" "),
    redis: tryRun("redis-server", ["--version"]),
    commit: tryRun("git", ["rev-parse", "--short", "HEAD"]),
  };
}

const mib = (bytes: number | null) => (bytes === null ? "n/a" : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
const ms = (value: number | null) => (value === null ? "not seen" : `${value.toFixed(0)} ms`);

export function formatMachine(facts: MachineFacts): string {
  return [
    "machine",
    `  date      ${facts.date}`,
    `  node      ${facts.node}`,
    `  platform  ${facts.platform}`,
    `  cpus      ${facts.cpus}`,
    `  memory    ${facts.memory}`,
    `  load avg  ${facts.loadAverage} (at start)`,
    `  redis     ${facts.redis}`,
    `  commit    ${facts.commit}`,
  ].join("\n");
}

export function formatReport(report: SoakReport): string {
  const out: string[] = [];
  const seconds = report.elapsedMs / 1_000;
  const env = Object.entries(report.replicaEnv)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
  out.push(
    `soak: ${report.loops} client loops, ${(report.durationMs / 1_000).toFixed(0)} s of traffic, seed ${report.seed}; replica env ${env}`,
  );
  out.push("");
  out.push(
    textTable(
      ["requests", "count"],
      [
        ["sent", `${report.requests.sent}`],
        [
          "served (200, equal to the reference)",
          `${report.requests.served} (${(report.requests.served / seconds).toFixed(1)}/s)`,
        ],
        ["malformed, rejected with the right 4xx", `${report.requests.rejectedAsExpected}`],
        [
          "replica down (refused or reset while killed on purpose; expected)",
          `${report.requests.replicaDown}`,
        ],
        ...FAILURE_CLASSES.map((key) => [`FAIL ${FAILURE_LABELS[key]}`, `${report.failures[key] ?? 0}`]),
      ],
    ),
  );
  out.push("");
  out.push(
    `traffic by series: ${Object.entries(report.requests.bySeries)
      .map(([key, value]) => `${key} ${value}`)
      .join(", ")}`,
  );
  out.push(
    `result sources: ${Object.entries(report.sources)
      .sort((a, b) => b[1] - a[1])
      .map(([key, value]) => `${key} ${value}`)
      .join(", ")}; response modes: ${Object.entries(report.responseModes)
      .map(([key, value]) => `${key} ${value}`)
      .join(", ")}`,
  );
  out.push(
    `latency of served requests: p50 ${report.latencyMs.p50.toFixed(1)} ms, p99 ${report.latencyMs.p99.toFixed(1)} ms, max ${report.latencyMs.max.toFixed(1)} ms; references computed ${report.references.computed}, reused ${report.references.cached}`,
  );
  for (const slow of report.slowest)
    out.push(
      `  slow: ${slow.latencyMs.toFixed(0)} ms, sent at ${formatOffset(slow.atMs).trim()} to replica ${slow.replica} (${slow.request}; sources ${slow.sources.join(",")})`,
    );
  out.push("");
  out.push(
    textTable(
      [
        "replica",
        "sent",
        "served",
        "failed",
        "down",
        "RSS start",
        "RSS restart",
        "RSS end",
        "RSS peak",
        "final mode",
        "pids",
      ],
      report.replicas.map((r) => [
        `#${r.index} :${r.port}`,
        `${r.sent}`,
        r.pids.length > 1 ? `${r.served} (${r.servedAfterRestart} after restart)` : `${r.served}`,
        `${r.failed}`,
        `${r.replicaDown}`,
        mib(r.rssStartBytes),
        r.rssRestartBytes === null ? "-" : mib(r.rssRestartBytes),
        mib(r.rssEndBytes),
        mib(r.rssPeakBytes),
        r.finalMode ?? "n/a",
        r.pids.join(","),
      ]),
    ),
  );
  out.push("");
  out.push("mode changes on /health (polled every 100 ms):");
  for (const replica of report.replicas) {
    out.push(
      `  replica ${replica.index}: ${replica.transitions
        .map((t) => `${formatOffset(t.atMs).trim()} ${t.to}`)
        .join(" | ")}`,
    );
  }
  if (report.reactions.length > 0) {
    out.push("");
    out.push(
      textTable(
        ["fault", ...report.replicas.map((r) => `#${r.index} to degraded / back to distributed`)],
        report.reactions.map((reaction) => [
          reaction.fault,
          ...reaction.replicas.map((r) => `${ms(r.degradedAfterMs)} / ${ms(r.distributedAfterMs)}`),
        ]),
      ),
    );
  }
  if (report.slowPhase) {
    out.push("");
    out.push(
      `network to Redis +${report.slowPhase.latencyMs} ms each way: units computed uncoordinated meanwhile, per replica: ${report.slowPhase.degradedComputations.join(", ")}`,
    );
  }
  out.push("");
  out.push("fault schedule:");
  for (const event of report.events) out.push(`  ${formatOffset(event.atMs)}  ${event.what}`);
  if (report.failureSamples.length > 0) {
    out.push("");
    out.push("failures (first few of each class):");
    for (const sample of report.failureSamples) {
      out.push(
        `  [${sample.class}] ${formatOffset(sample.atMs)} replica ${sample.replica} request ${sample.requestId} (${sample.request}) status ${sample.status ?? "-"}: ${sample.detail}`,
      );
      for (const line of sample.serverLog) out.push(`      server log: ${line}`);
    }
  }
  out.push("");
  out.push("checks:");
  for (const check of report.checks)
    out.push(
      `  ${check.ok ? "ok  " : check.required ? "FAIL" : "warn"}  ${check.name}${check.ok ? "" : `: ${check.detail}`}`,
    );
  out.push("");
  out.push(report.ok ? "SOAK PASSED" : "SOAK FAILED");
  return out.join("\n");
}
