import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { encodeResult, entryValueBytes } from "../compute/result-entry.js";
import type {
  BreakerState,
  CoordinationMode,
  Coordinator,
  RedisHealth,
  Resolution,
  UnitWork,
} from "../scheduler/coordinator.js";
import type { SchedulerStats } from "../scheduler/stats.js";
import type { UnitResult, WorkUnit } from "../scheduler/types.js";
import { type CallBudget, CircuitBreaker } from "./circuit-breaker.js";
import type { CompletionBus } from "./completion-bus.js";
import type { CostPolicy } from "./cost-policy.js";
import type { Acquisition, HeldLock, LockManager } from "./lock.js";
import type { SharedCache } from "./shared-cache.js";

export interface RedisCoordinatorParts {
  readonly cache: SharedCache;
  readonly locks: LockManager;
  readonly bus: CompletionBus;
  readonly policy: CostPolicy;
  readonly stats: SchedulerStats;
  readonly log: Logger;
  /** Resolves when the command and subscriber connections answer. */
  readonly ping: () => Promise<void>;
  readonly closeConnections: () => Promise<void>;
}

export interface RedisCoordinatorSettings {
  readonly lockEnabled: boolean;
  /** `notify`: wake on the holder's announcement (default); `poll`: the origin design's re-reads. */
  readonly wait:
    | { readonly strategy: "notify" }
    | { readonly strategy: "poll"; readonly intervalMs: number; readonly attempts: number };
  readonly waitTimeoutMs: number;
  readonly breakerFailureThreshold: number;
  readonly breakerProbeIntervalMs: number;
  readonly callTimeoutMs: number;
  /** The slowest transfer rate a healthy Redis link is expected to sustain, for bulk deadlines. */
  readonly minBytesPerSecond: number;
}

/** After a lease ends, how long a waiter gives the holder's release or expiry to land. */
const LEASE_GRACE_MS = 25;
/** Lock attempts that found the lock free yet failed, before giving up on coordinating the unit. */
const MAX_FREE_RETRIES = 3;
/** A Redlock attempt that finds the lock taken: the acquire, the release of partial votes, a lease read. */
const ACQUIRE_ROUND_TRIPS = 3;

type WaitOutcome =
  | { readonly kind: "result"; readonly result: UnitResult }
  | { readonly kind: "lease-ended" }
  | { readonly kind: "holder-failed" }
  | { readonly kind: "unreadable" }
  | { readonly kind: "deadline" }
  | { readonly kind: "redis-failed" };

/**
 * Check-Lock-Check-Compute across the fleet, for units that missed this replica's memory cache
 * and in-flight map:
 *
 * 1. shared cache (hit: `shared`);
 * 2. try the lock, without retrying;
 * 3. holder: check the shared cache again, compute (lease extended meanwhile), write the shared
 *    cache, announce `ok` or `error`, release;
 * 4. waiter: register for the announcement, re-check the cache, then sleep until the
 *    announcement or the end of the holder's lease, whichever comes first. `ok`: read the
 *    result (`awaited`). `error`: compute at once. Lease over without an announcement: the
 *    holder died, so try to take the lock over (exactly one waiter wins). Past the overall
 *    deadline: compute anyway and count a duplicate.
 *
 * Any Redis failure on the way falls back to computing locally; it never fails the request.
 * The circuit breaker decides the mode: while it is open no Redis call is made at all.
 */
export class RedisCoordinator implements Coordinator {
  readonly #parts: RedisCoordinatorParts;
  readonly #settings: RedisCoordinatorSettings;
  readonly #breaker: CircuitBreaker;
  readonly #releases = new Set<Promise<void>>();
  /** Locks held right now, by unit key: a forced shutdown hands them back (see `abandon`). */
  readonly #held = new Map<string, HeldLock>();
  #closing = false;

