/**
 * The eight benchmarked indicators and, for each, every implementation as a row: the service's
 * compute path for its default implementation, the TA-Lib kernel (computeTask: kernel and values
 * JSON; runKernel: the kernel into fresh arrays; the kernel alone into reused arrays, as the floor
 * runs), its trading-signals path (runIndicator), trading-signals called directly, the peers, and
 * the floor. Everything a run needs (definitions, parsed params, inputs in each library's
 * shape, preallocated floor outputs) is prepared here, before any timing.
 */
import { ADX, ATR, BollingerBands, EMA, MACD, RSI, SMA, StochasticOscillator } from "trading-signals";
import type { IndicatorInputs } from "../../src/candles/vocabulary.js";
import type { IndicatorDefinition } from "../../src/compute/catalog/definition.js";
import { findIndicator, kernelFor } from "../../src/compute/catalog/index.js";
import { NO_SHARING } from "../../src/compute/kernels/shared-series.js";
import { runIndicator, runKernel } from "../../src/compute/run.js";
import { type ComputedResult, type ComputeTask, computeTask } from "../../src/compute/task.js";
import type { BenchSeries, HlcCandle } from "./data.js";
import {
  adxFloor,
  atrFloor,
  bbandsFloor,
  emaFloor,
  type Floor,
  macdFloor,
  rsiFloor,
  smaFloor,
  stochFloor,
} from "./floors.js";
import type { Loaded, Peers } from "./peers.js";

export const IMPLEMENTATIONS = [
  "service computeTask",
  "service runKernel",
  "service talib kernel",
  "service runIndicator",
  "trading-signals direct",
  "technicalindicators",
  "@ixjb94/indicators",
  "talib (TA-Lib C)",
  "floor (Float64Array loop)",
] as const;
export type ImplName = (typeof IMPLEMENTATIONS)[number];

/** A series aligned at its end: shorter than the input when the library drops the warm-up. */
export type Series = ArrayLike<number | null | undefined>;

export interface Impl {
  readonly name: ImplName;
  /** Set when the row cannot run; `run` is then never called. */
  readonly unavailable?: string;
  readonly note?: string;
  run(): unknown;
  /** The primary output of a `run()` result (e.g. MACD's macd line, BBANDS' upper band). */
  primary(result: unknown): Series;
}

export interface Case {
  readonly label: string;
  /** Catalog name, as the scheduler puts it in a ComputeTask. */
  readonly indicator: string;
  readonly definition: IndicatorDefinition;
  readonly params: object;
  /** The service output the tail comparison uses. */
  readonly primaryOutput: string;
  readonly floor: Floor;
  readonly impls: readonly Impl[];
}

type PeerRun = { run(): unknown; primary(result: unknown): Series; note?: string } | { unavailable: string };

interface Spec {
  label: string;
  indicator: string;
  params: Record<string, unknown>;
  primaryOutput: string;
  floor(length: number): Floor;
  tradingSignals(s: BenchSeries): { run(): unknown; primary(result: unknown): Series; note?: string };
  technicalindicators(s: BenchSeries, lib: NonNullable<PeerLib<"technicalindicators">>): PeerRun;
  ixjb(s: BenchSeries, lib: NonNullable<PeerLib<"ixjb">>): PeerRun;
  talib(s: BenchSeries, lib: NonNullable<PeerLib<"talib">>): PeerRun;
}

type PeerLib<K extends keyof Peers> = Peers[K] extends Loaded<infer T> ? T : never;

const numbers = (result: unknown): Series => result as number[];
const pick =
  <K extends string>(key: K) =>
  (result: unknown): Series =>
    (result as Array<Partial<Record<K, number>> | null>).map((item) => item?.[key]);
const nth =
  (index: number) =>
  (result: unknown): Series =>
    (result as number[][])[index] as number[];
const talibOutput =
  (key: string) =>
  (result: unknown): Series =>
    (result as { result: Record<string, number[]> }).result[key] as number[];

function talibRange(s: BenchSeries): { startIdx: number; endIdx: number } {
  return { startIdx: 0, endIdx: s.length - 1 };
}

// trading-signals direct: one explicit loop per class, fed plain numbers or candle objects, as a
// user of the library writes it (update(input, false) per candle, results kept in an array).

function tsSma(s: BenchSeries, period: number) {
  return {
    run() {
      const indicator = new SMA(period);
      const { close } = s;
      const out = new Array<number | null>(close.length);
      for (let i = 0; i < close.length; i++) out[i] = indicator.update(close[i] as number, false);
      return out;
    },
    primary: numbers,
  };
}

