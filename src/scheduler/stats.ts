/**
 * Everything the scheduler and the coordination tier count, per indicator. Plain numbers, so
 * neither layer depends on a metrics library; the metrics endpoint reads them.
 */
export const STAT_EVENTS = [
  /** Results this replica computed. */
  "computed",
  "memoryHits",
  "joins",
  /** Results read from the shared cache without waiting. */
  "sharedHits",
  /** Results another replica computed while this one waited for it. */
  "awaited",
  /** Computations of a unit another replica was (or may have been) computing: wait deadline passed. */
  "duplicates",
  /** Units sent to the worker pool rather than computed inline. */
  "pooled",
  "lockAcquired",
  /** Lock attempts that found another holder. */
  "lockContended",
  "leaseExtended",
  /** Shared-cache entries that failed to decode or belonged to another key. */
  "invalidShared",
  /** Units too cheap for any Redis round trip. */
  "skippedCheap",
  /** Units that used the shared cache but were too cheap for a lock. */
  "skippedLock",
  /** Units computed locally because Redis failed or the breaker was open. */
  "degradedComputed",
  /** Total milliseconds spent waiting for other replicas. */
  "waitMs",
] as const;

export type StatEvent = (typeof STAT_EVENTS)[number];
export type Counters = Record<StatEvent, number>;

function zeroCounters(): Counters {
  return Object.fromEntries(STAT_EVENTS.map((event) => [event, 0])) as Counters;
}

/** Receives every count as it happens (the metrics layer turns them into Prometheus series). */
export interface StatsListener {
  onCount(indicator: string, event: StatEvent, by: number): void;
  /** A unit's estimated cost and where the cost policy sent it. */
  onRouted(indicator: string, route: string, estimatedMs: number): void;
}

export class SchedulerStats {
  readonly #byIndicator = new Map<string, Counters>();
  readonly #listeners: StatsListener[] = [];

  listen(listener: StatsListener): void {
    this.#listeners.push(listener);
  }

  routed(indicator: string, route: string, estimatedMs: number): void {
    for (const listener of this.#listeners) listener.onRouted(indicator, route, estimatedMs);
  }

  increment(indicator: string, event: StatEvent, by = 1): void {
    for (const listener of this.#listeners) listener.onCount(indicator, event, by);
    let counters = this.#byIndicator.get(indicator);
    if (!counters) {
      counters = zeroCounters();
      this.#byIndicator.set(indicator, counters);
    }
    counters[event] += by;
  }

  byIndicator(): ReadonlyMap<string, Readonly<Counters>> {
    return this.#byIndicator;
  }

  totals(): Counters {
    const totals = zeroCounters();
    for (const counters of this.#byIndicator.values()) {
      for (const event of STAT_EVENTS) totals[event] += counters[event];
    }
    return totals;
  }
}
