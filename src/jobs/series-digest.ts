import type { CalculationPlan } from "../calculation/plan.js";
import { digest } from "../scheduler/keys.js";

/**
 * What a series' result line holds besides its key, as a content address: each result's id and
 * unit key (indicator, implementation, params and the candle columns it reads) and how values
 * are presented. Two jobs with the same series and indicators get the same digest, so the second
 * reads the first one's results from the series cache.
 */
export function seriesDigest(plan: CalculationPlan): string {
  return digest(
    JSON.stringify([plan.results.map((result) => [result.id, result.unit.key]), plan.presentation]),
  );
}