function tsEma(s: BenchSeries, period: number) {
  return {
    run() {
      const indicator = new EMA(period);
      const { close } = s;
      const out = new Array<number | null>(close.length);
      for (let i = 0; i < close.length; i++) out[i] = indicator.update(close[i] as number, false);
      return out;
    },
    primary: numbers,
    note: "raw update(): values before isStable too",
  };
}

function tsRsi(s: BenchSeries, period: number) {
  return {
    run() {
      const indicator = new RSI(period);
      const { close } = s;
      const out = new Array<number | null>(close.length);
      for (let i = 0; i < close.length; i++) out[i] = indicator.update(close[i] as number, false);
      return out;
    },
    primary: numbers,
  };
}

function tsMacd(s: BenchSeries, fast: number, slow: number, signal: number) {
  return {
    run() {
      const indicator = new MACD(new EMA(fast), new EMA(slow), new EMA(signal));
      const { close } = s;
      const out = new Array<ReturnType<MACD["update"]>>(close.length);
      for (let i = 0; i < close.length; i++) out[i] = indicator.update(close[i] as number, false);
      return out;
    },
    primary: pick("macd"),
  };
}

function tsBbands(s: BenchSeries, period: number, multiplier: number) {
  return {
    run() {
      const indicator = new BollingerBands(period, multiplier);
      const { close } = s;
      const out = new Array<ReturnType<BollingerBands["update"]>>(close.length);
      for (let i = 0; i < close.length; i++) out[i] = indicator.update(close[i] as number, false);
      return out;
    },
    primary: pick("upper"),
  };
}

function tsAtr(s: BenchSeries, period: number) {
  return {
    run() {
      const indicator = new ATR(period);
      const { candles } = s;
      const out = new Array<number | null>(candles.length);
      for (let i = 0; i < candles.length; i++) out[i] = indicator.update(candles[i] as HlcCandle, false);
      return out;
    },
    primary: numbers,
  };
}

function tsStoch(s: BenchSeries, kPeriod: number, kSlowingPeriod: number, dPeriod: number) {
  return {
    run() {
      const indicator = new StochasticOscillator({ kPeriod, kSlowingPeriod, dPeriod });
      const { candles } = s;
      const out = new Array<ReturnType<StochasticOscillator["update"]>>(candles.length);
      for (let i = 0; i < candles.length; i++) out[i] = indicator.update(candles[i] as HlcCandle, false);
      return out;
    },
    primary: pick("stochK"),
  };
}

function tsAdx(s: BenchSeries, period: number) {
  return {
    run() {
      const indicator = new ADX(period);
      const { candles } = s;
      const out = new Array<number | null>(candles.length);
      for (let i = 0; i < candles.length; i++) out[i] = indicator.update(candles[i] as HlcCandle, false);
      return out;
    },
    primary: numbers,
    note: "library ADX class (service: DX+WSMA, 0/0 -> 0)",
  };
}

