import { type ComputeExecutor, PoolQueueFullError } from "../compute/executor.js";
import type { Coordinator, Resolution, UnitWork } from "./coordinator.js";
import { StandaloneCoordinator } from "./coordinator.js";
import { InFlight } from "./in-flight.js";
import type { MemoryCache } from "./memory-cache.js";
import { SchedulerStats, type StatEvent } from "./stats.js";
import type { ResultSource, ScheduledResult, UnitResult, WorkUnit } from "./types.js";

export type SchedulerMode = "sync" | "parallel";

export interface SmartSchedulerOptions {
  readonly mode: SchedulerMode;
  /** Null when the memory cache is switched off. */
  readonly cache: MemoryCache | null;
  readonly inline: ComputeExecutor;
  /** Used in parallel mode for units whose estimated cost reaches `poolMinCostMs`. */
  readonly pool: ComputeExecutor;
  readonly poolMinCostMs: number;
  /** The fleet tier; standalone when absent. */
  readonly coordinator?: Coordinator;
  readonly stats?: SchedulerStats;
}

const SOURCE_EVENT: Record<ResultSource, StatEvent> = {
  computed: "computed",
  memory: "memoryHits",
  joined: "joins",
  shared: "sharedHits",
  awaited: "awaited",
};

/**
 * Decides, per unit of work, where its result comes from: memory cache, a concurrent identical
 * unit on this replica (in-flight map), then the coordinator (shared cache, lock, another
 * replica's result, or a computation inline or in the worker pool).
 * Independent of HTTP so each tier can be tested on its own.
 */
export class SmartScheduler {
  readonly stats: SchedulerStats;
  readonly #coordinator: Coordinator;
  readonly #options: SmartSchedulerOptions;
  readonly #inFlight = new InFlight<Resolution>();

  constructor(options: SmartSchedulerOptions) {
    this.#options = options;
    this.stats = options.stats ?? new SchedulerStats();
    this.#coordinator = options.coordinator ?? new StandaloneCoordinator();
  }

  get mode(): SchedulerMode {
    return this.#options.mode;
  }

  /**
   * Runs a request's units; in parallel mode they overlap (pool work, Redis round trips, waits).
   * Inline units of one request run back to back on the event loop, so the threshold is a
   * budget for the request: once the inline units add up to it, the rest go to the pool too.
   */
  async runAll(units: readonly WorkUnit[]): Promise<ScheduledResult[]> {
    if (this.#options.mode === "parallel") {
      let inlineMs = 0;
      return Promise.all(
        units.map((unit) => {
          if (unit.costMs < this.#options.poolMinCostMs) inlineMs += unit.costMs;
          return this.run(
            unit,
            unit.costMs >= this.#options.poolMinCostMs || inlineMs > this.#options.poolMinCostMs,
          );
        }),
      );
    }
    const results: ScheduledResult[] = [];
    for (const unit of units) results.push(await this.run(unit, false));
    return results;
  }

  /**
   * The estimated compute time of running these units now: the distinct ones not in the memory
   * cache. A unit another request is computing counts again; admission errs on the safe side.
   */
  pendingCostMs(units: readonly WorkUnit[]): number {
    const pending = new Map<string, number>();
    for (const unit of units) {
      if (!pending.has(unit.key) && !this.#options.cache?.has(unit.key)) pending.set(unit.key, unit.costMs);
    }
    let total = 0;
    for (const costMs of pending.values()) total += costMs;
    return total;
  }

  /** `pooled`: compute in the worker pool if it comes to computing (default: by its own cost). */
  async run(
    unit: WorkUnit,
    pooled = this.#options.mode === "parallel" && unit.costMs >= this.#options.poolMinCostMs,
  ): Promise<ScheduledResult> {
    const startedAt = performance.now();
    const cached = this.#options.cache?.get(unit.key);
    if (cached) return this.#settled(unit, cached, "memory", startedAt);

    const pending = this.#inFlight.get(unit.key);
    if (pending) return this.#settled(unit, (await pending).result, "joined", startedAt);

    const resolution = await this.#inFlight.start(unit.key, async () => {
      const resolved = await this.#coordinator.resolve(unit, this.#work(unit, pooled));
      this.#options.cache?.set(unit.key, resolved.result);
      return resolved;
    });
    return this.#settled(unit, resolution.result, resolution.source, startedAt);
  }

  async close(): Promise<void> {
    await Promise.all([this.#coordinator.close(), this.#options.inline.close(), this.#options.pool.close()]);
  }

  /** On the pool's threads when pooled; an entry is decoded on the event loop when the pool's queue is full, as it is small next to the computation it saves. */
  #work(unit: WorkUnit, pooled: boolean): UnitWork {
    const { inline, pool } = this.#options;
    return {
      compute: () => {
        if (!pooled) return inline.compute(unit);
        this.stats.increment(unit.indicator, "pooled");
        return pool.compute(unit);
      },
      decode: async (entry) => {
        if (!pooled) return inline.decode(unit, entry);
        try {
          return await pool.decode(unit, entry);
        } catch (error) {
          if (error instanceof PoolQueueFullError) return inline.decode(unit, entry);
          throw error;
        }
      },
    };
  }

  #settled(unit: WorkUnit, result: UnitResult, source: ResultSource, startedAt: number): ScheduledResult {
    this.stats.increment(unit.indicator, SOURCE_EVENT[source]);
    return { result, source, elapsedMs: performance.now() - startedAt };
  }
}
