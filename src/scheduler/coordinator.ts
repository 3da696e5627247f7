import type { ResultSource, UnitResult, WorkUnit } from "./types.js";

export const COORDINATION_MODES = ["standalone", "distributed", "degraded"] as const;
export type CoordinationMode = (typeof COORDINATION_MODES)[number];

/** The Redis circuit breaker's states, as health reports them. */
export const BREAKER_STATES = ["closed", "open", "half-open"] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

export interface Resolution {
  readonly result: UnitResult;
  readonly source: Exclude<ResultSource, "memory" | "joined">;
}

export interface RedisHealth {
  readonly connected: boolean;
  /** ISO time of the last change of connected state. */
  readonly since: string;
  readonly breaker: BreakerState;
  /** Measured average Redis round trip (the cost policy's yardstick). */
  readonly roundTripMs: number;
  /** Units estimated at least this costly take the lock. */
  readonly lockMinCostMs: number;
}

/**
 * How the scheduler makes a unit's result, handed to the coordinator, which decides what it needs:
 * a computation, or a shared-cache entry read into a result (on the thread the computation would
 * have used: a large entry's JSON encoding is work the event loop must not do).
 */
export interface UnitWork {
  compute(): Promise<UnitResult>;
  /** Null when the entry is not a well-formed entry of this unit (see compute/result-entry.ts). */
  decode(entry: Buffer): Promise<UnitResult | null>;
}

/**
 * What the scheduler asks of the fleet tier once a unit missed the memory cache and the
 * in-flight map: produce its result, computing it via `compute` only when no other replica
 * has it or is about to. The standalone implementation just computes.
 */
export interface Coordinator {
  readonly mode: CoordinationMode;
  resolve(unit: WorkUnit, work: UnitWork): Promise<Resolution>;
  redisHealth(): RedisHealth | null;
  /** Gives up locks held by computations still running (forced shutdown); they may still finish. */
  abandon(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What the rest of the service may know of the fleet tier: its mode and Redis' state, for
 * health, responses and metrics. Handed out by the composition root, so HTTP does not reach
 * through the scheduler for it.
 */
export type FleetStatus = Pick<Coordinator, "mode" | "redisHealth">;

export class StandaloneCoordinator implements Coordinator {
  readonly mode = "standalone" as const;

  async resolve(_unit: WorkUnit, work: UnitWork): Promise<Resolution> {
    return { result: await work.compute(), source: "computed" };
  }

  redisHealth(): null {
    return null;
  }

  async abandon(): Promise<void> {}

  async close(): Promise<void> {}
}
