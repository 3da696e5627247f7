import type { IndicatorInputs } from "../candles/vocabulary.js";
import type { IndicatorDefinition } from "./catalog/definition.js";
import { implementationsOf } from "./catalog/definition.js";
import { NO_SHARING } from "./kernels/shared-series.js";
import { computeSeries } from "./task.js";

const PROBE_CANDLES = 400;

/**
 * A deterministic, wavy series with every column: prices near 1,100 (a range of ~40), far from
 * the values oscillators take (0-100, or near 0), and volume near 50,000, far from both.
 */
function probeColumns(): Required<IndicatorInputs> {
  const close = new Float64Array(PROBE_CANDLES);
  const open = new Float64Array(PROBE_CANDLES);
  const high = new Float64Array(PROBE_CANDLES);
  const low = new Float64Array(PROBE_CANDLES);
  const volume = new Float64Array(PROBE_CANDLES);
  for (let i = 0; i < PROBE_CANDLES; i++) {
    const price = 1_100 + 10 * Math.sin(i / 9) + 4 * Math.sin(i / 2.3) + i / 40;
    close[i] = price;
    open[i] = price - Math.cos(i / 3);
    high[i] = Math.max(price, open[i] as number) + 1 + Math.abs(Math.sin(i));
    low[i] = Math.min(price, open[i] as number) - 1 - Math.abs(Math.cos(i));
    volume[i] = 50_000 + 20_000 * Math.sin(i / 5) + 15_000 * Math.cos(i / 1.7);
  }
  return { open, high, low, close, volume };
}

let probed: { columns: Required<IndicatorInputs>; floor: number; ceiling: number } | undefined;

/** The probe series and the band around its prices, built once for all indicators (kernels only read their inputs). */
function probe() {
  if (!probed) {
    const columns = probeColumns();
    const top = Math.max(...columns.high);
    const bottom = Math.min(...columns.low);
    const range = top - bottom;
    probed = { columns, floor: bottom - range / 2, ceiling: top + range / 2 };
  }
  return probed;
}

/**
 * The outputs of `definition` drawn on the price scale, for charts. Computed, not listed: with
 * default params over the probe series, an output is on the price scale when nearly every value
 * lies within the candles' range widened by half of it on each side. SMA, BBANDS, SAR and McGinley's ratio-based line land there; RSI (0-100), MACD and
 * ATR (near 0) and OBV (sums of volume) do not. An indicator that cannot run on the probe has none.
 */
export function priceScaleOutputs(definition: IndicatorDefinition): string[] {
  const implementation = implementationsOf(definition)[0];
  if (!implementation) return [];
  const { columns, floor, ceiling } = probe();
  try {
    const params = definition.params.parse({}) as object;
    const { outputs } = computeSeries(
      { indicator: definition.name, implementation, params, columns },
      NO_SHARING,
    );
    return Object.keys(outputs).filter((name) => withinPrices(outputs[name], floor, ceiling));
  } catch {
    return [];
  }
}

/** Nearly all values: a line seeded away from price (MAMA's fama) settles onto it. */
const WITHIN_SHARE = 0.95;

function withinPrices(values: Float64Array | undefined, floor: number, ceiling: number): boolean {
  let seen = 0;
  let within = 0;
  for (const value of values ?? []) {
    if (Number.isNaN(value)) continue;
    seen++;
    if (value >= floor && value <= ceiling) within++;
  }
  return seen > 0 && within >= WITHIN_SHARE * seen;
}
