import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AdmissionBudget } from "../scheduler/admission.js";
import { BREAKER_STATES, COORDINATION_MODES, type FleetStatus } from "../scheduler/coordinator.js";
import type { MemoryCache } from "../scheduler/memory-cache.js";
import type { SchedulerStats, StatEvent } from "../scheduler/stats.js";

export interface MetricsSources {
  readonly stats: SchedulerStats;
  readonly coordinator: FleetStatus;
  readonly cache: MemoryCache | null;
  readonly admission: AdmissionBudget;
  /** Units waiting for a worker-pool thread. */
  readonly poolQueued: () => number;
}

type Labels = Record<string, string>;

/**
 * The Prometheus view of the service. The scheduler and coordinator only count (SchedulerStats);
 * this module subscribes to those counts and owns every metric name, so the names live in one
 * place and follow Prometheus conventions (`_total`, `_seconds`, `_bytes`, base units).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #httpRequests: Counter;
  readonly #httpDuration: Histogram;

  constructor({ stats, coordinator, cache, admission, poolQueued }: MetricsSources) {
    const registry = this.registry;
    collectDefaultMetrics({ register: registry });

    this.#httpRequests = new Counter({
      name: "http_requests_total",
      help: "HTTP requests by route, method and status code.",
      labelNames: ["method", "route", "status_code"],
      registers: [registry],
    });
    this.#httpDuration = new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request latency from arrival to response, by route, method and status code.",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });

    const admitted = new Counter({
      name: "indicator_admitted_requests_total",
      help: "Calculations admitted within the replica's work budget.",
      registers: [registry],
    });
    const refused = new Counter({
      name: "indicator_refused_requests_total",
      help: "Calculations refused with 503, by reason (bytes, compute, queue).",
      labelNames: ["reason"],
      registers: [registry],
    });
    admission.listen({ onAdmitted: () => admitted.inc(), onRefused: (reason) => refused.inc({ reason }) });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    gauge(
      "indicator_admitted_bytes",
      "Estimated bytes held by admitted calculations.",
      () => admission.bytes,
    );
    gauge(
      "indicator_admitted_compute_seconds",
      "Estimated compute time of admitted calculations not yet finished.",
      () => admission.computeMs / 1_000,
    );
    gauge(
      "indicator_admitted_requests",
      "Calculations admitted and not yet finished.",
      () => admission.tickets,
    );
    gauge("indicator_pool_queued_units", "Units waiting for a worker-pool thread.", poolQueued);

    const counter = (name: string, help: string, labelNames: string[] = ["indicator"]) =>
      new Counter({ name, help, labelNames, registers: [registry] });
    const computations = counter("indicator_computations_total", "Units computed by this replica.");
    const cacheHits = counter(
      "indicator_cache_hits_total",
      "Units served from a cache, by tier (memory, shared).",
      ["indicator", "tier"],
    );
    const joins = counter(
      "indicator_joins_total",
      "Units that shared a concurrent identical computation on this replica.",
    );
    const awaited = counter(
      "indicator_awaited_total",
      "Units another replica computed while this one waited.",
    );
    const duplicates = counter(
      "indicator_duplicate_computations_total",
      "Units computed although another replica held the lock (the wait deadline passed).",
    );
    const pooled = counter(
      "indicator_pooled_computations_total",
      "Units computed in the worker-thread pool.",
    );
    const lockAcquired = counter("indicator_lock_acquisitions_total", "Locks this replica acquired.");
    const lockContended = counter(
      "indicator_lock_contention_total",
      "Lock attempts that found another holder.",
    );
    const leaseExtended = counter(
      "indicator_lock_lease_extensions_total",
      "Lock lease extensions while computing.",
    );
    const invalidShared = counter(
      "indicator_shared_cache_invalid_total",
      "Shared-cache entries that failed to decode or belonged to another key (recomputed).",
    );
    const skipped = counter(
      "indicator_coordination_skipped_total",
      "Units that skipped coordination by cost: reason=cheap (no Redis at all) or lock (shared cache only).",
      ["indicator", "reason"],
    );
    const degraded = counter(
      "indicator_degraded_computations_total",
      "Units computed without coordination because Redis failed or the breaker was open.",
    );
    const waitSeconds = new Histogram({
      name: "indicator_wait_seconds",
      help: "Time a replica waited for another replica's result.",
      labelNames: ["indicator"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers: [registry],
    });
    const estimatedCost = new Histogram({
      name: "indicator_unit_estimated_cost_seconds",
      help: "Estimated compute cost of units that reached the coordinator, by the route the cost policy chose (local, cache-only, lock).",
      labelNames: ["route"],
      buckets: [0.00001, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 1, 10],
      registers: [registry],
    });

    const byEvent: Partial<Record<StatEvent, (indicator: string, by: number) => void>> = {
      computed: (indicator, by) => computations.inc({ indicator }, by),
      memoryHits: (indicator, by) => cacheHits.inc({ indicator, tier: "memory" }, by),
      sharedHits: (indicator, by) => cacheHits.inc({ indicator, tier: "shared" }, by),
      joins: (indicator, by) => joins.inc({ indicator }, by),
      awaited: (indicator, by) => awaited.inc({ indicator }, by),
      duplicates: (indicator, by) => duplicates.inc({ indicator }, by),
      pooled: (indicator, by) => pooled.inc({ indicator }, by),
      lockAcquired: (indicator, by) => lockAcquired.inc({ indicator }, by),
      lockContended: (indicator, by) => lockContended.inc({ indicator }, by),
      leaseExtended: (indicator, by) => leaseExtended.inc({ indicator }, by),
      invalidShared: (indicator, by) => invalidShared.inc({ indicator }, by),
      skippedCheap: (indicator, by) => skipped.inc({ indicator, reason: "cheap" }, by),
      skippedLock: (indicator, by) => skipped.inc({ indicator, reason: "lock" }, by),
      degradedComputed: (indicator, by) => degraded.inc({ indicator }, by),
      waitMs: (indicator, ms) => waitSeconds.observe({ indicator }, ms / 1_000),
    };
    stats.listen({
      onCount: (indicator, event, by) => byEvent[event]?.(indicator, by),
      onRouted: (_indicator, route, estimatedMs) => estimatedCost.observe({ route }, estimatedMs / 1_000),
    });

    new Gauge({
      name: "indicator_coordination_mode",
      help: "1 for the replica's current coordination mode.",
      labelNames: ["mode"],
      registers: [registry],
      collect() {
        for (const mode of COORDINATION_MODES) this.set({ mode }, coordinator.mode === mode ? 1 : 0);
      },
    });
    new Gauge({
      name: "indicator_redis_breaker_state",
      help: "1 for the Redis circuit breaker's current state (absent in standalone mode).",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        const redis = coordinator.redisHealth();
        if (redis) for (const state of BREAKER_STATES) this.set({ state }, redis.breaker === state ? 1 : 0);
      },
    });
    new Gauge({
      name: "indicator_redis_round_trip_seconds",
      help: "Measured average Redis round trip, the cost policy's yardstick.",
      registers: [registry],
      collect() {
        const redis = coordinator.redisHealth();
        if (redis) this.set(redis.roundTripMs / 1_000);
      },
    });
    new Gauge({
      name: "indicator_coordination_lock_min_cost_seconds",
      help: "Estimated unit cost from which units take the lock.",
      registers: [registry],
      collect() {
        const redis = coordinator.redisHealth();
        if (redis) this.set(redis.lockMinCostMs / 1_000);
      },
    });
    new Gauge({
      name: "indicator_memory_cache_bytes",
      help: "Bytes held by the memory cache.",
      registers: [registry],
      collect() {
        this.set(cache?.bytes ?? 0);
      },
    });
    new Gauge({
      name: "indicator_memory_cache_entries",
      help: "Entries in the memory cache.",
      registers: [registry],
      collect() {
        this.set(cache?.size ?? 0);
      },
    });
  }

  observeRequest(labels: Labels, seconds: number): void {
    this.#httpRequests.inc(labels);
    this.#httpDuration.observe(labels, seconds);
  }
}
