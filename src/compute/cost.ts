import fitted from "./catalog/costs.generated.json" with { type: "json" };
import type { Implementation, IndicatorDefinition } from "./catalog/definition.js";

/**
 * The cost model. A unit's time (compute + JSON of its values, as `computeTask` does it) is two
 * estimates added. The JSON is `jsonNsPerSlot` for each of the outputs x n slots (a null
 * costs that) and `jsonNsPerValue` more for each of the outputs x (n-w)+ numbers: a number's
 * text costs the same whichever indicator made it, but not whatever the number (an oscillator
 * stuck at 0 writes one digit, a price seventeen), so it is priced once over every indicator, at
 * the upper quartile, rather than folded into each indicator's fit, where a test series that
 * pins an oscillator at 0 made STOCHRSI's JSON look four times cheaper than it is. The computation is a non-negative combination of a few step
 * counts, each a function of the candles `n` and the window `w`, the largest window-like param
 * (period, lookback, length):
 *
 *   n                  per candle: feeding the candle, allocating an output slot
 *   sum min(n,w_i)     per candle still warming up, per window param w_i (trading-signals classes
 *                      throw and catch a NotEnoughDataError for each one: microseconds apiece)
 *   (n-w)+             per candle with a full window: work done only once stable
 *   (n-w)+ * w         rescanning a full window every candle (CCI's mean deviation, SMA's sum)
 *   (n-w)+ * w log2 w  sorting the window every candle (IQR's quartiles)
 *   (n-w)+ * w^2       comparing every pair in the window every candle (RCI's ranks)
 *   min(n,w)^2 / 2     rescanning a window that is still growing (streaming classes that scan
 *                      during warm-up; the batch kernels start at their lookback and never do)
 *
 * `scripts/measure-costs.ts` fits the coefficients per indicator and implementation (nanoseconds
 * per step, non-negative least squares on relative error) over measured (n, params) points, the
 * computation timed without its JSON.
 * Every term grows linearly in n once n > w, so extrapolating to longer series than measured
 * keeps the fit's accuracy; w never leaves the measured range (the schema caps it). The fit
 * points raise all window params together (see windowedParams there), so an estimate for a
 * request that raises only one of them errs on the high side, towards the pool.
 */
export type CostCoefficients = readonly [
  perCandle: number,
  perWarmupCandle: number,
  perValue: number,
  windowScan: number,
  windowSort: number,
  windowPairs: number,
  warmupScan: number,
];

export const COST_TERM_NAMES = [
  "n",
  "sum min(n,w_i)",
  "(n-w)+",
  "(n-w)+*w",
  "(n-w)+*w*log2(w)",
  "(n-w)+*w^2",
  "min(n,w)^2/2",
] as const;

/** The fitted coefficients by indicator and implementation (absent: never measured). */
export const MEASURED_COSTS = fitted.coefficients as unknown as Readonly<
  Record<string, Partial<Record<Implementation, CostCoefficients>>>
>;
/** For an indicator missing from the fitted table: pessimistic, so it errs towards the pool. */
const UNMEASURED: CostCoefficients = [2_000, 10_000, 0, 20, 0, 0, 20];
const WINDOW_PARAM = /period|lookback|length/i;

function windowsOf(params: object): number[] {
  return Object.entries(params)
    .filter(([name, value]) => WINDOW_PARAM.test(name) && typeof value === "number")
    .map(([, value]) => value as number);
}

/** The largest window-like param; 0 when the indicator has none (its cost is then a*n, plus values). */
export function largestWindow(params: object): number {
  return Math.max(0, ...windowsOf(params));
}

/**
 * The step counts the coefficients multiply, in COST_TERM_NAMES order. The warm-up count sums
 * over every window param: a chain of stages (WaveTrend's three EMAs) warms each stage up, and
 * each throws for its own warm-up candles.
 */
export function costTerms(candles: number, params: object): number[] {
  const windows = windowsOf(params);
  const window = Math.max(0, ...windows);
  const full = Math.max(0, candles - window);
  const logWindow = window > 1 ? Math.log2(window) : 0;
  const growing = Math.min(candles, window);
  const warmingUp = windows.reduce((sum, each) => sum + Math.min(candles, Math.max(0, each)), 0);
  return [
    candles,
    warmingUp,
    full,
    full * window,
    full * window * logWindow,
    full * window * window,
    (growing * growing) / 2,
  ];
}

function coefficientsFor(definition: IndicatorDefinition, implementation: Implementation): CostCoefficients {
  return MEASURED_COSTS[definition.name]?.[implementation] ?? UNMEASURED;
}

/** The values (not nulls) a unit's JSON is expected to hold. */
function jsonValues(definition: IndicatorDefinition, params: object, candles: number): number {
  return definition.outputs.length * Math.max(0, candles - largestWindow(params));
}

/** What JSON costs: nanoseconds for every output slot, and for every number on top. */
export interface JsonPrices {
  readonly perSlotNs: number;
  readonly perValueNs: number;
}

const FITTED_JSON_PRICES: JsonPrices = { perSlotNs: fitted.jsonNsPerSlot, perValueNs: fitted.jsonNsPerValue };

/** The model itself, for given coefficients and JSON prices (the fit judges its own with it). */
export function modelledCostMs(
  coefficients: CostCoefficients,
  json: JsonPrices,
  definition: IndicatorDefinition,
  params: object,
  candles: number,
): number {
  const terms = costTerms(candles, params);
  let nanoseconds =
    json.perSlotNs * definition.outputs.length * candles +
    json.perValueNs * jsonValues(definition, params, candles);
  for (let i = 0; i < terms.length; i++) nanoseconds += (coefficients[i] ?? 0) * (terms[i] as number);
  return nanoseconds / 1e6;
}

/**
 * Estimated time in milliseconds to compute and serialize one unit of `candles` candles: the
 * fitted coefficients of the indicator's implementation times the step counts of its window,
 * plus its values' JSON.
 */
export function estimateCostMs(
  definition: IndicatorDefinition,
  params: object,
  candles: number,
  implementation: Implementation = "trading-signals",
): number {
  return modelledCostMs(
    coefficientsFor(definition, implementation),
    FITTED_JSON_PRICES,
    definition,
    params,
    candles,
  );
}
