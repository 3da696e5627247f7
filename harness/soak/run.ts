/**
 * The soak run: Redis and three replicas (the built server as child processes), client loops
 * sending mixed traffic for a bounded time, and a fault schedule (Redis killed and restarted,
 * frozen and thawed, one replica SIGKILLed and restarted, then the network to Redis slowed down
 * and healed) while /health is watched. The replicas reach Redis through the fault proxy
 * (../fault-proxy.ts), which adds nothing until the slow phase. Returns a
 * report; `ok` is false when anything was lost or wrong. Used by bench/soak.ts and by the quick
 * variant in the test suite.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { FaultProxy } from "../fault-proxy.js";
import { total } from "../metrics.js";
import { RedisServer } from "../redis.js";
import {
  clientLoop,
  FAILURE_CLASSES,
  FAILURE_LABELS,
  type FailureSample,
  type SlowRequest,
  Tally,
} from "./client.js";
import { HealthWatcher, type Transition } from "./health.js";
import { Replica } from "./replica.js";
import { ReferenceBook } from "./traffic.js";

export type FaultAction =
  | "redis-kill"
  | "redis-restart"
  | "redis-freeze"
  | "redis-thaw"
  | "replica-kill"
  | "replica-restart"
  | "redis-slow"
  | "redis-fast";

export interface FaultStep {
  /** Milliseconds after traffic starts. */
  readonly atMs: number;
  readonly action: FaultAction;
}

/**
 * Redis killed then restarted, frozen then thawed, a replica SIGKILLed then restarted, then the
 * network to Redis slow and healed again, in that order.
 */
export function defaultSchedule(durationMs: number): FaultStep[] {
  const at = (fraction: number) => Math.round(durationMs * fraction);
  return [
    { atMs: at(0.12), action: "redis-kill" },
    { atMs: at(0.25), action: "redis-restart" },
    { atMs: at(0.38), action: "redis-freeze" },
    { atMs: at(0.52), action: "redis-thaw" },
    { atMs: at(0.64), action: "replica-kill" },
    { atMs: at(0.7), action: "replica-restart" },
    { atMs: at(0.78), action: "redis-slow" },
    { atMs: at(0.92), action: "redis-fast" },
  ];
}

/**
 * Short leases so a killed holder is replaced within seconds, a small compute delay so every unit
 * is long enough to take the lock (and waiters really wait), no drain wait.
 */
export const DEFAULT_REPLICA_ENV: Readonly<Record<string, string>> = {
  LOCK_LEASE_MS: "2000",
  LOCK_WAIT_TIMEOUT_MS: "10000",
  DEBUG_COMPUTE_DELAY_MS: "20",
  SHUTDOWN_DRAIN_MS: "0",
  SCHEDULER_MAX_WORKERS: "2",
  LOG_LEVEL: "warn",
};

