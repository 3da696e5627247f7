import type { CandleColumn, CandleColumns } from "../compute/catalog/definition.js";
import { CANDLE_COLUMNS } from "../compute/catalog/definition.js";
import { type FieldIssue, MAX_REPORTED_ISSUES } from "../errors/registry.js";

type Row = { time?: number | undefined } & Partial<Record<CandleColumn, number | undefined>> & {
    close: number;
  };
type Columnar = { time?: number[] | undefined } & Partial<Record<CandleColumn, number[] | undefined>> & {
    close: number[];
  };

export interface NormalizedCandles {
  readonly columns: CandleColumns;
  readonly length: number;
  readonly hasTime: boolean;
}

export type NormalizeOutcome =
  | { readonly ok: true; readonly candles: NormalizedCandles }
  | { readonly ok: false; readonly issues: FieldIssue[] };

/**
 * Turns either accepted candle shape into Float64Array columns and checks what a schema cannot:
 * equal lengths, low <= high, volume >= 0, strictly increasing time.
 */
export function normalizeCandles(body: Columnar | Row[]): NormalizeOutcome {
  const issues: FieldIssue[] = [];
  const report = (path: string, message: string) => {
    if (issues.length < MAX_REPORTED_ISSUES) issues.push({ path, message });
  };

  const columnar = Array.isArray(body) ? rowsToColumns(body, report) : body;
  if (issues.length > 0) return { ok: false, issues };

  const length = columnar.close.length;
  const columns: Partial<Record<CandleColumn, Float64Array>> = {};
  for (const name of CANDLE_COLUMNS) {
    const values = columnar[name];
    if (values === undefined) continue;
    if (values.length !== length) {
      report(
        `candles.${name}`,
        `has ${values.length} values but close has ${length}; all columns must be the same length`,
      );
      continue;
    }
    columns[name] = Float64Array.from(values);
  }
  const time = columnar.time;
  if (time !== undefined && time.length !== length) {
    report(
      "candles.time",
      `has ${time.length} values but close has ${length}; all columns must be the same length`,
    );
  }
  if (issues.length > 0) return { ok: false, issues };

  const place = (name: string, i: number) =>
    Array.isArray(body) ? `candles[${i}].${name}` : `candles.${name}[${i}]`;
  const { high, low, volume } = columns;
  for (let i = 0; i < length && issues.length < MAX_REPORTED_ISSUES; i++) {
    if (high && low && (low[i] as number) > (high[i] as number)) {
      report(place("low", i), `low ${low[i]} is above high ${high[i]}`);
    }
    if (volume && (volume[i] as number) < 0) report(place("volume", i), `volume ${volume[i]} is negative`);
    if (time && i > 0 && (time[i] as number) <= (time[i - 1] as number)) {
      report(
        place("time", i),
        `time ${time[i]} is not after the previous candle's ${time[i - 1]}; times must strictly increase`,
      );
    }
  }
  if (issues.length > 0) return { ok: false, issues };

  return {
    ok: true,
    candles: { columns: columns as CandleColumns, length, hasTime: time !== undefined },
  };
}

function rowsToColumns(rows: Row[], report: (path: string, message: string) => void): Columnar {
  const first = rows[0] as Row;
  const present = (["time", ...CANDLE_COLUMNS] as const).filter((name) => first[name] !== undefined);
  const columnar: Record<string, number[]> = Object.fromEntries(present.map((name) => [name, []]));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    for (const name of present) {
      const value = row[name];
      if (value === undefined)
        report(`candles[${i}].${name}`, `is missing; the first candle has ${name}, so every candle needs it`);
      else (columnar[name] as number[]).push(value);
    }
    for (const name of ["time", ...CANDLE_COLUMNS] as const) {
      if (row[name] !== undefined && !present.includes(name)) {
        report(
          `candles[${i}].${name}`,
          `is present but the first candle has no ${name}; give it on every candle or on none`,
        );
      }
    }
  }
  return columnar as Columnar;
}
