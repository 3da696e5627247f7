/**
 * Batch jobs on a fleet: Redis and 3 replicas (the built server, child processes); this process
 * is the client. Parts, in one run:
 *
 * - job: one job of --series series x --candles candles x the six indicators of bench:http,
 *   followed over SSE from another replica than the one it was sent to. Wall time from POST to
 *   the final event, units per second, how far each event arrived behind its write (`at`), and
 *   the units computed fleet-wide (every replica's /metrics) against the job's distinct units;
 * - resubmit: the same job again (the caches should answer every unit);
 * - calculate: the same amount of fresh work as one calculate request per series, round-robin
 *   over the replicas, with as many concurrent clients as the fleet runs job chunks
 *   (3 x JOB_CONCURRENCY), units per second measured in the same run;
 * - Arrow: a job of fresh series sent as one Arrow stream in long form, against the same work as
 *   Arrow calculate requests (Arrow answers), so each side uses the same format;
 * - resume: an SSE client that disconnects --reconnects times mid-job and resumes with
 *   Last-Event-ID: every event exactly once and in order against a full read afterwards;
 * - faults: on a persistent Redis, a job during which one replica is SIGKILLed and Redis is
 *   restarted; the job completes and every series equals a reference computed here.
 *
 *   npm run bench:jobs [-- --series 2000 --candles 1000 --reconnects 5 --fault-series 300]
 */
import { parseArgs } from "node:util";
import { Utf8, vectorFromArray } from "apache-arrow";
import { EventSource } from "eventsource";
import { Redis } from "ioredis";
import { arrowBody } from "../harness/arrow.js";
import { compareEventIds, followSse, type ReceivedEvent, resultLines } from "../harness/jobs.js";
import { type ServerProcess, startServerProcess } from "../harness/process.js";
import { RedisServer, requireRedisBinary } from "../harness/redis.js";
import {
  formatNumber,
  machineFacts,
  markdownTable,
  median,
  percentile,
  scrape,
  sumMetric,
} from "../harness/report.js";
import { randomOhlcv } from "../harness/series.js";
import { planCalculation } from "../src/calculation/plan.js";
import { calculateBodySchema } from "../src/calculation/request-schema.js";
import { computeTask } from "../src/compute/task.js";
import { SIX_INDICATORS } from "./support/workload.js";

const { values: args } = parseArgs({
  options: {
    series: { type: "string", default: "2000" },
    candles: { type: "string", default: "1000" },
    reconnects: { type: "string", default: "5" },
    "fault-series": { type: "string", default: "300" },
    concurrency: { type: "string", default: "2" },
  },
});
const seriesCount = Number(args.series);
const candles = Number(args.candles);
const reconnects = Number(args.reconnects);
const faultSeries = Number(args["fault-series"]);
const jobConcurrency = Number(args.concurrency);
if (!requireRedisBinary()) process.exit(1);

const FLEET = 3;
const INDICATORS = SIX_INDICATORS as unknown as object[];

function series(count: number, seed: number) {
  return Array.from({ length: count }, (_, i) => {
    const { high, low, close } = randomOhlcv(candles, seed + i);
    return { key: `S${seed + i}`, candles: { high, low, close } };
  });
}

async function startFleet(redis: RedisServer, prefix: string, extra: Record<string, string> = {}) {
  return Promise.all(
    Array.from({ length: FLEET }, () =>
      startServerProcess({
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: prefix,
        LOG_LEVEL: "warn",
        JOB_CONCURRENCY: String(jobConcurrency),
        ...extra,
      }),
    ),
  );
}