const SPECS: readonly Spec[] = [
  {
    label: "SMA(20)",
    indicator: "SMA",
    params: { period: 20 },
    primaryOutput: "value",
    floor: (n) => smaFloor(n, 20),
    tradingSignals: (s) => tsSma(s, 20),
    technicalindicators: (s, ti) => ({
      run: () => ti.SMA.calculate({ period: 20, values: s.close }),
      primary: numbers,
    }),
    ixjb: (s, ix) => ({ run: () => ix.sma(s.close, 20), primary: numbers }),
    talib: (s, ta) => ({
      run: () => ta.execute({ name: "SMA", ...talibRange(s), inReal: s.close, optInTimePeriod: 20 }),
      primary: talibOutput("outReal"),
    }),
  },
  {
    label: "EMA(20)",
    indicator: "EMA",
    params: { period: 20 },
    primaryOutput: "value",
    floor: (n) => emaFloor(n, 20),
    tradingSignals: (s) => tsEma(s, 20),
    technicalindicators: (s, ti) => ({
      run: () => ti.EMA.calculate({ period: 20, values: s.close }),
      primary: numbers,
    }),
    ixjb: (s, ix) => ({ run: () => ix.ema(s.close, 20), primary: numbers }),
    talib: (s, ta) => ({
      run: () => ta.execute({ name: "EMA", ...talibRange(s), inReal: s.close, optInTimePeriod: 20 }),
      primary: talibOutput("outReal"),
    }),
  },
  {
    label: "RSI(14)",
    indicator: "RSI",
    params: { period: 14 },
    primaryOutput: "value",
    floor: (n) => rsiFloor(n, 14),
    tradingSignals: (s) => tsRsi(s, 14),
    technicalindicators: (s, ti) => ({
      run: () => ti.RSI.calculate({ period: 14, values: s.close }),
      primary: numbers,
      note: "rounds every RSI value to 2 decimals (toFixed)",
    }),
    ixjb: (s, ix) => ({ run: () => ix.rsi(s.close, 14), primary: numbers }),
    talib: (s, ta) => ({
      run: () => ta.execute({ name: "RSI", ...talibRange(s), inReal: s.close, optInTimePeriod: 14 }),
      primary: talibOutput("outReal"),
    }),
  },
  {
    label: "MACD(12,26,9)",
    indicator: "MACD",
    params: { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 },
    primaryOutput: "macd",
    floor: (n) => macdFloor(n, 12, 26, 9),
    tradingSignals: (s) => tsMacd(s, 12, 26, 9),
    technicalindicators: (s, ti) => ({
      run: () =>
        ti.MACD.calculate({
          values: s.close,
          fastPeriod: 12,
          slowPeriod: 26,
          signalPeriod: 9,
          SimpleMAOscillator: false,
          SimpleMASignal: false,
        }),
      primary: pick("MACD"),
    }),
    ixjb: (s, ix) => ({ run: () => ix.macd(s.close, 12, 26, 9), primary: nth(0) }),
    talib: (s, ta) => ({
      run: () =>
        ta.execute({
          name: "MACD",
          ...talibRange(s),
          inReal: s.close,
          optInFastPeriod: 12,
          optInSlowPeriod: 26,
          optInSignalPeriod: 9,
        }),
      primary: talibOutput("outMACD"),
    }),
  },
  {
    label: "BBANDS(20,2)",
    indicator: "BBANDS",
    params: { period: 20, stdDev: 2 },
    primaryOutput: "upper",
    floor: (n) => bbandsFloor(n, 20, 2),
    tradingSignals: (s) => tsBbands(s, 20, 2),
    technicalindicators: (s, ti) => ({
      run: () => ti.BollingerBands.calculate({ period: 20, stdDev: 2, values: s.close }),
      primary: pick("upper"),
    }),
    ixjb: (s, ix) => ({ run: () => ix.bbands(s.close, 20, 2), primary: nth(2) }),
    talib: (s, ta) => ({
      run: () =>
        ta.execute({
          name: "BBANDS",
          ...talibRange(s),
          inReal: s.close,
          optInTimePeriod: 20,
          optInNbDevUp: 2,
          optInNbDevDn: 2,
          optInMAType: 0,
        }),
      primary: talibOutput("outRealUpperBand"),
    }),
  },
  {
    label: "ATR(14)",
    indicator: "ATR",
    params: { period: 14 },
    primaryOutput: "value",
    floor: (n) => atrFloor(n, 14),
    tradingSignals: (s) => tsAtr(s, 14),
    technicalindicators: (s, ti) => ({
      run: () => ti.ATR.calculate({ high: s.high, low: s.low, close: s.close, period: 14 }),
      primary: numbers,
    }),
    ixjb: (s, ix) => ({ run: () => ix.atr(s.high, s.low, s.close, 14), primary: numbers }),
    talib: (s, ta) => ({
      run: () =>
        ta.execute({
          name: "ATR",
          ...talibRange(s),
          high: s.high,
          low: s.low,
          close: s.close,
          optInTimePeriod: 14,
        }),
      primary: talibOutput("outReal"),
    }),
  },
  {
    label: "STOCH(14,3,3)",
    indicator: "STOCH",
    params: { kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 },
    primaryOutput: "k",
    floor: (n) => stochFloor(n, 14, 3, 3),
    tradingSignals: (s) => tsStoch(s, 14, 3, 3),
    technicalindicators: (s, ti) => ({
      run: () =>
        ti.Stochastic.calculate({ high: s.high, low: s.low, close: s.close, period: 14, signalPeriod: 3 }),
      primary: pick("k"),
      note: "fast stochastic only (no %K slowing): less work, other %K",
    }),
    ixjb: (s, ix) => ({ run: () => ix.stoch(s.high, s.low, s.close, 14, 3, 3), primary: nth(0) }),
    talib: (s, ta) => ({
      run: () =>
        ta.execute({
          name: "STOCH",
          ...talibRange(s),
          high: s.high,
          low: s.low,
          close: s.close,
          optInFastK_Period: 14,
          optInSlowK_Period: 3,
          optInSlowK_MAType: 0,
          optInSlowD_Period: 3,
          optInSlowD_MAType: 0,
        }),
      primary: talibOutput("outSlowK"),
    }),
  },
  {
    label: "ADX(14)",
    indicator: "ADX",
    params: { period: 14 },
    primaryOutput: "value",
    floor: (n) => adxFloor(n, 14),
    tradingSignals: (s) => tsAdx(s, 14),
    technicalindicators: (s, ti) => ({
      run: () => ti.ADX.calculate({ high: s.high, low: s.low, close: s.close, period: 14 }),
      primary: pick("adx"),
    }),
    ixjb: (s, ix) => ({ run: () => ix.adx(s.high, s.low, 14), primary: numbers }),
    talib: (s, ta) => ({
      run: () =>
        ta.execute({
          name: "ADX",
          ...talibRange(s),
          high: s.high,
          low: s.low,
          close: s.close,
          optInTimePeriod: 14,
        }),
      primary: talibOutput("outReal"),
    }),
  },
];

