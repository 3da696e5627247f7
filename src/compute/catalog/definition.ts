import type { z } from "zod";
import type { CandleColumn } from "../../candles/vocabulary.js";
import type { Kernel } from "../kernels/types.js";
import { type FirstIndex, firstIndex } from "./first-index.js";
import { NO_PARAMS } from "./params.js";
import { readsCloseAlone, withSource } from "./source.js";

/**
 * How an indicator is computed: `talib`, a batch kernel that reproduces TA-Lib's numbers (the
 * default where one exists), or `trading-signals`, the library's own conventions.
 */
export const IMPLEMENTATIONS = ["talib", "trading-signals"] as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number];

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

/**
 * The TA-Lib-exact batch kernel (src/compute/kernels/) and the TA-Lib function it reproduces: the
 * parity table the kernel suite (test/kernels/) runs against the `talib` binding.
 */
export interface TalibImplementation<Params> {
  readonly kernel: Kernel;
  /** TA-Lib's lookback: the index of the first value. */
  readonly lookback: FirstIndex;
  /** The TA-Lib function. */
  readonly function: string;
  /** Our params as TA-Lib's optIn params. */
  toTalib(params: Params): Readonly<Record<string, number>>;
  /** Our output names -> TA-Lib's; absent where the outputs come from several functions (LINEARREG). */
  readonly talibOutputs?: Readonly<Record<string, string>>;
  /**
   * TA-Lib's names of our params as its Python wrapper spells them (`timeperiod` -> `period`),
   * accepted in requests so a TA-Lib call ports by copying its keyword arguments. Read off
   * `toTalib`: a param that `toTalib` passes on unchanged to one optIn param is named after it.
   */
  readonly paramAliases: Readonly<Record<string, string>>;
  /** Bump when the kernel's numbers change: it is part of the cache key of this implementation's units. */
  readonly version: number;
}

/** trading-signals' streaming class, fed one candle at a time (src/compute/run.ts). */
export interface TradingSignalsImplementation<Params> {
  create(params: Params): StreamingIndicator;
  /** The index of the first value; with `warmupDependsOnData`, the earliest it can be. */
  readonly warmup: FirstIndex;
  /** What else a user should know about the first values (shown after the index in the catalog). */
  readonly warmupNote?: string;
  readonly warmupDependsOnData?: boolean;
  /** One line on where this convention differs from TA-Lib's (the catalog's `talibDifference`). */
  readonly difference?: string;
  /** Bump when the numbers change (a library upgrade, an adapter fix): part of the cache key. */
  readonly version: number;
}

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
  /** `value` feeds trading-signals `close` as a number; `candle` an object of the `reads` columns. */
  readonly input: "value" | "candle";
  /** Strict zod object: integers and bounds checked, defaults filled in. */
  readonly params: z.ZodType<Params>;
  readonly outputs: readonly OutputSpec[];
  readonly talib?: TalibImplementation<Params>;
  readonly tradingSignals?: TradingSignalsImplementation<Params>;
}

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/**
 * What a family module writes for one indicator; the rest is filled in: the family's category,
 * one output named `value`, no params, `input` from `reads` (close alone is a value, more columns
 * a candle), version 1 of each implementation, no aliases; for a kernel, the TA-Lib function of the
 * indicator's name, `period` as `optInTimePeriod`, and `value` as `outReal`.
 */
export type IndicatorSpec<Params extends object> = Optional<
  Omit<IndicatorDefinition<Params>, "talib" | "tradingSignals">,
  "category" | "input" | "outputs" | "params" | "aliases"
> & {
  readonly talib?: Omit<
    Optional<TalibImplementation<Params>, "version" | "function" | "toTalib" | "talibOutputs">,
    "lookback" | "paramAliases"
  > & { readonly lookback: string };
  /** `warmup` defaults to the TA-Lib lookback (the two implementations start together). */
  readonly tradingSignals?: Omit<Optional<TradingSignalsImplementation<Params>, "version">, "warmup"> & {
    readonly warmup?: string;
  };
};

/**
 * The definer of one family's indicators. It checks a definition's `create` against its own
 * params schema, then erases the params type so definitions can share one registry (the schema
 * guarantees the shape at run time).
 */
export function indicatorFamily(category: IndicatorCategory) {
  return <Params extends object>(spec: IndicatorSpec<Params>): IndicatorDefinition => {
    const { talib, tradingSignals } = spec;
    if (!talib && !tradingSignals) throw new Error(`${spec.name} has no implementation`);
    const outputs = spec.outputs ?? SINGLE_OUTPUT;
    const paramNames = paramNamesOf(spec.params);
    const warmup = tradingSignals?.warmup ?? talib?.lookback;
    if (tradingSignals && warmup === undefined) throw new Error(`${spec.name}: say where its first value is`);
    const definition: IndicatorDefinition<Params> = {
      ...spec,
      aliases: spec.aliases ?? [],
      category: spec.category ?? category,
      input: spec.input ?? (readsCloseAlone(spec.reads) ? "value" : "candle"),
      params: withSource(spec.reads, spec.params ?? (NO_PARAMS as unknown as z.ZodType<Params>)),
      outputs,
      talib: talib && talibImplementation(spec.name, talib, paramNames, outputs),
      tradingSignals: tradingSignals && {
        version: 1,
        ...tradingSignals,
        warmup: firstIndex(warmup as string, paramNames),
      },
    };
    return definition as unknown as IndicatorDefinition;
  };
}

