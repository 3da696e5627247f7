/**
 * The client loops: each sends the generator's requests to the live replicas in turn, one at a
 * time, and classifies every outcome. A 200 is checked against the local reference; a malformed
 * request must get its 4xx problem+json; a network failure counts as "replica down" only when
 * the replica was being killed or restarted on purpose.
 */
import type { Replica } from "./replica.js";
import {
  describeRequest,
  digest,
  type ReferenceBook,
  referenceValues,
  type SoakRequest,
  TrafficGenerator,
  type ValidRequest,
} from "./traffic.js";

/** Outcomes that are not failures. */
export type GoodClass = "served" | "rejected" | "replicaDown";
/** Outcomes that fail the run. */
export type FailureClass =
  | "http5xx"
  | "wrongResult"
  | "timeout"
  | "connection"
  | "unexpected4xx"
  | "malformedMishandled";

export const FAILURE_CLASSES: readonly FailureClass[] = [
  "http5xx",
  "wrongResult",
  "timeout",
  "connection",
  "unexpected4xx",
  "malformedMishandled",
];

export const FAILURE_LABELS: Record<FailureClass, string> = {
  http5xx: "5xx responses",
  wrongResult: "wrong results (200 differing from the reference)",
  timeout: "timeouts (live replica)",
  connection: "connection failures (live replica)",
  unexpected4xx: "unexpected 4xx for valid requests",
  malformedMishandled: "malformed requests without the right 4xx problem+json",
};

export interface FailureSample {
  readonly class: FailureClass;
  readonly atMs: number;
  readonly replica: number;
  readonly requestId: string;
  readonly request: string;
  readonly status: number | null;
  readonly detail: string;
}

const SAMPLES_PER_CLASS = 10;
/** While a replica is down, one request in this many per loop is sent to it anyway. */
const PROBE_EVERY = 8;
const MAX_LATENCIES = 200_000;
const SOURCES = new Set(["computed", "memory", "joined", "shared", "awaited"]);
const MODES = new Set(["distributed", "degraded"]);

export interface SlowRequest {
  readonly atMs: number;
  readonly latencyMs: number;
  readonly replica: number;
  readonly request: string;
  /** Each result's source, in order. */
  readonly sources: readonly string[];
}

const SLOWEST_KEPT = 5;

export interface ReplicaCounts {
  sent: number;
  served: number;
  /** Served by a process started after an intentional kill. */
  servedAfterRestart: number;
  failed: number;
  down: number;
}

export class Tally {
  sent = 0;
  served = 0;
  rejected = 0;
  replicaDown = 0;
  readonly failures: Record<FailureClass, number> = {
    http5xx: 0,
    wrongResult: 0,
    timeout: 0,
    connection: 0,
    unexpected4xx: 0,
    malformedMishandled: 0,
  };
  readonly samples: FailureSample[] = [];
  readonly sources: Record<string, number> = {};
  readonly modes: Record<string, number> = {};
  readonly bySeries: Record<string, number> = {};
  readonly perReplica: ReplicaCounts[];
  readonly latenciesMs: number[] = [];
  readonly slowest: SlowRequest[] = [];

  constructor(replicas: number) {
    this.perReplica = Array.from({ length: replicas }, () => ({
      sent: 0,
      served: 0,
      servedAfterRestart: 0,
      failed: 0,
      down: 0,
    }));
  }

  noteLatency(slow: SlowRequest): void {
    if (this.latenciesMs.length < MAX_LATENCIES) this.latenciesMs.push(slow.latencyMs);
    if (this.slowest.length === SLOWEST_KEPT && (this.slowest.at(-1)?.latencyMs ?? 0) >= slow.latencyMs)
      return;
    this.slowest.push(slow);
    this.slowest.sort((a, b) => b.latencyMs - a.latencyMs);
    this.slowest.length = Math.min(this.slowest.length, SLOWEST_KEPT);
  }

  get failed(): number {
    return FAILURE_CLASSES.reduce((sum, key) => sum + this.failures[key], 0);
  }

  get classified(): number {
    return this.served + this.rejected + this.replicaDown + this.failed;
  }

  fail(sample: FailureSample): void {
    this.failures[sample.class]++;
    (this.perReplica[sample.replica] as ReplicaCounts).failed++;
    if (this.samples.filter((s) => s.class === sample.class).length < SAMPLES_PER_CLASS)
      this.samples.push(sample);
  }
}

interface ResultJson {
  id?: unknown;
  name?: unknown;
  source?: unknown;
  values?: unknown;
}

function snippet(text: string, limit = 600): string {
  return text.length > limit ? `${text.slice(0, limit)}... (${text.length} chars)` : text;
}

/** Where two JSON texts first differ, with a little context. */
function firstDifference(expected: string, actual: string): string {
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  const from = Math.max(0, i - 60);
  return `first difference at char ${i}: expected ...${expected.slice(from, i + 60)}... got ...${actual.slice(from, i + 60)}...`;
}

