/**
 * The load generator, run as its own process (so it never shares an event loop with the server
 * it measures): autocannon against one URL for a fixed time, then one JSON line on stdout.
 *
 *   node --import tsx bench/support/load.ts '<LoadConfig as JSON>'
 *
 * Started by `runLoad` (bench/support/load-client.ts); not meant to be run by hand.
 */
import { createRequire } from "node:module";
import { percentile } from "../../harness/report.js";
import type { LoadConfig, LoadResult } from "./load-client.js";
import { distinctBodies, sixIndicatorBody } from "./workload.js";

interface AutocannonResult {
  timeouts: number;
}
interface RequestParams {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  setupRequest?: (request: RequestParams) => RequestParams;
}
interface Instance extends PromiseLike<AutocannonResult> {
  on(event: string, listener: (...args: never[]) => void): Instance;
}
type Autocannon = (options: Record<string, unknown>) => Instance;

// autocannon ships no types; only the fields used here are declared above.
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const config = JSON.parse(process.argv[2] ?? "") as LoadConfig;
const headers = { "content-type": "application/json" };

let request: RequestParams;
if (config.workload.kind === "distinct") {
  const make = distinctBodies(config.workload.candles, config.workload.seed);
  let n = 0;
  request = {
    method: "POST",
    path: config.path,
    headers,
    setupRequest: (prepared) => ({ ...prepared, body: make(n++) }),
  };
} else {
  request = {
    method: "POST",
    path: config.path,
    headers,
    body: Buffer.from(sixIndicatorBody(config.workload.candles, config.workload.seed)),
  };
}

// One run of warm-up + duration: responses are timed here and only those completing inside the
// measured window count. autocannon's own warm-up would end by dropping its in-flight requests,
// leaving the server busy with abandoned work when the measured run starts.
interface Response {
  at: number;
  status: number;
  ms: number;
}
const responses: Response[] = [];
const failures: number[] = [];
const start = performance.now();
const windowStart = start + config.warmupSeconds * 1000;
const windowEnd = windowStart + config.durationSeconds * 1000;
const instance = autocannon({
  url: config.url,
  connections: config.connections,
  duration: config.warmupSeconds + config.durationSeconds,
  timeout: config.timeoutSeconds,
  requests: [request],
});
instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
  responses.push({ at: performance.now(), status: Number(status), ms });
});
instance.on("reqError", () => {
  failures.push(performance.now());
});
const whole = await instance;

const inWindow = (at: number) => at >= windowStart && at <= windowEnd;
const measured = responses.filter((r) => inWindow(r.at));
const ok = measured.filter((r) => r.status >= 200 && r.status < 300);
const latencies = ok.map((r) => r.ms);
const at = (p: number) => percentile(latencies, p);
const statusCodes: Record<string, number> = {};
for (const r of measured) statusCodes[r.status] = (statusCodes[r.status] ?? 0) + 1;

const output: LoadResult = {
  durationSeconds: config.durationSeconds,
  ok: ok.length,
  non2xx: measured.length - ok.length,
  errors: failures.filter(inWindow).length,
  timeouts: whole.timeouts,
  statusCodes,
  requestsPerSecond: ok.length / config.durationSeconds,
  latencyMs: {
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: at(100),
    mean: latencies.reduce((sum, ms) => sum + ms, 0) / Math.max(1, latencies.length),
  },
  warmupResponses: responses.filter((r) => r.at < windowStart).length,
};
process.stdout.write(`${JSON.stringify(output)}\n`);
