import type { ComputeExecutor } from "../compute/executor.js";
import { InFlight } from "./in-flight.js";
import type { MemoryCache } from "./memory-cache.js";
import { SchedulerStats } from "./stats.js";
import type { ScheduledResult, UnitResult, WorkUnit } from "./types.js";

export type SchedulerMode = "sync" | "parallel";

export interface SmartSchedulerOptions {
  readonly mode: SchedulerMode;
  /** Null when the memory cache is switched off. */
  readonly cache: MemoryCache | null;
  readonly inline: ComputeExecutor;
  /** Used in parallel mode for units whose estimated cost reaches `poolMinCostMs`. */
  readonly pool: ComputeExecutor;
  readonly poolMinCostMs: number;
}

/**
 * Decides, per unit of work, where its result comes from: memory cache, a concurrent identical
 * computation (in-flight map), or a fresh computation inline or in the worker pool.
 * Independent of HTTP so coordination tiers can be added and tested on their own.
 */
export class SmartScheduler {
  readonly stats = new SchedulerStats();
  readonly #options: SmartSchedulerOptions;
  readonly #inFlight = new InFlight<UnitResult>();

  constructor(options: SmartSchedulerOptions) {
    this.#options = options;
  }

  get mode(): SchedulerMode {
    return this.#options.mode;
  }

  /** Runs a request's units; in parallel mode pooled units overlap each other and inline work. */
  async runAll(units: readonly WorkUnit[]): Promise<ScheduledResult[]> {
    if (this.#options.mode === "parallel") return Promise.all(units.map((unit) => this.run(unit)));
    const results: ScheduledResult[] = [];
    for (const unit of units) results.push(await this.run(unit));
    return results;
  }

  async run(unit: WorkUnit): Promise<ScheduledResult> {
    const cached = this.#options.cache?.get(unit.key);
    if (cached) return this.#settled(unit, cached, "memory");

    const pending = this.#inFlight.get(unit.key);
    if (pending) return this.#settled(unit, await pending, "joined");

    const result = await this.#inFlight.start(unit.key, async () => {
      const computed = await this.#executorFor(unit).compute(unit);
      this.#options.cache?.set(unit.key, computed);
      return computed;
    });
    return this.#settled(unit, result, "computed");
  }

  async close(): Promise<void> {
    await Promise.all([this.#options.inline.close(), this.#options.pool.close()]);
  }

  #executorFor(unit: WorkUnit): ComputeExecutor {
    if (this.#options.mode === "parallel" && unit.costMs >= this.#options.poolMinCostMs) {
      this.stats.recordPooled(unit.indicator);
      return this.#options.pool;
    }
    return this.#options.inline;
  }

  #settled(unit: WorkUnit, result: UnitResult, source: ScheduledResult["source"]): ScheduledResult {
    this.stats.record(unit.indicator, source);
    return { result, source };
  }
}
