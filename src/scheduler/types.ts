import type { IndicatorInputs } from "../candles/vocabulary.js";
import type { Implementation } from "../compute/catalog/definition.js";
import type { ComputedResult } from "../compute/task.js";

/** One requested indicator over one candle series: the scheduler's unit of work. */
export interface WorkUnit {
  /** Content address, see keys.ts. */
  readonly key: string;
  readonly indicator: string;
  readonly implementation: Implementation;
  readonly params: object;
  /** Only the columns the indicator reads. */
  readonly columns: IndicatorInputs;
  /** Candles in the series: every output has one value per candle. */
  readonly length: number;
  /** The indicator's output names, in order: what a valid result (and shared entry) holds. */
  readonly outputs: readonly string[];
  /** Estimated compute time in milliseconds, by the cost model of compute/cost.ts. */
  readonly costMs: number;
}

/** A finished unit in the form responses need: numbers for tail/precision, JSON for the full series. */
export type UnitResult = ComputedResult;

/**
 * Where a unit's result came from, reported per result in the response: computed here, this
 * replica's memory cache, a concurrent identical unit on this replica, the shared cache, or
 * another replica's computation this one waited for.
 */
export const RESULT_SOURCES = ["computed", "memory", "joined", "shared", "awaited"] as const;
export type ResultSource = (typeof RESULT_SOURCES)[number];

export interface ScheduledResult {
  readonly result: UnitResult;
  readonly source: ResultSource;
  /** From the unit's turn in the scheduler to its result: computing, waiting for it, or a cache read. */
  readonly elapsedMs: number;
}
