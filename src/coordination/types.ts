import type { ResultSource, UnitResult, WorkUnit } from "../scheduler/types.js";

export type CoordinationMode = "standalone" | "distributed" | "degraded";

export interface Resolution {
  readonly result: UnitResult;
  readonly source: Exclude<ResultSource, "memory" | "joined">;
}

export interface RedisHealth {
  readonly connected: boolean;
  /** ISO time of the last change of connected state. */
  readonly since: string;
  readonly breaker: "closed" | "open" | "half-open";
  /** Measured average Redis round trip (the cost policy's yardstick). */
  readonly roundTripMs: number;
  /** Units estimated at least this costly take the lock. */
  readonly lockMinCostMs: number;
}

/**
 * What the scheduler asks of the fleet tier once a unit missed the memory cache and the
 * in-flight map: produce its result, computing it via `compute` only when no other replica
 * has it or is about to. The standalone implementation just computes.
 */
export interface Coordinator {
  readonly mode: CoordinationMode;
  resolve(unit: WorkUnit, compute: () => Promise<UnitResult>): Promise<Resolution>;
  redisHealth(): RedisHealth | null;
  /** Gives up locks held by computations still running (forced shutdown); they may still finish. */
  abandon(): Promise<void>;
  close(): Promise<void>;
}

export class StandaloneCoordinator implements Coordinator {
  readonly mode = "standalone" as const;

  async resolve(_unit: WorkUnit, compute: () => Promise<UnitResult>): Promise<Resolution> {
    return { result: await compute(), source: "computed" };
  }

  redisHealth(): null {
    return null;
  }

  async abandon(): Promise<void> {}

  async close(): Promise<void> {}
}
