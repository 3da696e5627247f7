import type { CalculationPlan } from "../calculation/plan.js";
import { digest } from "../scheduler/keys.js";

/**
 * Raised when what a result line holds changes shape (render.ts): lines that earlier jobs
 * recorded under the old shape are then not reused.
 */
const SERIES_LINE_FORMAT = 1;

/**
 * What a series' result line holds besides its key, as a content address: each result's id and
 * unit key (indicator, implementation, params and the candle columns it reads) and how values
 * are presented. Two jobs with the same series and indicators get the same digest, so the second
 * reads the first one's results from the series cache.
 */
export function seriesDigest(plan: CalculationPlan): string {
  return digest(
    JSON.stringify([
      SERIES_LINE_FORMAT,
      plan.results.map((result) => [result.id, result.unit.key]),
      plan.presentation,
    ]),
  );
}
