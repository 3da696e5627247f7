/**
 * Timing for one series length: a first run of every row (its numbers are checked: floor
 * against the service, every row's tail against the service), a timed warm-up, then rounds in
 * which every row runs one calibrated batch, rows interleaved (the order rotates every round),
 * with the young generation emptied before each batch. Medians of ns/candle.
 */
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import type { Case, ImplName, Series } from "./cases.js";

/*
 * Before each batch the young generation is emptied, so every batch starts with an empty nursery
 * and pays for its own scavenges. Not a full GC: a forced mark-compact before a batch made the
 * service rows 3-15x slower on their next runs (V8 drops feedback and code the row then rebuilds),
 * which measures the GC, not the row. Bytecode flushing is off for the same reason: each row idles
 * while the others run, which in a real process would not make the hot path cold.
 */
v8.setFlagsFromString("--expose-gc");
v8.setFlagsFromString("--no-flush-bytecode");
const gc = vm.runInNewContext("gc") as (options: { type: "minor" | "major" }) => void;
const collectYoungGeneration = () => gc({ type: "minor" });

export interface MeasureOptions {
  readonly samples: number;
  /** Minimum duration of one timed batch; small series repeat the run to reach it. */
  readonly batchMs: number;
  readonly warmMs: number;
  /** Stop taking rounds for this length after this long (at least 3 rounds are always taken). */
  readonly budgetMs: number;
  readonly progress: (message: string) => void;
}

export interface RowResult {
  readonly indicator: string;
  readonly impl: ImplName;
  readonly unavailable?: string;
  readonly note?: string;
  /** ns per candle, one per round. */
  readonly samples: number[];
  reps: number;
  /** Index of the first value of the primary output (null: none). */
  first?: number | null;
  /** max |row - service| / max |service| over the last values of the primary output. */
  tailDelta?: number;
}

