/**
 * The peer libraries, loaded only if installed (they are benchmark-only devDependencies), with
 * the few signatures used here typed locally so the benchmark type-checks without them.
 * Each is called through its batch API as its README shows.
 */
import { readFileSync } from "node:fs";

export type Loaded<T> =
  | { readonly ok: true; readonly lib: T }
  | { readonly ok: false; readonly reason: string };

type Values = { values: number[]; period: number };
type Hlc = { high: number[]; low: number[]; close: number[] };

/** technicalindicators 3.x: `SMA.calculate({ period, values })` etc. */
export interface TechnicalIndicators {
  SMA: { calculate(input: Values): number[] };
  EMA: { calculate(input: Values): number[] };
  RSI: { calculate(input: Values): number[] };
  MACD: {
    calculate(input: {
      values: number[];
      fastPeriod: number;
      slowPeriod: number;
      signalPeriod: number;
      SimpleMAOscillator: boolean;
      SimpleMASignal: boolean;
    }): Array<{ MACD?: number; signal?: number; histogram?: number }>;
  };
  BollingerBands: {
    calculate(input: Values & { stdDev: number }): Array<{ upper: number; middle: number; lower: number }>;
  };
  ATR: { calculate(input: Hlc & { period: number }): number[] };
  Stochastic: {
    calculate(input: Hlc & { period: number; signalPeriod: number }): Array<{ k: number; d?: number }>;
  };
  ADX: { calculate(input: Hlc & { period: number }): Array<{ adx: number; pdi: number; mdi: number }> };
}

/** @ixjb94/indicators: the synchronous class (`new IndicatorsSync()`); arrays in, arrays out. */
export interface IxjbIndicatorsSync {
  sma(source: number[], period: number): number[];
  ema(source: number[], period: number): number[];
  rsi(source: number[], period: number): number[];
  /** [macd, signal, histogram] */
  macd(source: number[], shortPeriod: number, longPeriod: number, signalPeriod: number): number[][];
  /** [lower, middle, upper] */
  bbands(source: number[], period: number, stddev: number): number[][];
  atr(high: number[], low: number[], close: number[], period: number): number[];
  /** [k, d] */
  stoch(
    high: number[],
    low: number[],
    close: number[],
    kPeriod: number,
    kSlow: number,
    dPeriod: number,
  ): number[][];
  adx(high: number[], low: number[], period: number): number[];
}

/** talib (node-talib, TA-Lib C): `execute({ name, startIdx, endIdx, inReal | high/low/close, optIn... })`. */
export interface Talib {
  readonly version: string;
  execute(params: Record<string, unknown>): {
    begIndex: number;
    nbElement: number;
    result: Record<string, number[]>;
  };
}

export interface Peers {
  readonly technicalindicators: Loaded<TechnicalIndicators>;
  readonly ixjb: Loaded<IxjbIndicatorsSync>;
  readonly talib: Loaded<Talib>;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

async function optionalImport(name: string): Promise<Loaded<Record<string, unknown>>> {
  try {
    const module = (await import(name)) as Record<string, unknown>;
    return { ok: true, lib: module };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" && describe(error).includes(`'${name}'`)) {
      return { ok: false, reason: `${name} is not installed` };
    }
    return { ok: false, reason: `${name} failed to load: ${describe(error)}` };
  }
}

export async function loadPeers(): Promise<Peers> {
  const ti = await optionalImport("technicalindicators");
  const ix = await optionalImport("@ixjb94/indicators");
  const ta = await optionalImport("talib");

  const technicalindicators: Loaded<TechnicalIndicators> = ti.ok
    ? { ok: true, lib: ((ti.lib.SMA ? ti.lib : ti.lib.default) ?? ti.lib) as unknown as TechnicalIndicators }
    : ti;

  let ixjb: Loaded<IxjbIndicatorsSync>;
  if (!ix.ok) ixjb = ix;
  else {
    const IndicatorsSync = (ix.lib.IndicatorsSync ??
      (ix.lib.default as Record<string, unknown> | undefined)?.IndicatorsSync) as
      | (new () => IxjbIndicatorsSync)
      | undefined;
    ixjb = IndicatorsSync
      ? { ok: true, lib: new IndicatorsSync() }
      : { ok: false, reason: "@ixjb94/indicators has no IndicatorsSync export" };
  }

  let talib: Loaded<Talib>;
  if (!ta.ok) talib = ta;
  else {
    const lib = (typeof ta.lib.execute === "function" ? ta.lib : ta.lib.default) as Talib | undefined;
    talib =
      lib && typeof lib.execute === "function"
        ? { ok: true, lib }
        : { ok: false, reason: "talib loaded but has no execute()" };
  }
  if (!talib.ok && talib.reason.includes("failed to load")) {
    talib = {
      ok: false,
      reason: `${talib.reason} (the native build of talib@2.0.3 needs python3, make and g++ at install time)`,
    };
  }
  return { technicalindicators, ixjb, talib };
}

/** Installed version of a package, read from node_modules (undefined when absent). */
export function installedVersion(name: string): string | undefined {
  try {
    const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}
