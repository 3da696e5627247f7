import { z } from "zod";

/**
 * Periods are bounded so one request cannot make a single indicator hold an unbounded window
 * (several trading-signals classes spread the window into Math.max/min arguments).
 */
export const MAX_PERIOD = 10_000;

export function period(defaultValue: number, min = 1, max = MAX_PERIOD) {
  return z.number().int().min(min).max(max).default(defaultValue);
}

/** A positive real factor such as a standard-deviation multiplier. */
export function factor(defaultValue: number, max = 1_000) {
  return z.number().gt(0).max(max).default(defaultValue);
}

/** A real number in [min, max] (smoothing constants, percentages, thresholds). */
export function bounded(defaultValue: number, min: number, max: number) {
  return z.number().min(min).max(max).default(defaultValue);
}

/** Strict so a misspelled parameter is a 400, not a silently applied default. */
export function paramsObject<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape);
}

export const NO_PARAMS = paramsObject({});

/** A fast and a slow period, the fast one shorter (the refinement names `fastPeriod`). */
export const fastSlowPeriods = (fast: number, slow: number) =>
  paramsObject({ fastPeriod: period(fast), slowPeriod: period(slow) }).refine(
    (p) => p.fastPeriod < p.slowPeriod,
    { message: "fastPeriod must be smaller than slowPeriod", path: ["fastPeriod"] },
  );