export interface FloorCheck {
  readonly indicator: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface SizeResult {
  readonly candles: number;
  readonly rounds: number;
  readonly budgetHit: boolean;
  readonly seconds: number;
  readonly rows: RowResult[];
  readonly floorChecks: FloorCheck[];
}

/** Values compared at the end of each series. */
const TAIL = 200;
/** Floor vs service, full length, relative to the series' largest magnitude. */
const FLOOR_TOLERANCE = 1e-9;

/** Holds the last result, so no run is dead code. */
let _sink: unknown;

function isValue(value: number | null | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function firstIndex(series: Series, candles: number): number | null {
  const offset = candles - series.length;
  for (let i = 0; i < series.length; i++) if (isValue(series[i])) return offset + i;
  return null;
}

/** Aligned at the end; NaN when the row lacks a value where the service has one. */
function tailDelta(row: Series, service: Series, count: number): number {
  let worst = 0;
  let scale = 0;
  for (let back = 1; back <= count; back++) {
    const reference = service[service.length - back];
    if (!isValue(reference)) continue;
    const value = row.length >= back ? row[row.length - back] : undefined;
    if (!isValue(value)) return Number.NaN;
    worst = Math.max(worst, Math.abs(value - reference));
    scale = Math.max(scale, Math.abs(reference));
  }
  return scale === 0 ? worst : worst / scale;
}

function checkFloor(testCase: Case, service: Readonly<Record<string, Float64Array>>): FloorCheck {
  const problems: string[] = [];
  let worstAll = 0;
  for (const [name, expected] of Object.entries(service)) {
    const actual = testCase.floor.outputs[name];
    if (!actual) {
      problems.push(`no ${name} output`);
      continue;
    }
    if (actual.length !== expected.length) {
      problems.push(`${name}: length ${actual.length}, service ${expected.length}`);
      continue;
    }
    let scale = 0;
    for (const value of expected) if (Number.isFinite(value)) scale = Math.max(scale, Math.abs(value));
    let worst = 0;
    for (let i = 0; i < expected.length; i++) {
      const e = expected[i] as number;
      const a = actual[i] as number;
      if (Number.isNaN(e) !== Number.isNaN(a)) {
        problems.push(`${name}[${i}]: floor ${a}, service ${e}`);
        break;
      }
      if (!Number.isNaN(e)) worst = Math.max(worst, Math.abs(a - e));
    }
    const relative = scale === 0 ? worst : worst / scale;
    worstAll = Math.max(worstAll, relative);
    if (relative > FLOOR_TOLERANCE)
      problems.push(`${name}: max relative difference ${relative.toExponential(1)}`);
  }
  return problems.length === 0
    ? {
        indicator: testCase.label,
        ok: true,
        detail: `matches the service (max rel. diff ${worstAll.toExponential(0)})`,
      }
    : { indicator: testCase.label, ok: false, detail: problems.join("; ") };
}

export function measureSize(candles: number, cases: readonly Case[], options: MeasureOptions): SizeResult {
  const sizeStart = performance.now();
  const rows: Array<{ result: RowResult; run: () => unknown }> = [];
  const floorChecks: FloorCheck[] = [];
  const tail = Math.min(TAIL, Math.max(1, Math.floor(candles / 4)));

  // First run of every row: numbers checked and kept only as far as the comparisons need.
  for (const testCase of cases) {
    let serviceSeries: Series | undefined;
    let serviceOutputs: Readonly<Record<string, Float64Array>> | undefined;
    const caseRows: Array<{ result: RowResult; run: () => unknown; primary: Series | undefined }> = [];
    for (const impl of testCase.impls) {
      const result: RowResult = {
        indicator: testCase.label,
        impl: impl.name,
        samples: [],
        reps: 1,
        ...(impl.note ? { note: impl.note } : {}),
      };
      if (impl.unavailable) {
        caseRows.push({
          result: { ...result, unavailable: impl.unavailable },
          run: impl.run,
          primary: undefined,
        });
        continue;
      }
      let primary: Series | undefined;
      try {
        const output = impl.run();
        primary = impl.primary(output);
        if (impl.name === "service runIndicator") {
          serviceSeries = primary;
          serviceOutputs = (output as { outputs: Readonly<Record<string, Float64Array>> }).outputs;
        }
        result.first = firstIndex(primary, candles);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        caseRows.push({
          result: { ...result, unavailable: `threw: ${message.split("\n")[0]}` },
          run: impl.run,
          primary,
        });
        continue;
      }
      caseRows.push({ result, run: impl.run, primary });
    }
    // The floor row ran above (it is always available), so its outputs hold this series' values.
    floorChecks.push(
      serviceOutputs
        ? checkFloor(testCase, serviceOutputs)
        : { indicator: testCase.label, ok: false, detail: "the service row did not run" },
    );
    for (const row of caseRows) {
      if (row.primary && serviceSeries) row.result.tailDelta = tailDelta(row.primary, serviceSeries, tail);
      rows.push({ result: row.result, run: row.run });
    }
  }

  // Warm-up by time, then calibrate each row's batch from its last run.
  for (const row of rows) {
    if (row.result.unavailable) continue;
    const warmStart = performance.now();
    let last = 0;
    do {
      const t0 = performance.now();
      _sink = row.run();
      last = performance.now() - t0;
    } while (performance.now() - warmStart < options.warmMs);
    _sink = undefined;
    row.result.reps = Math.max(1, Math.ceil(options.batchMs / Math.max(last, 1e-3)));
  }

  const byCase = new Map<string, typeof rows>();
  for (const row of rows) {
    if (row.result.unavailable) continue;
    const list = byCase.get(row.result.indicator) ?? [];
    list.push(row);
    byCase.set(row.result.indicator, list);
  }

  const roundsStart = performance.now();
  let rounds = 0;
  let budgetHit = false;
  for (let round = 0; round < options.samples; round++) {
    if (round >= 3 && performance.now() - roundsStart > options.budgetMs) {
      budgetHit = true;
      break;
    }
    options.progress(`${candles} candles: round ${round + 1}/${options.samples}`);
    for (const caseRows of byCase.values()) {
      for (let k = 0; k < caseRows.length; k++) {
        const row = caseRows[(k + round) % caseRows.length] as (typeof rows)[number];
        _sink = undefined;
        collectYoungGeneration();
        const { reps } = row.result;
        const t0 = performance.now();
        for (let rep = 0; rep < reps; rep++) _sink = row.run();
        const elapsedMs = performance.now() - t0;
        row.result.samples.push((elapsedMs * 1e6) / reps / candles);
      }
    }
    rounds++;
  }
  _sink = undefined;
  gc({ type: "major" }); // frees this length's garbage; the next length warms up again
  return {
    candles,
    rounds,
    budgetHit,
    seconds: (performance.now() - sizeStart) / 1000,
    rows: rows.map((row) => row.result),
    floorChecks,
  };
}
