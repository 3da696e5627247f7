import { MEASURED_NS_PER_CANDLE } from "./catalog/costs.generated.js";
import type { IndicatorDefinition } from "./catalog/definition.js";
import type { Implementation } from "./kernels/index.js";

/** For an indicator missing from the measured table: pessimistic, so it errs towards the pool. */
const UNMEASURED_NS_PER_CANDLE = 2_000;
/** A batch kernel's cost: a few tight passes over Float64Arrays (bench:compute floors: 3-30 ns). */
const KERNEL_NS_PER_CANDLE = 30;
/** JSON serialization of one output value (measured: 80-140 ns), done where the unit computes. */
const SERIALIZE_NS_PER_VALUE = 120;
const WINDOW_PARAM = /period|lookback|length/i;

function largestWindow(params: object): number {
  let largest = 0;
  for (const [name, value] of Object.entries(params)) {
    if (WINDOW_PARAM.test(name) && typeof value === "number") largest = Math.max(largest, value);
  }
  return largest;
}

const defaultWindows = new WeakMap<IndicatorDefinition, number>();

function defaultWindow(definition: IndicatorDefinition): number {
  let window = defaultWindows.get(definition);
  if (window === undefined) {
    window = largestWindow(definition.params.parse({}) as object);
    defaultWindows.set(definition, window);
  }
  return window;
}

/**
 * Estimated time in milliseconds to compute and serialize one unit: candles x the measured cost
 * at default params, scaled up by how much longer the requested window is than the default
 * (many trading-signals classes rescan their window every candle; for those that do not, the
 * overestimate only sends the unit to the pool a little early), plus serializing each output.
 */
export function estimateCostMs(
  definition: IndicatorDefinition,
  params: object,
  candles: number,
  implementation: Implementation = "trading-signals",
): number {
  const serializeNs = definition.outputs.length * SERIALIZE_NS_PER_VALUE;
  if (implementation === "talib" || !definition.create) {
    return (candles * (KERNEL_NS_PER_CANDLE + serializeNs)) / 1e6;
  }
  const nsPerCandle = MEASURED_NS_PER_CANDLE[definition.name] ?? UNMEASURED_NS_PER_CANDLE;
  const base = defaultWindow(definition);
  const scale = base > 0 ? Math.max(1, largestWindow(params) / base) : 1;
  return (candles * (nsPerCandle * scale + serializeNs)) / 1e6;
}