/** TA-Lib's moving-average types (TA_MAType), as its `optInMAType` params number them. */
export const TALIB_MA_TYPE = {
  SMA: 0,
  EMA: 1,
  WMA: 2,
  DEMA: 3,
  TEMA: 4,
  TRIMA: 5,
  KAMA: 6,
  MAMA: 7,
  T3: 8,
} as const;

/** A definition's `talib`, its defaults filled in: see IndicatorSpec. */
function talibImplementation<Params>(
  name: string,
  talib: NonNullable<IndicatorSpec<Params & object>["talib"]>,
  paramNames: readonly string[],
  outputs: readonly OutputSpec[],
): TalibImplementation<Params & object> {
  const toTalib = talib.toTalib ?? periodOnly(name, paramNames);
  return {
    version: 1,
    function: name,
    talibOutputs: outputs === SINGLE_OUTPUT ? { value: "outReal" } : undefined,
    ...talib,
    toTalib,
    lookback: firstIndex(talib.lookback, paramNames),
    paramAliases: talibParamNames(paramNames, toTalib),
  };
}

/**
 * TA-Lib's Python names of the params `toTalib` passes on unchanged, one optIn param each:
 * `optInFastK_Period` is `fastk_period`. A param that feeds two optIn params (BBANDS's stdDev as
 * both nbdevup and nbdevdn) gets no alias: either name alone would say half of it.
 */
function talibParamNames<Params>(
  paramNames: readonly string[],
  toTalib: (params: Params) => Readonly<Record<string, number>>,
): Record<string, string> {
  // Values no default or bound has, one per param, to see which optIn param each lands in.
  const probeOf = (i: number) => 1_000_003.25 + 1_000 * i;
  const probe = Object.fromEntries(paramNames.map((name, i) => [name, probeOf(i)]));
  const landed = new Map<string, string[]>();
  for (const [optIn, value] of Object.entries(toTalib(probe as Params))) {
    const name = paramNames.find((_, i) => probeOf(i) === value);
    if (name !== undefined) landed.set(name, [...(landed.get(name) ?? []), optIn]);
  }
  const aliases: Record<string, string> = {};
  for (const [name, optIns] of landed) {
    const alias = optIns[0]?.replace(/^optIn/, "").toLowerCase();
    if (optIns.length === 1 && alias !== undefined && alias !== name) aliases[alias] = name;
  }
  return aliases;
}

/** The names a params schema accepts (through a `.transform`, the object it starts from). */
function paramNamesOf(params: z.ZodType | undefined): string[] {
  const schema = params as { shape?: object; in?: { shape?: object } } | undefined;
  return Object.keys(schema?.shape ?? schema?.in?.shape ?? {});
}

/** TA-Lib's optIn params where an indicator's only param is `period` (or it has none). */
function periodOnly<Params>(
  name: string,
  names: readonly string[],
): (params: Params) => Record<string, number> {
  if (names.some((param) => param !== "period"))
    throw new Error(`${name}: say how its params ${names.join(", ")} map onto TA-Lib's (talib.toTalib)`);
  return (values): Record<string, number> =>
    names.length ? { optInTimePeriod: (values as { period: number }).period } : {};
}

/** The implementations an indicator has, the default first. */
export function implementationsOf(definition: IndicatorDefinition): Implementation[] {
  const available: Implementation[] = [];
  if (definition.talib) available.push("talib");
  if (definition.tradingSignals) available.push("trading-signals");
  return available;
}

function implementation(definition: IndicatorDefinition, name: Implementation) {
  const chosen = name === "talib" ? definition.talib : definition.tradingSignals;
  if (!chosen) throw new Error(`${definition.name} has no ${name} implementation`);
  return chosen;
}

/** The version of one implementation of an indicator, for its units' cache keys. */
export function implementationVersion(definition: IndicatorDefinition, name: Implementation): number {
  return implementation(definition, name).version;
}

/** Where one implementation's first value is, and whether the data can put it later. */
export function warmupOf(
  definition: IndicatorDefinition,
  name: Implementation,
): { readonly first: FirstIndex; readonly exact: boolean; readonly note?: string } {
  const chosen = implementation(definition, name);
  if ("lookback" in chosen) return { first: chosen.lookback, exact: true };
  return { first: chosen.warmup, exact: !chosen.warmupDependsOnData, note: chosen.warmupNote };
}

/** The catalog's sentence on where the first value is, for one implementation (default: the default one). */
export function describeWarmup(
  definition: IndicatorDefinition,
  name: Implementation = implementationsOf(definition)[0] as Implementation,
): string {
  const { first, exact, note } = warmupOf(definition, name);
  const source = name === "talib" ? " (TA-Lib's lookback)" : "";
  return `First value ${exact ? "at" : "no earlier than"} index ${first.expression}${source}${note ? `; ${note}` : ""}.`;
}

export const SINGLE_OUTPUT: readonly OutputSpec[] = [{ name: "value" }];

/** Outputs named as the library's result properties, e.g. `sameNamedOutputs("upper", "middle", "lower")`. */
export function sameNamedOutputs(...names: string[]): readonly OutputSpec[] {
  return names.map((name) => ({ name, key: name }));
}
