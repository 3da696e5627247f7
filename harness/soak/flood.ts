/**
 * The flood phase: one standalone replica with default settings and a burst of concurrent heavy
 * requests (100k candles, BBANDS + STOCH + ADX, every request with its own params so nothing is
 * shared). What must hold: every request gets a 200 or an early 503 with Retry-After, no
 * connection is dropped, memory stays bounded, /health/live keeps answering fast, and a normal
 * request right after is served. Used by bench/soak.ts and, smaller, by the quick soak test.
 */
import { fork } from "node:child_process";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { randomOhlcv } from "../series.js";
import { Replica } from "./replica.js";

export interface FloodOptions {
  readonly requests: number;
  readonly candles: number;
  readonly replicaEnv: Readonly<Record<string, string>>;
}

export interface FloodReport {
  readonly requests: number;
  readonly candles: number;
  readonly bodyBytes: number;
  readonly elapsedMs: number;
  /** Status code -> count; `error` for a dropped or failed connection. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly refusedWithoutRetryAfter: number;
  readonly rssStartBytes: number | null;
  readonly rssPeakBytes: number | null;
  readonly liveness: {
    readonly polls: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
  };
  /** Status and time of a small request sent once the flood is over. */
  readonly after: { readonly status: number | string; readonly ms: number };
  readonly ok: boolean;
}

const HEALTH_POLL_MS = 50;

/**
 * POSTs a body made of a prefix shared by every request (the candles) and a small suffix (the
 * indicators), with its Content-Length: 150 requests of 100k candles would otherwise be 150
 * copies of a multi-megabyte body in this process.
 */
function post(url: string, prefix: Buffer, suffix: string): Promise<{ status: number; retryAfter?: string }> {
  const tail = Buffer.from(suffix);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/indicators/calculate`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": prefix.length + tail.length },
      },
      (response) => {
        response.resume();
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, retryAfter: response.headers["retry-after"] }),
        );
        response.on("error", reject);
      },
    );
    req.on("error", reject);
    req.write(prefix);
    req.end(tail);
  });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export async function runFlood(options: FloodOptions): Promise<FloodReport> {
  const replica = await Replica.start(0, { ...options.replicaEnv });
  try {
    const series = randomOhlcv(options.candles, 4242);
    const prefix = Buffer.from(
      `{"candles":${JSON.stringify({ high: series.high, low: series.low, close: series.close })},"indicators":`,
    );
    const indicators = (i: number) =>
      `${JSON.stringify([
        { name: "BBANDS", params: { period: 10 + (i % 200) } },
        { name: "STOCH", params: { kPeriod: 5 + (i % 50) } },
        { name: "ADX", params: { period: 5 + (i % 90) } },
      ])},"options":{"tail":10}}`;

    const rssStart = await replica.rssBytes();
    let rssPeak = rssStart ?? 0;
    let flooding = true;
    const probe = startLivenessProbe(`${replica.url}/health/live`);
    await probe.ready;
    const watch = (async () => {
      while (flooding) {
        rssPeak = Math.max(rssPeak, (await replica.rssBytes()) ?? 0);
        await sleep(HEALTH_POLL_MS);
      }
    })();

    const statuses: Record<string, number> = {};
    let refusedWithoutRetryAfter = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.requests }, async (_, i) => {
        try {
          const answer = await post(replica.url, prefix, indicators(i));
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.status === 503 && !answer.retryAfter) refusedWithoutRetryAfter++;
        } catch {
          statuses.error = (statuses.error ?? 0) + 1;
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    flooding = false;
    const liveness = await probe.stop();
    await watch;

    const afterStarted = performance.now();
    let afterStatus: number | string;
    try {
      const small = randomOhlcv(1_000, 1);
      const response = await fetch(`${replica.url}/indicators/calculate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ candles: { close: small.close }, indicators: [{ name: "RSI" }] }),
      });
      await response.arrayBuffer();
      afterStatus = response.status;
    } catch (error) {
      afterStatus = String(error);
    }
    const after = { status: afterStatus, ms: performance.now() - afterStarted };

    const sorted = [...liveness].sort((a, b) => a - b);
    const unexpected = Object.keys(statuses).filter((status) => status !== "200" && status !== "503");
    return {
      requests: options.requests,
      candles: options.candles,
      bodyBytes: prefix.length + Buffer.byteLength(indicators(0)),
      elapsedMs,
      statuses,
      refusedWithoutRetryAfter,
      rssStartBytes: rssStart,
      rssPeakBytes: rssPeak || null,
      liveness: {
        polls: sorted.length,
        p50Ms: quantile(sorted, 0.5),
        p99Ms: quantile(sorted, 0.99),
        maxMs: sorted.at(-1) ?? 0,
      },
      after,
      ok: unexpected.length === 0 && refusedWithoutRetryAfter === 0 && after.status === 200,
    };
  } finally {
    await replica.stop();
  }
}

const mib = (bytes: number | null) => (bytes === null ? "n/a" : `${(bytes / 2 ** 20).toFixed(0)} MiB`);

export function formatFlood(report: FloodReport): string {
  const statuses = Object.entries(report.statuses)
    .map(([status, count]) => `${status} x ${count}`)
    .join(", ");
  return [
    `flood: ${report.requests} concurrent requests of ${report.candles} candles (${mib(report.bodyBytes)} each), BBANDS + STOCH + ADX, one standalone replica with defaults`,
    `  answered in ${(report.elapsedMs / 1_000).toFixed(1)} s: ${statuses}; 503 without Retry-After: ${report.refusedWithoutRetryAfter}`,
    `  RSS ${mib(report.rssStartBytes)} at start, peak ${mib(report.rssPeakBytes)}`,
    `  /health/live every ${HEALTH_POLL_MS} ms: ${report.liveness.polls} polls, p50 ${report.liveness.p50Ms.toFixed(1)} ms, p99 ${report.liveness.p99Ms.toFixed(1)} ms, max ${report.liveness.maxMs.toFixed(1)} ms`,
    `  a small request right after: ${report.after.status} in ${report.after.ms.toFixed(1)} ms`,
    report.ok ? "FLOOD PASSED" : "FLOOD FAILED",
  ].join("\n");
}

/** The /health/live poller, in a process of its own (liveness-probe.ts says why). */
function startLivenessProbe(url: string): { ready: Promise<void>; stop: () => Promise<number[]> } {
  const child = fork(
    fileURLToPath(new URL("./liveness-probe.ts", import.meta.url)),
    [url, String(HEALTH_POLL_MS)],
    {
      execArgv: ["--import", "tsx"],
    },
  );
  const ready = new Promise<void>((resolve) => child.once("message", () => resolve()));
  const stop = () =>
    new Promise<number[]>((resolve, reject) => {
      child.once("message", (latencies) => resolve(latencies as number[]));
      child.once("exit", (code) => reject(new Error(`the liveness probe exited with ${code}`)));
      child.send("stop");
    });
  return { ready, stop };
}