/** Checks a 200 body against the reference; returns what is wrong, or null. */
export function checkResult(
  request: ValidRequest,
  body: string,
  text: string,
  references: ReferenceBook,
  tally: Tally,
  sources: string[],
): string | null {
  let json: { results?: unknown; meta?: { candles?: unknown; mode?: unknown } };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return `200 body is not JSON: ${snippet(text)}`;
  }
  const expected = references.expected(request, body);
  const results = json.results;
  if (!Array.isArray(results) || results.length !== expected.length)
    return `expected ${expected.length} results, got ${Array.isArray(results) ? results.length : typeof results}`;
  if (json.meta?.candles !== request.length)
    return `meta.candles ${String(json.meta?.candles)}, expected ${request.length}`;
  const mode = String(json.meta?.mode);
  tally.modes[mode] = (tally.modes[mode] ?? 0) + 1;
  if (!MODES.has(mode)) return `meta.mode ${mode}`;
  for (const [i, want] of expected.entries()) {
    const got = results[i] as ResultJson;
    const source = String(got.source);
    sources.push(source);
    tally.sources[source] = (tally.sources[source] ?? 0) + 1;
    if (got.id !== want.id || got.name !== want.name)
      return `result ${i}: id/name ${String(got.id)}/${String(got.name)}, expected ${want.id}/${want.name}`;
    if (!SOURCES.has(source)) return `result ${want.id}: unknown source ${source}`;
    const actual = JSON.stringify(got.values);
    if (digest(actual) !== want.digest) {
      const reference = referenceValues(body)[i]?.valuesJson ?? "";
      return `result ${want.id} (source ${source}, mode ${mode}) differs from the reference: ${firstDifference(reference, actual)}`;
    }
  }
  return null;
}

function isProblem(contentType: string | null): boolean {
  return (contentType ?? "").startsWith("application/problem+json");
}

export interface LoopOptions {
  readonly replicas: readonly Replica[];
  readonly references: ReferenceBook;
  readonly tally: Tally;
  readonly seed: number;
  readonly startedAt: number;
  /** performance.now() after which no new request starts (may move while the run goes on). */
  readonly deadline: () => number;
  readonly requestTimeoutMs: number;
  readonly maxRequestsPerLoop: number;
  readonly aborted: () => boolean;
}

/** One client loop: sequential requests, bounded in count and time. */
export async function clientLoop(loop: number, options: LoopOptions): Promise<void> {
  const { replicas } = options;
  const traffic = new TrafficGenerator(options.seed, loop, options.startedAt);
  /** The epoch (kill count) of each replica this loop last probed while it was down. */
  const probed = new Map<number, number>();
  for (
    let i = 0;
    i < options.maxRequestsPerLoop && performance.now() < options.deadline() && !options.aborted();
    i++
  ) {
    const live = replicas.filter((replica) => replica.state === "up");
    const away = replicas.filter((replica) => replica.state !== "up");
    if (live.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    // Live replicas in turn; while one is down, the first request after the kill and every
    // PROBE_EVERY-th one after it still go to its port (as a client without health checks
    // would): refused, counted as "replica down".
    const target = away.find((replica) => probed.get(replica.index) !== replica.epoch) ?? away[0];
    const probe =
      target !== undefined && (probed.get(target.index) !== target.epoch || i % PROBE_EVERY === 0);
    const replica = (probe ? target : live[(loop + i) % live.length]) as Replica;
    if (probe) probed.set(replica.index, replica.epoch);
    const request = traffic.next();
    await send(replica, request, `soak-${options.seed}-${loop}-${i}`, options);
  }
}

async function send(replica: Replica, request: SoakRequest, requestId: string, options: LoopOptions) {
  const { tally, references } = options;
  const body = references.body(request);
  const epoch = replica.epoch;
  const atMs = performance.now() - options.startedAt;
  const counts = tally.perReplica[replica.index] as ReplicaCounts;
  tally.sent++;
  counts.sent++;
  const series = request.kind === "valid" ? request.series : "malformed";
  tally.bySeries[series] = (tally.bySeries[series] ?? 0) + 1;
  const fail = (failure: FailureSample["class"], status: number | null, detail: string) =>
    tally.fail({
      class: failure,
      atMs,
      replica: replica.index,
      requestId,
      request: describeRequest(request),
      status,
      detail,
    });
  const started = performance.now();
  let status: number;
  let contentType: string | null;
  let text: string;
  try {
    const response = await fetch(`${replica.url}/indicators/calculate`, {
      method: "POST",
      headers: {
        "content-type": request.kind === "malformed" ? request.case.contentType : "application/json",
        "x-request-id": requestId,
      },
      body,
      signal: AbortSignal.timeout(options.requestTimeoutMs),
    });
    status = response.status;
    contentType = response.headers.get("content-type");
    text = await response.text();
  } catch (error) {
    // Killed on purpose while this request was out (or just before): expected, not a failure.
    if (replica.epoch !== epoch || replica.state !== "up") {
      tally.replicaDown++;
      counts.down++;
      return;
    }
    const err = error as Error & { cause?: { code?: string; message?: string } };
    if (err.name === "TimeoutError" || err.name === "AbortError")
      fail("timeout", null, `no response within ${options.requestTimeoutMs} ms`);
    else fail("connection", null, `${err.message}: ${err.cause?.code ?? err.cause?.message ?? ""}`);
    return;
  }
  const latency = performance.now() - started;

  if (status >= 500) return fail("http5xx", status, snippet(text));
  if (request.kind === "malformed") {
    const want = request.case;
    let code: unknown;
    try {
      code = (JSON.parse(text) as { code?: unknown }).code;
    } catch {
      code = undefined;
    }
    if (status !== want.status || !isProblem(contentType) || code !== want.code)
      return fail(
        "malformedMishandled",
        status,
        `expected ${want.status} ${want.code} problem+json, got ${status} ${contentType} ${snippet(text)}`,
      );
    tally.rejected++;
    return;
  }
  if (status >= 400) return fail("unexpected4xx", status, snippet(text));
  if (status !== 200) return fail("wrongResult", status, `status ${status}: ${snippet(text)}`);
  const sources: string[] = [];
  const wrong = checkResult(request, body, text, references, tally, sources);
  if (wrong !== null) return fail("wrongResult", status, wrong);
  tally.served++;
  counts.served++;
  if (epoch > 0) counts.servedAfterRestart++;
  tally.noteLatency({
    atMs,
    latencyMs: latency,
    replica: replica.index,
    request: describeRequest(request),
    sources,
  });
}