export interface SoakOptions {
  readonly durationMs: number;
  readonly loops: number;
  readonly seed: number;
  readonly requestTimeoutMs: number;
  readonly replicas: number;
  /** Which replica is SIGKILLed and restarted. */
  readonly killReplica: number;
  readonly replicaEnv: Readonly<Record<string, string>>;
  readonly schedule: readonly FaultStep[];
  /** Added each way to every packet to and from Redis during the slow phase. */
  readonly slowLatencyMs: number;
  /**
   * The slow phase raises the latency to `slowLatencyMs` in steps over this long: a real link
   * degrades over seconds, and the deadlines follow the heartbeat's median of five (2.5 s). A
   * step change under load is the README's documented limitation, not what this phase checks.
   */
  readonly slowRampMs: number;
  /** Longest to wait after the traffic for every replica to report `distributed` again. */
  readonly recoveryMs: number;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

export function soakOptions(overrides: Partial<SoakOptions> = {}): SoakOptions {
  const durationMs = overrides.durationMs ?? 60_000;
  return {
    durationMs,
    loops: 6,
    seed: 1,
    requestTimeoutMs: 15_000,
    replicas: 3,
    killReplica: 2,
    replicaEnv: DEFAULT_REPLICA_ENV,
    schedule: defaultSchedule(durationMs),
    slowLatencyMs: 60,
    slowRampMs: Math.min(4_000, Math.round(durationMs * 0.07)),
    recoveryMs: 10_000,
    log: () => {},
    ...overrides,
  };
}

export interface SoakEvent {
  readonly atMs: number;
  readonly at: string;
  readonly what: string;
}

export interface ReplicaReport {
  readonly index: number;
  readonly port: number;
  readonly pids: readonly number[];
  readonly rssStartBytes: number | null;
  /** RSS of the restarted process right after it became ready (the killed replica only). */
  readonly rssRestartBytes: number | null;
  readonly rssEndBytes: number | null;
  readonly rssPeakBytes: number | null;
  readonly transitions: readonly Transition[];
  readonly finalMode: string | null;
  readonly healthPolls: number;
  readonly unreachablePolls: number;
  readonly sent: number;
  readonly served: number;
  /** Served by the process started after the intentional kill. */
  readonly servedAfterRestart: number;
  readonly failed: number;
  readonly replicaDown: number;
}

export interface FaultReaction {
  readonly fault: string;
  readonly atMs: number;
  readonly restoredAtMs: number;
  /** Per replica: ms from the fault to `degraded`, and from the restore to `distributed` (null: not seen). */
  readonly replicas: readonly { degradedAfterMs: number | null; distributedAfterMs: number | null }[];
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  /** Required checks fail the run; the others are warnings. */
  readonly required: boolean;
  readonly detail: string;
}

export interface SoakReport {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly elapsedMs: number;
  readonly loops: number;
  readonly seed: number;
  readonly replicaEnv: Readonly<Record<string, string>>;
  readonly events: readonly SoakEvent[];
  readonly requests: {
    readonly sent: number;
    readonly served: number;
    readonly rejectedAsExpected: number;
    readonly replicaDown: number;
    readonly bySeries: Readonly<Record<string, number>>;
  };
  readonly failures: Readonly<Record<string, number>>;
  readonly failureSamples: readonly (FailureSample & { readonly serverLog: string[] })[];
  readonly sources: Readonly<Record<string, number>>;
  readonly responseModes: Readonly<Record<string, number>>;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly slowest: readonly SlowRequest[];
  readonly references: { readonly computed: number; readonly cached: number };
  readonly replicas: readonly ReplicaReport[];
  readonly reactions: readonly FaultReaction[];
  /** The slow-network phase: units computed without coordination meanwhile, per replica. */
  readonly slowPhase: { readonly latencyMs: number; readonly degradedComputations: readonly number[] } | null;
  readonly checks: readonly Check[];
  readonly ok: boolean;
}

/** Longest the traffic goes on past the duration, waiting for the fault schedule to finish. */
const MAX_EXTENSION_MS = 20_000;

/** Latency steps of the slow phase's ramp. */
const SLOW_RAMP_STEPS = 8;

/** Sleeps until `performance.now()` reaches `until`, waking early on abort. */
async function sleepUntil(until: number, aborted: () => boolean): Promise<void> {
  while (!aborted()) {
    const left = until - performance.now();
    if (left <= 0) return;
    await sleep(Math.min(left, 100));
  }
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

export function formatOffset(ms: number): string {
  return `+${(ms / 1_000).toFixed(3).padStart(7)}s`;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const aborted = () => options.signal?.aborted === true;
  const events: SoakEvent[] = [];
  let startedAt = performance.now();
  const event = (what: string) => {
    const atMs = performance.now() - startedAt;
    events.push({ atMs, at: new Date().toISOString(), what });
    options.log(`${formatOffset(atMs)}  ${what}`);
  };

  let redis: RedisServer | undefined;
  let proxy: FaultProxy | undefined;
  const replicas: Replica[] = [];
  try {
    redis = await RedisServer.start();
    proxy = await FaultProxy.start({ port: redis.port });
    const env = { ...options.replicaEnv, REDIS_URL: proxy.url };
    replicas.push(
      ...(await Promise.all(Array.from({ length: options.replicas }, (_, i) => Replica.start(i, env)))),
    );
    options.log(
      `redis on ${redis.url} (pid ${redis.pid}), reached through a fault proxy on ${proxy.url}; replicas ${replicas.map((r) => `#${r.index} ${r.url} (pid ${r.pid})`).join(", ")}`,
    );

    // Start from a settled fleet: every replica distributed (bounded wait).
    const settle = new HealthWatcher(replicas, startedAt, () => {});
    for (let i = 0; i < 100; i++) {
      const modes = await Promise.all(replicas.map((replica) => settle.poll(replica)));
      if (modes.every((mode) => mode === "distributed")) break;
      await sleep(50);
    }
    const rssStart = await Promise.all(replicas.map((replica) => replica.rssBytes()));
    const rssPeak = [...rssStart];
    const rssRestart: (number | null)[] = replicas.map(() => null);

    const tally = new Tally(replicas.length);
    const references = new ReferenceBook();
    startedAt = performance.now();
    const startedIso = new Date().toISOString();
    // Traffic runs for the duration, and on until a second after the last fault step has completed
    // and the restarted replica has served at least once, but never more than MAX_EXTENSION_MS longer.
    const nominalEnd = startedAt + options.durationMs;
    let scheduleDoneAt = Number.POSITIVE_INFINITY;
    const victim = replicas[options.killReplica] as Replica;
    const deadline = () => {
      const cap = nominalEnd + MAX_EXTENSION_MS;
      const victimQuiet =
        victim.pids.length > 1 && (tally.perReplica[victim.index]?.servedAfterRestart ?? 0) === 0;
      if (!Number.isFinite(scheduleDoneAt) || victimQuiet) return cap;
      return Math.min(cap, Math.max(nominalEnd, scheduleDoneAt + 1_000));
    };
    const lastStep = Math.max(0, ...options.schedule.map((step) => step.atMs));
    const watchMs =
      Math.max(options.durationMs, lastStep) +
      MAX_EXTENSION_MS +
      options.requestTimeoutMs +
      options.recoveryMs +
      30_000;

    const watcher = new HealthWatcher(replicas, startedAt, (replica, transition) =>
      options.log(
        `${formatOffset(transition.atMs)}  replica ${replica}: ${transition.from ?? "(start)"} -> ${transition.to}`,
      ),
    );
    watcher.start(watchMs);

    let sampling = true;
    const sampler = (async () => {
      for (let i = 0; sampling && i < watchMs / 1_000; i++) {
        await sleep(1_000);
        const rss = await Promise.all(replicas.map((replica) => replica.rssBytes()));
        rss.forEach((value, index) => {
          if (value !== null) rssPeak[index] = Math.max(rssPeak[index] ?? 0, value);
        });
      }
    })();

    event(
      `traffic: ${options.loops} client loops for ${(options.durationMs / 1_000).toFixed(1)} s over ${replicas.length} replicas`,
    );
    const loops = Array.from({ length: options.loops }, (_, loop) =>
      clientLoop(loop, {
        replicas,
        references,
        tally,
        seed: options.seed,
        startedAt,
        deadline,
        requestTimeoutMs: options.requestTimeoutMs,
        maxRequestsPerLoop: 1_000_000,
        aborted,
      }),
    );

    const degradedComputations = () =>
      Promise.all(
        replicas.map(async (replica) => {
          const response = await fetch(`${replica.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
          return total(await response.text(), "indicator_degraded_computations_total");
        }),
      );
    let degradedAtSlow: number[] | undefined;
    let slowPhase: SoakReport["slowPhase"] = null;
    const runSteps = async () => {
      for (const step of [...options.schedule].sort((a, b) => a.atMs - b.atMs)) {
        await sleepUntil(startedAt + step.atMs, aborted);
        if (aborted()) return;
        const server = redis as RedisServer;
        switch (step.action) {
          case "redis-kill":
            event(`fault: Redis SIGKILL (pid ${server.pid})`);
            await server.stop();
            break;
          case "redis-restart":
            event("fault: Redis restarting on the same port");
            await server.restart();
            event(`fault: Redis answering PING again (pid ${server.pid})`);
            break;
          case "redis-freeze":
            event(`fault: Redis SIGSTOP (pid ${server.pid})`);
            server.freeze();
            break;
          case "redis-thaw":
            event("fault: Redis SIGCONT");
            server.thaw();
            break;
          case "replica-kill":
            event(`fault: replica ${victim.index} SIGKILL (pid ${victim.pid}), out of rotation`);
            await victim.kill();
            break;
          case "redis-slow":
            event(
              `fault: network to Redis slow (+${options.slowLatencyMs} ms each way, reached over ${options.slowRampMs} ms)`,
            );
            degradedAtSlow = await degradedComputations();
            for (let step = 1; step <= SLOW_RAMP_STEPS && !aborted(); step++) {
              proxy?.set({ latencyMs: Math.round((options.slowLatencyMs * step) / SLOW_RAMP_STEPS) });
              if (step < SLOW_RAMP_STEPS) await sleep(options.slowRampMs / SLOW_RAMP_STEPS);
            }
            break;
          case "redis-fast": {
            proxy?.set({});
            event("fault: network to Redis healed");
            const before = degradedAtSlow;
            const after = await degradedComputations();
            if (before)
              slowPhase = {
                latencyMs: options.slowLatencyMs,
                degradedComputations: after.map((count, i) => count - (before[i] ?? 0)),
              };
            break;
          }
          case "replica-restart": {
            event(`fault: replica ${victim.index} restarting on port ${victim.port}`);
            const began = performance.now();
            await victim.restart();
            rssRestart[victim.index] = await victim.rssBytes();
            event(
              `fault: replica ${victim.index} ready again (pid ${victim.pid}, ${(performance.now() - began).toFixed(0)} ms), back in rotation`,
            );
            break;
          }
        }
      }
    };
    const schedule = (async () => {
      try {
        await runSteps();
      } finally {
        scheduleDoneAt = performance.now();
      }
    })();

    await Promise.all(loops);
    event(`traffic: loops finished (${tally.sent} requests)`);
    await schedule;

    // Every replica back to distributed (bounded): a replica stuck degraded fails a check below.
    const recoveryDeadline = performance.now() + options.recoveryMs;
    while (
      !aborted() &&
      performance.now() < recoveryDeadline &&
      !watcher.logs.every((log) => log.mode === "distributed")
    )
      await sleep(100);
    // One more round of polls so the final modes are current.
    await sleep(250);
    await watcher.stop();
    sampling = false;
    await sampler;
    const rssEnd = await Promise.all(replicas.map((replica) => replica.rssBytes()));
    rssEnd.forEach((value, index) => {
      if (value !== null) rssPeak[index] = Math.max(rssPeak[index] ?? 0, value);
    });
    const elapsedMs = performance.now() - startedAt;
    event("done");

    const replicaReports: ReplicaReport[] = replicas.map((replica, index) => {
      const log = watcher.logs[index];
      const counts = tally.perReplica[index];
      return {
        index,
        port: replica.port,
        pids: [...replica.pids],
        rssStartBytes: rssStart[index] ?? null,
        rssRestartBytes: rssRestart[index] ?? null,
        rssEndBytes: rssEnd[index] ?? null,
        rssPeakBytes: rssPeak[index] ?? null,
        transitions: log?.transitions ?? [],
        finalMode: log?.mode ?? null,
        healthPolls: log?.polls ?? 0,
        unreachablePolls: log?.unreachable ?? 0,
        sent: counts?.sent ?? 0,
        served: counts?.served ?? 0,
        servedAfterRestart: counts?.servedAfterRestart ?? 0,
        failed: counts?.failed ?? 0,
        replicaDown: counts?.down ?? 0,
      };
    });
    const reactions = faultReactions(events, replicaReports);
    const checks = soakChecks(tally, replicaReports, reactions, slowPhase, events, replicas, aborted());
    const sorted = [...tally.latenciesMs].sort((a, b) => a - b);
    return {
      startedAt: startedIso,
      durationMs: options.durationMs,
      elapsedMs,
      loops: options.loops,
      seed: options.seed,
      replicaEnv: options.replicaEnv,
      events,
      requests: {
        sent: tally.sent,
        served: tally.served,
        rejectedAsExpected: tally.rejected,
        replicaDown: tally.replicaDown,
        bySeries: tally.bySeries,
      },
      failures: Object.fromEntries(FAILURE_CLASSES.map((key) => [key, tally.failures[key]])),
      failureSamples: tally.samples.map((sample) => ({
        ...sample,
        serverLog: serverLines(replicas[sample.replica], sample.requestId),
      })),
      sources: tally.sources,
      responseModes: tally.modes,
      latencyMs: { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? 0 },
      slowest: tally.slowest,
      references: { computed: references.computed, cached: references.cacheHits },
      replicas: replicaReports,
      reactions,
      slowPhase,
      checks,
      ok: checks.every((check) => check.ok || !check.required),
    };
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await proxy?.close();
    await redis?.stop();
  }
}

/** The replica's log lines that mention a request id (its error line for a 5xx, say). */
function serverLines(replica: Replica | undefined, requestId: string): string[] {
  if (!replica) return [];
  return replica
    .output()
    .split("\n")
    .filter((line) => line.includes(requestId))
    .slice(0, 5)
    .map((line) => (line.length > 1_000 ? `${line.slice(0, 1_000)}...` : line));
}

/** For each Redis fault: how long each replica took to report degraded, then distributed after the restore. */
function faultReactions(events: readonly SoakEvent[], replicas: readonly ReplicaReport[]): FaultReaction[] {
  const find = (prefix: string, after = -1) =>
    events.find((e) => e.what.startsWith(prefix) && e.atMs > after)?.atMs ?? null;
  const pairs: [string, string, string][] = [
    ["Redis killed, restarted", "fault: Redis SIGKILL", "fault: Redis answering PING again"],
    ["Redis frozen, thawed", "fault: Redis SIGSTOP", "fault: Redis SIGCONT"],
  ];
  const reactions: FaultReaction[] = [];
  for (const [fault, start, end] of pairs) {
    const atMs = find(start);
    if (atMs === null) continue;
    const restoredAtMs = find(end, atMs);
    if (restoredAtMs === null) continue;
    reactions.push({
      fault,
      atMs,
      restoredAtMs,
      replicas: replicas.map((replica) => {
        const degraded = replica.transitions.find(
          (t) => t.to === "degraded" && t.atMs >= atMs && t.atMs <= restoredAtMs + 1_000,
        );
        const back = replica.transitions.find(
          (t) => t.to === "distributed" && t.atMs >= restoredAtMs && t.atMs >= (degraded?.atMs ?? 0),
        );
        return {
          degradedAfterMs: degraded ? degraded.atMs - atMs : null,
          distributedAfterMs: degraded && back ? back.atMs - restoredAtMs : null,
        };
      }),
    });
  }
  return reactions;
}

function soakChecks(
  tally: Tally,
  replicas: readonly ReplicaReport[],
  reactions: readonly FaultReaction[],
  slowPhase: SoakReport["slowPhase"],
  events: readonly SoakEvent[],
  processes: readonly Replica[],
  aborted: boolean,
): Check[] {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string, required = true) =>
    checks.push({ name, ok, detail, required });
  check("run not interrupted", !aborted, aborted ? "aborted by a signal" : "ran to the end");
  for (const key of FAILURE_CLASSES)
    check(`no ${FAILURE_LABELS[key]}`, tally.failures[key] === 0, `${tally.failures[key]}`);
  check(
    "every request accounted for",
    tally.classified === tally.sent,
    `${tally.classified} classified of ${tally.sent} sent`,
  );
  check(
    "every replica served requests",
    tally.served > 0 && replicas.every((r) => r.served > 0),
    replicas.map((r) => `#${r.index} ${r.served}`).join(", "),
  );
  for (const replica of replicas) {
    check(
      `replica ${replica.index} reported degraded during the Redis faults`,
      replica.transitions.some((t) => t.to === "degraded"),
      replica.transitions.map((t) => t.to).join(" -> "),
    );
    if (replica.pids.length > 1)
      check(
        `replica ${replica.index} served requests after its restart`,
        replica.servedAfterRestart > 0,
        `${replica.servedAfterRestart}`,
      );
    check(
      `replica ${replica.index} back to distributed at the end`,
      replica.finalMode === "distributed" && processes[replica.index]?.state === "up",
      `final mode ${replica.finalMode}`,
    );
    const crashes = processes[replica.index]?.crashes ?? [];
    check(`replica ${replica.index} never exited unasked`, crashes.length === 0, crashes.join("\n"));
    check(
      `replica ${replica.index} answered every /health poll while up`,
      replica.unreachablePolls === 0,
      `${replica.unreachablePolls} of ${replica.healthPolls} polls failed`,
      false,
    );
  }
  const slowAt = events.find((e) => e.what.startsWith("fault: network to Redis slow"))?.atMs;
  const healedAt = events.find((e) => e.what.startsWith("fault: network to Redis healed"))?.atMs;
  if (slowAt !== undefined && healedAt !== undefined && slowPhase) {
    const flapped = replicas.filter((replica) =>
      replica.transitions.some((t) => t.to === "degraded" && t.atMs >= slowAt && t.atMs <= healedAt),
    );
    check(
      "no replica degraded while Redis was slow",
      flapped.length === 0,
      flapped.map((replica) => `replica ${replica.index}`).join(", "),
    );
    check(
      "no unit computed uncoordinated while Redis was slow",
      slowPhase.degradedComputations.every((count) => count === 0),
      slowPhase.degradedComputations.join(", "),
    );
  }
  for (const reaction of reactions) {
    const missed = reaction.replicas
      .map((r, index) => (r.degradedAfterMs === null || r.distributedAfterMs === null ? index : -1))
      .filter((index) => index >= 0);
    check(
      `every replica degraded and recovered for "${reaction.fault}"`,
      missed.length === 0,
      missed.length === 0 ? "all" : `not seen on replica ${missed.join(", ")}`,
      false,
    );
  }
  return checks;
}
