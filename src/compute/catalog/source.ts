import { z } from "zod";
import {
  type CandleColumn,
  type IndicatorInputs,
  SOURCE_COLUMNS,
  SOURCES,
  type Source,
  sourceSeries,
} from "../../candles/vocabulary.js";

/**
 * An indicator that reads the close alone can be computed over another series of the candles:
 * its `source` param (absent: the close, so requests without it keep their params and keys).
 */
const SOURCE_PARAM = z
  .enum(SOURCES)
  .optional()
  .describe("The series to compute over (default close): a column, or hl2, hlc3, ohlc4 of each candle.");

/** Single input: the definition reads the close alone (fed to trading-signals as a number). */
export function readsCloseAlone(reads: readonly CandleColumn[]): boolean {
  return reads.length === 1 && reads[0] === "close";
}

/** The params of a single-input indicator with `source` added; others' as they are. */
export function withSource<Params>(
  reads: readonly CandleColumn[],
  params: z.ZodType<Params>,
): z.ZodType<Params> {
  if (!readsCloseAlone(reads)) return params;
  const object = params as unknown as { safeExtend?: (shape: z.ZodRawShape) => z.ZodType<Params> };
  if (!object.safeExtend) throw new Error("a single-input indicator's params must be an object schema");
  return object.safeExtend({ source: SOURCE_PARAM });
}

/** `source: "close"` says what its absence says: dropped, so both make one result, key and id. */
export function withoutDefaultSource(params: object): object {
  if ((params as { source?: Source }).source !== "close") return params;
  const { source: _close, ...rest } = params as { source?: Source };
  return rest;
}

/** The columns a computation with these params reads: its source's, or the definition's. */
export function readsFor(
  definition: { readonly reads: readonly CandleColumn[] },
  params: object,
): readonly CandleColumn[] {
  const { source } = params as { source?: Source };
  return source === undefined ? definition.reads : SOURCE_COLUMNS[source];
}

/** What a computation is given: the source's series as the close it reads, or the columns. */
export function inputsFor(params: object, columns: IndicatorInputs): IndicatorInputs {
  const { source } = params as { source?: Source };
  return source === undefined || source === "close" ? columns : { close: sourceSeries(source, columns) };
}
