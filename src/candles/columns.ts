import type { IssueList } from "../errors/registry.js";
import type { CandleColumn, CandleColumns } from "./vocabulary.js";
import { CANDLE_COLUMNS } from "./vocabulary.js";

type Row = { time?: number | undefined } & Partial<Record<CandleColumn, number | undefined>> & {
    close: number;
  };
type Columnar = { time?: number[] | undefined } & Partial<Record<CandleColumn, number[] | undefined>> & {
    close: number[];
  };

/** Every field a candle may have, in the order paths and messages list them. */
export const CANDLE_FIELDS = ["time", ...CANDLE_COLUMNS] as const;
export type CandleField = (typeof CANDLE_FIELDS)[number];

/** `candles.close`, or `candles.close[17]`: where a columnar body holds a field or one of its values. */
export function columnarPath(name: string, index?: number): string {
  return index === undefined ? `candles.${name}` : `candles.${name}[${index}]`;
}

/**
 * Candles a binary body already holds as Float64Array columns with finite values (`time` as epoch
 * milliseconds): only the checks across values remain. A class, so that no JSON body can pass
 * for one.
 */
export class DecodedCandles {
  constructor(
    readonly columns: Readonly<Partial<Record<CandleField, Float64Array>>> & {
      readonly close: Float64Array;
    },
    readonly length: number,
  ) {}
}

export interface NormalizedCandles {
  readonly columns: CandleColumns;
  readonly length: number;
  readonly hasTime: boolean;
}

/**
 * Turns either JSON candle shape into Float64Array columns (decoded candles already are) and
 * checks what a schema cannot:
 * equal lengths, low <= high, volume >= 0, strictly increasing time. Problems go to `issues`
 * (undefined is returned); a per-candle check stops once the list is full.
 */
export function normalizeCandles(
  body: Columnar | Row[] | DecodedCandles,
  issues: IssueList,
): NormalizedCandles | undefined {
  if (body instanceof DecodedCandles) {
    const { time, ...columns } = body.columns;
    return checkCandles(columns, body.length, time, issues, columnarPath);
  }
  const report = (path: string, message: string) => issues.add(path, message);
  const before = issues.total;
  const failed = () => issues.total > before;

  const columnar = Array.isArray(body) ? rowsToColumns(body, issues) : body;
  if (!columnar || failed()) return undefined;

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
  if (failed()) return undefined;
  return checkCandles(
    columns as CandleColumns,
    length,
    time,
    issues,
    Array.isArray(body) ? rowPath : columnarPath,
  );
}

const rowPath = (name: string, i: number) => `candles[${i}].${name}`;

/** What holds across candles: low <= high, volume >= 0, strictly increasing time. */
function checkCandles(
  columns: CandleColumns,
  length: number,
  time: ArrayLike<number> | undefined,
  issues: IssueList,
  place: (name: string, i: number) => string,
): NormalizedCandles | undefined {
  const report = (path: string, message: string) => issues.add(path, message);
  const before = issues.total;
  const { high, low, volume } = columns;
  for (let i = 0; i < length; i++) {
    if (issues.full) return stopLooking(issues);
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
  if (issues.total > before) return undefined;
  return { columns, length, hasTime: time !== undefined };
}

/** The list is full: what was not looked at may hold more problems, so the count is a lower bound. */
function stopLooking(issues: IssueList): undefined {
  issues.stopped();
  return undefined;
}

function rowsToColumns(rows: Row[], issues: IssueList): Columnar | undefined {
  const report = (path: string, message: string) => issues.add(path, message);
  const first = rows[0] as Row;
  const present = CANDLE_FIELDS.filter((name) => first[name] !== undefined);
  const columnar: Record<string, number[]> = Object.fromEntries(present.map((name) => [name, []]));
  for (let i = 0; i < rows.length; i++) {
    if (issues.full) return stopLooking(issues);
    const row = rows[i] as Row;
    for (const name of present) {
      const value = row[name];
      if (value === undefined)
        report(`candles[${i}].${name}`, `is missing; the first candle has ${name}, so every candle needs it`);
      else (columnar[name] as number[]).push(value);
    }
    for (const name of CANDLE_FIELDS) {
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