export const CASE_LABELS: readonly string[] = SPECS.map((spec) => spec.label);

function peerImpl<T>(name: ImplName, loaded: Loaded<T>, build: (lib: T) => PeerRun): Impl {
  if (!loaded.ok) return { name, unavailable: loaded.reason, run: () => undefined, primary: numbers };
  const peer = build(loaded.lib);
  if ("unavailable" in peer)
    return { name, unavailable: peer.unavailable, run: () => undefined, primary: numbers };
  return { name, run: peer.run, primary: peer.primary, ...(peer.note ? { note: peer.note } : {}) };
}

/** The rows for one series length; `only` filters by indicator name (case-insensitive). */
export function buildCases(series: BenchSeries, peers: Peers, only?: readonly string[]): Case[] {
  const wanted = only?.map((name) => name.toLowerCase());
  return SPECS.filter((spec) => !wanted || wanted.includes(spec.indicator.toLowerCase())).map((spec) => {
    const definition = findIndicator(spec.indicator);
    if (!definition) throw new Error(`the catalog has no ${spec.indicator}`);
    const params = definition.params.parse(spec.params) as object;
    // Exactly what buildWorkUnits puts in a unit: the catalog name, parsed params, the read columns.
    const columns = Object.fromEntries(
      definition.reads.map((column) => [column, series.columns[column]]),
    ) as IndicatorInputs;
    const kernel = kernelFor(definition.name);
    if (!kernel) throw new Error(`${definition.name} has no TA-Lib kernel`);
    const task: ComputeTask = { indicator: definition.name, implementation: "talib", params, columns };
    const length = series.length;
    // Reused by every run, like the floor's: the kernel alone, without allocating its result.
    const kernelOutputs = Object.fromEntries(
      definition.outputs.map((output) => [output.name, new Float64Array(length)]),
    );
    const kernelNote =
      "TA-Lib's numbers (the service's default); differs from trading-signals where conventions do";
    const floor = spec.floor(series.length);
    const floorInputs = series.columns;
    const ts = spec.tradingSignals(series);
    const impls: Impl[] = [
      {
        name: "service computeTask",
        run: () => computeTask(task, NO_SHARING),
        primary: (result) => (result as ComputedResult).series.outputs[spec.primaryOutput] as Float64Array,
      },
      {
        name: "service runKernel",
        run: () => runKernel(definition, kernel, params, columns, NO_SHARING),
        primary: (result) =>
          (result as ReturnType<typeof runKernel>).outputs[spec.primaryOutput] as Float64Array,
        note: kernelNote,
      },
      {
        name: "service talib kernel",
        run: () => kernel(columns, params as Record<string, number>, kernelOutputs, NO_SHARING),
        primary: () => kernelOutputs[spec.primaryOutput] as Float64Array,
        note: kernelNote,
      },
      {
        name: "service runIndicator",
        run: () => runIndicator(definition, params, columns),
        primary: (result) =>
          (result as ReturnType<typeof runIndicator>).outputs[spec.primaryOutput] as Float64Array,
        note: "trading-signals through the service's runner (convention: trading-signals)",
      },
      {
        name: "trading-signals direct",
        run: ts.run,
        primary: ts.primary,
        ...(ts.note ? { note: ts.note } : {}),
      },
      peerImpl("technicalindicators", peers.technicalindicators, (lib) =>
        spec.technicalindicators(series, lib),
      ),
      peerImpl("@ixjb94/indicators", peers.ixjb, (lib) => spec.ixjb(series, lib)),
      peerImpl("talib (TA-Lib C)", peers.talib, (lib) => spec.talib(series, lib)),
      {
        name: "floor (Float64Array loop)",
        run: () => floor.run(floorInputs),
        primary: () => floor.outputs[spec.primaryOutput] as Float64Array,
      },
    ];
    return {
      label: spec.label,
      indicator: definition.name,
      definition,
      params,
      primaryOutput: spec.primaryOutput,
      floor,
      impls,
    };
  });
}