async function fleetWide(fleet: readonly ServerProcess[], metric: string): Promise<number> {
  const counts = await Promise.all(
    fleet.map(async (replica) => sumMetric(await scrape(replica.url), metric)),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}
const COMPUTED = "indicator_computations_total";
const DEGRADED = "indicator_degraded_computations_total";

const ARROW = "application/vnd.apache.arrow.stream";

async function post(url: string, body: string | Buffer): Promise<{ id: string }> {
  const response = await fetch(`${url}/jobs`, {
    method: "POST",
    headers: { "content-type": typeof body === "string" ? "application/json" : ARROW },
    body,
  });
  if (response.status !== 202) throw new Error(`POST /jobs: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string };
}

/** Follows a job to its end, noting each event's arrival behind its write. */
function followTimed(url: string): Promise<{
  lagsMs: number[];
  recordMs: number[];
  deliverMs: number[];
  events: number;
  endedAt: number;
}> {
  return new Promise((resolve, reject) => {
    const lagsMs: number[] = [];
    const recordMs: number[] = [];
    const deliverMs: number[] = [];
    const source = new EventSource(url);
    for (const type of ["progress", "series", "completed", "failed", "cancelled"]) {
      source.addEventListener(type, (message) => {
        const now = Date.now();
        const at = (JSON.parse(message.data) as { at: number }).at;
        lagsMs.push(now - at);
        // A stream id starts with Redis's clock when it appended the event: before it, the
        // event was being recorded; after it, delivered.
        const appended = Number(message.lastEventId.split("-")[0]);
        recordMs.push(appended - at);
        deliverMs.push(now - appended);
        if (type !== "progress" && type !== "series") {
          source.close();
          if (type !== "completed") reject(new Error(`job ${type}`));
          resolve({ lagsMs, recordMs, deliverMs, events: lagsMs.length, endedAt: performance.now() });
        }
      });
    }
    source.onerror = (error) => {
      source.close();
      reject(new Error(`SSE: ${error.message}`));
    };
  });
}

/** The job's series in long form: a Utf8 key column and the candle columns, one row per candle. */
function arrowJob(input: ReturnType<typeof series>): Buffer {
  const column = (name: "high" | "low" | "close") => Float64Array.from(input.flatMap((s) => s.candles[name]));
  return arrowBody(
    {
      key: vectorFromArray(
        input.flatMap((s) => s.candles.close.map(() => s.key)),
        new Utf8(),
      ),
      high: column("high"),
      low: column("low"),
      close: column("close"),
    },
    { indicators: INDICATORS },
    { batches: 16 },
  );
}

async function runJob(fleet: readonly ServerProcess[], body: string | Buffer, total: number) {
  const before = await fleetWide(fleet, COMPUTED);
  const degradedBefore = await fleetWide(fleet, DEGRADED);
  const started = performance.now();
  const { id } = await post(fleet[0]?.url as string, body);
  const accepted = performance.now();
  const followed = await followTimed(`${fleet[1]?.url}/jobs/${id}/events`);
  const computed = (await fleetWide(fleet, COMPUTED)) - before;
  const degraded = (await fleetWide(fleet, DEGRADED)) - degradedBefore;
  const wallMs = followed.endedAt - started;
  return {
    id,
    wallMs,
    acceptMs: accepted - started,
    unitsPerSecond: (total * INDICATORS.length) / (wallMs / 1_000),
    computed,
    degraded,
    lagP50: median(followed.lagsMs),
    lagP99: percentile(followed.lagsMs, 99),
    recordP99: percentile(followed.recordMs, 99),
    deliverP99: percentile(followed.deliverMs, 99),
    events: followed.events,
  };
}

async function calculateBaseline(
  fleet: readonly ServerProcess[],
  bodies: readonly (string | Buffer)[],
  clients: number,
) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = next++; i < bodies.length; i = next++) {
        const url = (fleet[(client + i) % fleet.length] as ServerProcess).url;
        const body = bodies[i] as string | Buffer;
        const type = typeof body === "string" ? "application/json" : ARROW;
        const response = await fetch(`${url}/indicators/calculate`, {
          method: "POST",
          headers: { "content-type": type, accept: type },
          body,
        });
        if (response.status !== 200)
          throw new Error(`calculate: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
  const wallMs = performance.now() - started;
  return { wallMs, unitsPerSecond: (bodies.length * INDICATORS.length) / (wallMs / 1_000) };
}

async function resumeRun(fleet: readonly ServerProcess[]) {
  const body = JSON.stringify({ series: series(200, 900_000), indicators: INDICATORS });
  const { id } = await post(fleet[2]?.url as string, body);
  const seen: ReceivedEvent[] = [];
  for (let round = 0; round < reconnects; round++) {
    // Each reconnection goes to the next replica.
    const url = `${fleet[round % FLEET]?.url}/jobs/${id}/events`;
    seen.push(...(await followSse(url, { after: seen.at(-1)?.id, stopAfter: 15, timeoutMs: 120_000 })));
  }
  seen.push(
    ...(await followSse(`${fleet[0]?.url}/jobs/${id}/events`, {
      after: seen.at(-1)?.id,
      timeoutMs: 120_000,
    })),
  );
  const whole = await followSse(`${fleet[1]?.url}/jobs/${id}/events`, { timeoutMs: 120_000 });
  const same = JSON.stringify(seen) === JSON.stringify(whole);
  const ordered = seen.every(
    (event, i) => i === 0 || compareEventIds(seen[i - 1]?.id as string, event.id) < 0,
  );
  return { seen: seen.length, whole: whole.length, same, ordered, ended: seen.at(-1)?.type };
}

function reference(input: ReturnType<typeof series>[number]): string[] {
  const parsed = calculateBodySchema({ maxCandles: 100_000, maxIndicators: 64 }).parse({
    candles: input.candles,
    indicators: INDICATORS,
  });
  return planCalculation(parsed).results.map((planned) => computeTask(planned.unit).valuesBytes.toString());
}

async function faultRun() {
  const redis = await RedisServer.start({ persistent: true });
  const fleet = await startFleet(redis, "faults:", {
    JOB_CHUNK_SERIES: "10",
    JOB_LOCK_MS: "2000",
    LOCK_LEASE_MS: "2000",
    DEBUG_COMPUTE_DELAY_MS: "5",
  });
  try {
    const inputs = series(faultSeries, 700_000);
    const { id } = await post(
      fleet[1]?.url as string,
      JSON.stringify({ series: inputs, indicators: INDICATORS }),
    );
    const status = async () =>
      (await (await fetch(`${fleet[1]?.url}/jobs/${id}`)).json()) as {
        status: string;
        progress: { done: number };
      };
    const waitFor = async (done: number) => {
      while ((await status().catch(() => ({ progress: { done: 0 }, status: "" }))).progress.done < done)
        await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await waitFor(Math.round(faultSeries * 0.2));
    await fleet[0]?.stop("SIGKILL");
    await waitFor(Math.round(faultSeries * 0.5));
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.restart();
    const started = performance.now();
    let final = await status().catch(() => ({ status: "", progress: { done: 0 } }));
    while (
      !["completed", "failed", "cancelled"].includes(final.status) &&
      performance.now() - started < 120_000
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      final = await status().catch(() => final);
    }
    const { lines } = await resultLines(`${fleet[2]?.url}/jobs/${id}/results`);
    const mismatched = lines.filter((line, i) => {
      const expected = reference(inputs[i] as (typeof inputs)[number]);
      return (
        line.key !== inputs[i]?.key ||
        JSON.stringify(line.results?.map((r) => JSON.stringify(r.values))) !== JSON.stringify(expected)
      );
    }).length;
    return { status: final.status, done: final.progress.done, lines: lines.length, mismatched };
  } finally {
    await Promise.all(fleet.map((replica) => replica.stop("SIGKILL")));
    await redis.stop();
  }
}

const redis = await RedisServer.start();
const fleet = await startFleet(redis, "bench:");
// Redis's own view of its stalls, printed at the end: commands slower than 20 ms, and events
// (command, fork, expire cycle...) over 50 ms.
const monitor = new Redis(redis.url);
await monitor.config("SET", "slowlog-log-slower-than", "20000");
await monitor.config("SET", "latency-monitor-threshold", "50");
try {
  const jobSeries = series(seriesCount, 1);
  const body = JSON.stringify({ series: jobSeries, indicators: INDICATORS });
  console.log(`job body: ${formatNumber(body.length / 1024 / 1024, 1)} MiB`);
  const first = await runJob(fleet, body, seriesCount);
  const again = await runJob(fleet, body, seriesCount);
  const baselineBodies = series(seriesCount, 500_000).map(({ candles: c }) =>
    JSON.stringify({ candles: c, indicators: INDICATORS }),
  );
  const baseline = await calculateBaseline(fleet, baselineBodies, FLEET * jobConcurrency);
  const arrowSeries = series(seriesCount, 1_000_000);
  const arrowBytes = arrowJob(arrowSeries);
  console.log(`Arrow job body: ${formatNumber(arrowBytes.length / 1024 / 1024, 1)} MiB`);
  const arrow = await runJob(fleet, arrowBytes, seriesCount);
  const arrowBaseline = await calculateBaseline(
    fleet,
    series(seriesCount, 1_500_000).map(({ candles: c }) =>
      arrowBody({ high: c.high, low: c.low, close: c.close }, { indicators: INDICATORS }),
    ),
    FLEET * jobConcurrency,
  );
  const resume = await resumeRun(fleet);
  const fault = await faultRun();

  console.log(machineFacts({ fleet: `${FLEET} replicas, JOB_CONCURRENCY=${jobConcurrency}` }).join("\n"));
  console.log(
    markdownTable(
      [
        "run",
        "wall s",
        "POST s",
        "units/s",
        "computed / distinct units",
        "of them degraded",
        "events",
        "lag p50 ms",
        "lag p99 ms",
        "recording p99 ms",
        "delivery p99 ms",
      ],
      [first, again, arrow].map((run, i) => [
        [`job ${seriesCount} x ${candles} x 6, JSON`, "same job again", "fresh job, Arrow"][i] as string,
        formatNumber(run.wallMs / 1_000, 2),
        formatNumber(run.acceptMs / 1_000, 2),
        formatNumber(run.unitsPerSecond),
        `${run.computed} / ${seriesCount * INDICATORS.length}`,
        String(run.degraded),
        String(run.events),
        formatNumber(run.lagP50, 1),
        formatNumber(run.lagP99, 1),
        formatNumber(run.recordP99, 1),
        formatNumber(run.deliverP99, 1),
      ]),
    ),
  );
  console.log(
    markdownTable(
      ["same work as calculate requests", "wall s", "units/s", "job / calculate"],
      [
        [
          `${seriesCount} JSON requests, ${FLEET * jobConcurrency} clients`,
          formatNumber(baseline.wallMs / 1_000, 2),
          formatNumber(baseline.unitsPerSecond),
          `${formatNumber(first.unitsPerSecond / baseline.unitsPerSecond, 2)}x`,
        ],
        [
          `${seriesCount} Arrow requests, ${FLEET * jobConcurrency} clients`,
          formatNumber(arrowBaseline.wallMs / 1_000, 2),
          formatNumber(arrowBaseline.unitsPerSecond),
          `${formatNumber(arrow.unitsPerSecond / arrowBaseline.unitsPerSecond, 2)}x`,
        ],
      ],
    ),
  );
  console.log(
    markdownTable(
      ["resume", "events seen", "full log", "identical", "in order", "last"],
      [
        [
          `${reconnects} reconnections`,
          String(resume.seen),
          String(resume.whole),
          String(resume.same),
          String(resume.ordered),
          String(resume.ended),
        ],
      ],
    ),
  );
  console.log(
    markdownTable(
      ["fault run", "status", "done", "result lines", "lines unlike the reference"],
      [
        [
          `${faultSeries} series, SIGKILL + Redis restart`,
          fault.status,
          String(fault.done),
          String(fault.lines),
          String(fault.mismatched),
        ],
      ],
    ),
  );
  const slow = (await monitor.call("SLOWLOG", "GET", "10")) as [number, number, number, string[]][];
  for (const [, at, micros, command] of slow)
    console.log(
      `redis slowlog: ${at} ${Math.round(micros / 1_000)} ms ${command.slice(0, 2).join(" ").slice(0, 80)}`,
    );
  console.log(`redis latency: ${JSON.stringify(await monitor.call("LATENCY", "LATEST"))}`);
  monitor.disconnect();
  // What went wrong on the replicas (a breaker that opened, a chunk that failed): warnings and up.
  for (const [i, replica] of fleet.entries()) {
    const warnings = replica
      .output()
      .split("\n")
      .filter((line) => /"level":(4|5|6)0/.test(line));
    for (const line of warnings.slice(0, 10)) console.log(`replica ${i + 1}: ${line.slice(0, 600)}`);
  }
} finally {
  await Promise.all(fleet.map((replica) => replica.stop("SIGKILL")));
  await redis.stop();
}