  constructor(parts: RedisCoordinatorParts, settings: RedisCoordinatorSettings) {
    this.#parts = parts;
    this.#settings = settings;
    this.#breaker = new CircuitBreaker({
      failureThreshold: settings.breakerFailureThreshold,
      isOutage: (error) => !(error instanceof Error && error.name === "ReplyError"),
      probeIntervalMs: settings.breakerProbeIntervalMs,
      callTimeoutMs: settings.callTimeoutMs,
      probe: async () => {
        const start = performance.now();
        await parts.ping();
        parts.policy.observeRoundTrip(performance.now() - start);
      },
      onChange: (state, error) => this.#modeChanged(state, error),
    });
  }

  get mode(): CoordinationMode {
    return this.#breaker.state === "closed" ? "distributed" : "degraded";
  }

  /** Checks Redis once (starting degraded if it does not answer), then keeps watching it. */
  async start(): Promise<void> {
    try {
      await this.#parts.ping();
    } catch (error) {
      this.#breaker.trip(error);
    }
    this.#breaker.start();
  }

  /** Another Redis call of this replica (rate-limit counters), under the same breaker. */
  guard<T>(operation: () => Promise<T>): Promise<T> {
    return this.#breaker.run(() => operation());
  }

  /** A connection dropped: no need to wait for a command to time out. */
  connectionLost(error: Error): void {
    if (!this.#closing) this.#breaker.trip(error);
  }

  redisHealth(): RedisHealth {
    return {
      connected: this.#breaker.state === "closed",
      since: new Date(this.#breaker.since).toISOString(),
      breaker: this.#breaker.state,
      roundTripMs: Math.round(this.#parts.policy.roundTripMs * 1_000) / 1_000,
      lockMinCostMs: Math.round(this.#parts.policy.lockMinCostMs * 1_000) / 1_000,
    };
  }

  async resolve(unit: WorkUnit, work: UnitWork): Promise<Resolution> {
    const route = this.#parts.policy.route(unit.costMs);
    this.#parts.stats.routed(unit.indicator, route, unit.costMs);
    if (route === "local") {
      this.#count(unit, "skippedCheap");
      return { result: await work.compute(), source: "computed" };
    }
    const first = await this.#readShared(unit, work);
    if (first.kind === "hit") return { result: first.result, source: "shared" };
    if (first.kind === "failed") return this.#computeDegraded(unit, work);

    if (route === "cache-only" || !this.#settings.lockEnabled) {
      if (route === "cache-only") this.#count(unit, "skippedLock");
      return { result: await this.#computeAndShare(unit, work), source: "computed" };
    }
    return this.#lockOrWait(unit, work);
  }

  /**
   * For a shutdown that cannot wait for running computations: tell the waiters on other replicas
   * (`error`, so they compute at once instead of waiting out the lease) and release the locks.
   */
  async abandon(): Promise<void> {
    const held = [...this.#held];
    this.#held.clear();
    await Promise.all(
      held.map(async ([key, lock]) => {
        await this.#announce(key, "error");
        await lock.release();
      }),
    );
  }

  async close(): Promise<void> {
    await this.abandon();
    this.#closing = true;
    this.#breaker.stop();
    await Promise.all(this.#releases);
    await this.#parts.closeConnections();
  }

  async #lockOrWait(unit: WorkUnit, work: UnitWork): Promise<Resolution> {
    const deadline = Date.now() + this.#settings.waitTimeoutMs;
    let contended = false;
    let freeButRefused = 0;
    let waitedMs = 0;
    try {
      for (;;) {
        let acquisition: Acquisition;
        try {
          acquisition = await this.#breaker.run(
            (signal) =>
              this.#parts.locks.tryAcquire(unit.key, () => this.#count(unit, "leaseExtended"), signal),
            { roundTrips: ACQUIRE_ROUND_TRIPS },
          );
        } catch {
          return this.#computeDegraded(unit, work);
        }
        if (acquisition.kind === "acquired") return await this.#computeAsHolder(unit, work, acquisition.lock);
        if (acquisition.kind === "free") {
          // Released between our attempt and the lease read (try again: the result is likely
          // shared by now), or refused by the nodes themselves (OOM): then stop trying.
          if (++freeButRefused >= MAX_FREE_RETRIES) return this.#computeDegraded(unit, work);
          continue;
        }

        if (!contended) this.#count(unit, "lockContended");
        contended = true;
        const waitStart = performance.now();
        if (this.#settings.wait.strategy === "poll") {
          try {
            return await this.#pollForResult(unit, work, this.#settings.wait);
          } finally {
            waitedMs += performance.now() - waitStart;
          }
        }
        const outcome = await this.#waitForHolder(unit, work, acquisition.leaseMs, deadline);
        waitedMs += performance.now() - waitStart;
        switch (outcome.kind) {
          case "result":
            return { result: outcome.result, source: "awaited" };
          case "lease-ended":
            continue;
          case "holder-failed":
            return { result: await this.#computeAndShare(unit, work), source: "computed" };
          case "deadline":
          case "unreadable":
            this.#count(unit, "duplicates");
            return { result: await this.#computeAndShare(unit, work), source: "computed" };
          case "redis-failed":
            return this.#computeDegraded(unit, work);
        }
      }
    } finally {
      // One observation per unit, however many leases it waited through.
      if (contended) this.#count(unit, "waitMs", Math.round(waitedMs));
    }
  }

  async #computeAsHolder(unit: WorkUnit, work: UnitWork, lock: HeldLock): Promise<Resolution> {
    this.#count(unit, "lockAcquired");
    this.#held.set(unit.key, lock);
    try {
      // The last check: another holder may have finished between our first read and our lock.
      const again = await this.#readShared(unit, work, { quiet: true });
      if (again.kind === "hit") {
        await this.#announce(unit.key, "ok");
        return { result: again.result, source: "shared" };
      }
      // Once a call of this unit has failed, the next would most likely wait out its deadline
      // too: a Redis outage costs a request one deadline, not one per remaining round trip.
      // The waiters fall back on the lease, which they would have to on a dead Redis anyway.
      let reachable = again.kind === "miss";
      let result: UnitResult;
      try {
        result = await work.compute();
      } catch (error) {
        if (reachable) await this.#announce(unit.key, "error");
        throw error;
      }
      if (reachable) reachable = await this.#writeShared(unit, result);
      // Announced before this replica answers its own client: waiters are woken first.
      if (reachable) await this.#announce(unit.key, "ok");
      return { result, source: "computed" };
    } finally {
      this.#held.delete(unit.key);
      // Not awaited by the request: the response need not wait for the release round trip.
      const release = lock.release().finally(() => this.#releases.delete(release));
      this.#releases.add(release);
    }
  }

  /**
   * The origin design's wait (docs/architecture.md), kept as a fallback for Redis deployments without pub/sub (and as
   * the baseline of `npm run bench:dedupe`): re-read the shared cache on a fixed interval a few
   * times, then compute anyway. It costs half an interval of latency on average and duplicates
   * every computation longer than interval x attempts.
   */
  async #pollForResult(
    unit: WorkUnit,
    work: UnitWork,
    { intervalMs, attempts }: { intervalMs: number; attempts: number },
  ): Promise<Resolution> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      await sleep(intervalMs);
      const lookup = await this.#readShared(unit, work);
      if (lookup.kind === "hit") return { result: lookup.result, source: "awaited" };
      if (lookup.kind === "failed") return this.#computeDegraded(unit, work);
    }
    this.#count(unit, "duplicates");
    return { result: await this.#computeAndShare(unit, work), source: "computed" };
  }

  async #waitForHolder(
    unit: WorkUnit,
    work: UnitWork,
    leaseMs: number,
    deadline: number,
  ): Promise<WaitOutcome> {
    const expectation = this.#parts.bus.expect(unit.key);
    try {
      // Registered first, then re-checked: an announcement made before this read is seen by it.
      const recheck = await this.#readShared(unit, work);
      if (recheck.kind === "hit") return { kind: "result", result: recheck.result };
      if (recheck.kind === "failed") return { kind: "redis-failed" };
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { kind: "deadline" };

      const timer = new AbortController();
      const woken = await Promise.race([
        expectation.completion,
        sleep(Math.min(leaseMs + LEASE_GRACE_MS, remaining), "timeout" as const, { signal: timer.signal }),
      ]).finally(() => timer.abort());
      if (woken === "unavailable") return { kind: "redis-failed" };
      if (woken === "error") return { kind: "holder-failed" };
      if (woken === "timeout") return Date.now() >= deadline ? { kind: "deadline" } : { kind: "lease-ended" };
      const after = await this.#readShared(unit, work);
      if (after.kind === "hit") return { kind: "result", result: after.result };
      if (after.kind === "failed") return { kind: "redis-failed" };
      // Announced but unreadable (evicted, or the holder's write failed): its lock may still
      // be held for a moment, so computing now beats waiting out a lease.
      return { kind: "unreadable" };
    } finally {
      expectation.cancel();
    }
  }

  /** `quiet`: a re-read of an entry already reported as invalid is not reported again. */
  /**
   * A Redis failure is `failed` (compute degraded); an error of `work.decode` is not Redis's and
   * fails the unit like an error of its computation would.
   */
  async #readShared(
    unit: WorkUnit,
    work: UnitWork,
    { quiet = false } = {},
  ): Promise<{ kind: "hit"; result: UnitResult } | { kind: "miss" } | { kind: "failed" }> {
    let entry: Buffer | null;
    try {
      const bytes = entryValueBytes(unit.outputs.length, unit.length);
      entry = await this.#breaker.run(() => this.#parts.cache.read(unit.key, bytes), this.#bulkBudget(bytes));
    } catch {
      return { kind: "failed" };
    }
    if (entry === null) return { kind: "miss" };
    const result = await work.decode(entry);
    if (result) return { kind: "hit", result };
    if (!quiet) {
      this.#count(unit, "invalidShared");
      this.#parts.log.warn({ key: unit.key }, "shared cache entry failed to decode; recomputing");
    }
    return { kind: "miss" };
  }

  /** Whether the entry was written; a failure never fails the request. */
  async #writeShared(unit: WorkUnit, result: UnitResult): Promise<boolean> {
    const entry = encodeResult(unit.key, result);
    return this.#breaker
      .run(() => this.#parts.cache.write(unit.key, entry), this.#bulkBudget(entry.length))
      .then(
        () => true,
        () => false,
      );
  }

  /** A computation whose result other replicas may want: written to the shared cache like a holder's. */
  async #computeAndShare(unit: WorkUnit, work: UnitWork): Promise<UnitResult> {
    const result = await work.compute();
    await this.#writeShared(unit, result);
    return result;
  }

  /**
   * An entry's deadline: one round trip plus, at the slowest healthy transfer rate, its bytes and
   * those of the entries already on the connection ahead of it; started again while Redis keeps
   * sending on the connection (a replica starved of CPU reads slower than any rate set here).
   */
  #bulkBudget(bytes: number): CallBudget {
    const { cache } = this.#parts;
    const ahead = cache.queuedBytes;
    return {
      extraMs: ((ahead + bytes) / this.#settings.minBytesPerSecond) * 1_000,
      progress: () => cache.received(),
    };
  }

  async #announce(key: string, completion: "ok" | "error"): Promise<void> {
    await this.#breaker.run(() => this.#parts.bus.announce(key, completion)).catch(() => undefined);
  }

  async #computeDegraded(unit: WorkUnit, work: UnitWork): Promise<Resolution> {
    this.#count(unit, "degradedComputed");
    return { result: await work.compute(), source: "computed" };
  }

  #count(unit: WorkUnit, event: Parameters<SchedulerStats["increment"]>[1], by = 1): void {
    this.#parts.stats.increment(unit.indicator, event, by);
  }

  #modeChanged(state: BreakerState, error: Error | null): void {
    if (state === "open") {
      this.#parts.log.warn({ err: error }, "Redis unavailable: degraded mode (no shared cache, no locks)");
      this.#parts.bus.wakeAll();
    } else {
      this.#parts.log.info("Redis reachable again: distributed mode");
    }
  }
}
