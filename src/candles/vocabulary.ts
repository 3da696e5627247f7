/**
 * The candle columns an indicator can read, and the shapes the service hands them around in.
 * Import-free, so the web console's CSV parser uses the same list.
 */
export const CANDLE_COLUMNS = ["open", "high", "low", "close", "volume"] as const;
export type CandleColumn = (typeof CANDLE_COLUMNS)[number];

/** The columns one computation is given: exactly those its indicator reads. */
export type IndicatorInputs = Readonly<Partial<Record<CandleColumn, Float64Array>>>;

/** A request's candle columns: validated, equal length, finite; close always present. */
export type CandleColumns = IndicatorInputs & { readonly close: Float64Array };

/** One candle as a trading-signals indicator takes it: only the columns it reads. */
export type CandleInput = Partial<Record<CandleColumn, number>>;

/**
 * What a single-input indicator may be computed over (its `source` param): a column, or a price
 * of each candle made from several, as TA-Lib's MEDPRICE, TYPPRICE and AVGPRICE make them.
 */
export const SOURCES = ["close", "open", "high", "low", "volume", "hl2", "hlc3", "ohlc4"] as const;
export type Source = (typeof SOURCES)[number];

/** The columns each source is made from. */
export const SOURCE_COLUMNS: Readonly<Record<Source, readonly CandleColumn[]>> = {
  close: ["close"],
  open: ["open"],
  high: ["high"],
  low: ["low"],
  volume: ["volume"],
  hl2: ["high", "low"],
  hlc3: ["high", "low", "close"],
  ohlc4: ["open", "high", "low", "close"],
};

/** The series of `source` from its columns: the column itself, or a new array of the price. */
export function sourceSeries(source: Source, columns: IndicatorInputs): Float64Array {
  if (source !== "hl2" && source !== "hlc3" && source !== "ohlc4") return columns[source] as Float64Array;
  const out = new Float64Array((columns.high as Float64Array).length);
  pricesInto(source, columns, out);
  return out;
}

/**
 * hl2, hlc3 or ohlc4 of each candle into `out`, in the operations of TA-Lib's MEDPRICE, TYPPRICE
 * and AVGPRICE (whose kernels are this).
 */
export function pricesInto(
  source: "hl2" | "hlc3" | "ohlc4",
  columns: IndicatorInputs,
  out: Float64Array,
): void {
  const { open, high, low, close } = columns as Required<IndicatorInputs>;
  const n = out.length;
  if (source === "hl2") for (let i = 0; i < n; i++) out[i] = ((high[i] as number) + (low[i] as number)) / 2;
  else if (source === "hlc3")
    for (let i = 0; i < n; i++)
      out[i] = ((high[i] as number) + (low[i] as number) + (close[i] as number)) / 3;
  else
    for (let i = 0; i < n; i++)
      out[i] = ((high[i] as number) + (low[i] as number) + (close[i] as number) + (open[i] as number)) / 4;
}
