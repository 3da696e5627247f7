import type { ResultSource } from "./types.js";

export interface IndicatorCounters {
  computations: number;
  memoryHits: number;
  joins: number;
  /** Units sent to the worker pool rather than computed inline. */
  pooled: number;
}

/** Counters the metrics endpoint exports; kept as plain numbers so the scheduler has no metrics dependency. */
export class SchedulerStats {
  readonly #byIndicator = new Map<string, IndicatorCounters>();

  #counters(indicator: string): IndicatorCounters {
    let counters = this.#byIndicator.get(indicator);
    if (!counters) {
      counters = { computations: 0, memoryHits: 0, joins: 0, pooled: 0 };
      this.#byIndicator.set(indicator, counters);
    }
    return counters;
  }

  record(indicator: string, source: ResultSource): void {
    const counters = this.#counters(indicator);
    if (source === "computed") counters.computations++;
    else if (source === "memory") counters.memoryHits++;
    else counters.joins++;
  }

  recordPooled(indicator: string): void {
    this.#counters(indicator).pooled++;
  }

  byIndicator(): ReadonlyMap<string, Readonly<IndicatorCounters>> {
    return this.#byIndicator;
  }

  totals(): IndicatorCounters {
    const totals: IndicatorCounters = { computations: 0, memoryHits: 0, joins: 0, pooled: 0 };
    for (const counters of this.#byIndicator.values()) {
      totals.computations += counters.computations;
      totals.memoryHits += counters.memoryHits;
      totals.joins += counters.joins;
      totals.pooled += counters.pooled;
    }
    return totals;
  }
}
