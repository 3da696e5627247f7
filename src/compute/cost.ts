import { MEASURED_NS_PER_CANDLE } from "./catalog/costs.generated.js";
import type { IndicatorDefinition } from "./catalog/definition.js";

/** For an indicator missing from the measured table: pessimistic, so it errs towards the pool. */
const UNMEASURED_NS_PER_CANDLE = 2_000;
const WINDOW_PARAM = /period|lookback|length/i;

function largestWindow(params: object): number {
  let largest = 0;
  for (const [name, value] of Object.entries(params)) {
    if (WINDOW_PARAM.test(name) && typeof value === "number") largest = Math.max(largest, value);
  }
  return largest;
}

/**
 * Estimated compute time of one unit in milliseconds: candles x the measured cost at default
 * params, scaled up by how much longer the requested window is than the default. Many
 * trading-signals classes rescan their window every candle, so cost can grow with the period;
 * for those that do not, the overestimate only sends the unit to the pool a little early.
 */
export function estimateCostMs(definition: IndicatorDefinition, params: object, candles: number): number {
  const nsPerCandle = MEASURED_NS_PER_CANDLE[definition.name] ?? UNMEASURED_NS_PER_CANDLE;
  const defaultWindow = largestWindow(definition.params.parse({}) as object);
  const scale = defaultWindow > 0 ? Math.max(1, largestWindow(params) / defaultWindow) : 1;
  return (candles * nsPerCandle * scale) / 1e6;
}
