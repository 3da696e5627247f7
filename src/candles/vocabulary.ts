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
