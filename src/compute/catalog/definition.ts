import type { z } from "zod";

export const CANDLE_COLUMNS = ["open", "high", "low", "close", "volume"] as const;
export type CandleColumn = (typeof CANDLE_COLUMNS)[number];

/** A request's candle columns: validated, equal length, finite; close always present. */
export type CandleColumns = IndicatorInputs & { readonly close: Float64Array };

/** The columns one computation is given: exactly those its indicator reads. */
export type IndicatorInputs = Readonly<Partial<Record<CandleColumn, Float64Array>>>;

export type CandleInput = Partial<Record<CandleColumn, number>>;

/** The part of a trading-signals indicator the runner relies on. */
export interface StreamingIndicator {
  update(input: never, replace: boolean): unknown;
  readonly isStable: boolean;
}

export interface OutputSpec {
  /** Name in the response (`values.<name>`); `value` for single-series indicators. */
  readonly name: string;
  /** Property of the library's result object; absent when the result is a plain number. */
  readonly key?: string;
}

export type IndicatorCategory = "trend" | "momentum" | "volatility" | "volume";

export interface IndicatorDefinition<Params extends object = Record<string, unknown>> {
  /** Canonical name: the TA-Lib function name where TA-Lib has it, else the trading-signals class name. */
  readonly name: string;
  /** Other accepted names (matched case-insensitively); includes the trading-signals class name. */
  readonly aliases: readonly string[];
  readonly category: IndicatorCategory;
  readonly description: string;
  /**
   * Columns the computation reads. It is fed only these (a candle object holds only these
   * properties), so a wrong declaration shows up as NaN in the contract tests instead of a
   * cache key that misses a column.
   */
  readonly reads: readonly CandleColumn[];
  /** `price` feeds `close` as a number; `candle` feeds an object of the `reads` columns. */
  readonly input: "value" | "candle";
  /** Strict zod object: integers and bounds checked, defaults filled in. */
  readonly params: z.ZodType<Params>;
  readonly outputs: readonly OutputSpec[];
  /** How the first value is determined, for the catalog. */
  readonly warmup: string;
  /** One line on where trading-signals' convention differs from TA-Lib, if it does. */
  readonly talibDifference?: string;
  /** Bump when the numbers this definition produces change: it is part of the cache key. */
  readonly version: number;
  /** The trading-signals implementation; absent for indicators only a TA-Lib kernel computes. */
  create?(params: Params): StreamingIndicator;
}

/**
 * Checks a definition's `create` against its own params schema, then erases the params type so
 * definitions can share one registry (the schema guarantees the shape at run time).
 */
export function defineIndicator<Params extends object>(
  definition: IndicatorDefinition<Params>,
): IndicatorDefinition {
  return definition as unknown as IndicatorDefinition;
}

export const SINGLE_OUTPUT: readonly OutputSpec[] = [{ name: "value" }];

/** Outputs named as the library's result properties, e.g. `sameNamedOutputs("upper", "middle", "lower")`. */
export function sameNamedOutputs(...names: string[]): readonly OutputSpec[] {
  return names.map((name) => ({ name, key: name }));
}
