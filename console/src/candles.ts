/**
 * Candles from what a user has: a CSV with a header row, JSON rows or columns (the API's own
 * shapes), or a generated sample. Pure functions, so unit tests run them under Node.
 */

import { CANDLE_COLUMNS } from "../../src/candles/vocabulary.js";
import { seededRandom } from "./seeded-random.js";

export const CANDLE_FIELDS = ["time", ...CANDLE_COLUMNS] as const;
export type CandleField = (typeof CANDLE_FIELDS)[number];

/** The API's columnar candles: `close` always, the other columns when the input has them. */
export type Candles = { close: number[] } & Partial<Record<Exclude<CandleField, "close">, number[]>>;

export interface KeyedCandles {
  readonly key: string;
  readonly candles: Candles;
}

/** A problem with the input, with the line it was found on (1-based, the header is line 1). */
export class InputError extends Error {}

/** Header names accepted for each field, lowercased: what exchanges and spreadsheets export. */
const HEADER_ALIASES: Record<string, CandleField | "key"> = {
  time: "time",
  timestamp: "time",
  date: "time",
  datetime: "time",
  open: "open",
  o: "open",
  high: "high",
  h: "high",
  low: "low",
  l: "low",
  close: "close",
  c: "close",
  "adj close": "close",
  volume: "volume",
  vol: "volume",
  v: "volume",
  key: "key",
  symbol: "key",
  ticker: "key",
};

/** Times below this are taken as epoch seconds (it is March 1973 in milliseconds). */
const SECONDS_BELOW = 1e11;

/** A CSV record and the line of the text it starts on (1-based), for messages. */
export interface CsvRow {
  readonly line: number;
  readonly fields: string[];
}

/**
 * Splits CSV text into records: commas, semicolons or tabs (whichever the first line has most of);
 * double-quoted fields may hold them, newlines and doubled quotes. Blank lines are skipped.
 */
export function parseCsv(text: string): CsvRow[] {
  const newline = text.indexOf("\n");
  const firstLine = newline < 0 ? text : text.slice(0, newline);
  const delimiter = [",", ";", "\t"].reduce((best, candidate) =>
    firstLine.split(candidate).length > firstLine.split(best).length ? candidate : best,
  );
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    fields.push(field);
    if (fields.some((value) => value.trim() !== "")) rows.push({ line: rowLine, fields });
    fields = [];
    field = "";
    rowLine = line;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === "\n" || (char === "\r" && text[i + 1] !== "\n")) line++;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field.trim() === "") {
      // Spaces before an opening quote are padding, not part of the value.
      quoted = true;
      field = "";
    } else if (char === delimiter) {
      fields.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") {
        i++;
        line++;
      }
      endRow();
    } else field += char;
  }
  endRow();
  return rows;
}

/** A date and time without an offset is UTC (as the chart and legend show times), not the browser's zone. */
const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;

function parseTime(text: string, line: number): number {
  const trimmed = text.trim();
  const compact = COMPACT_DATE.exec(trimmed);
  const local = LOCAL_DATE_TIME.exec(trimmed);
  const numeric = Number(trimmed);
  let parsed: number;
  if (compact) parsed = Date.parse(`${compact[1]}-${compact[2]}-${compact[3]}T00:00:00Z`);
  else if (local) parsed = Date.parse(`${local[1]}T${local[2] ?? "00:00"}Z`);
  else if (trimmed !== "" && Number.isFinite(numeric)) return numeric;
  else parsed = Date.parse(trimmed);
  if (Number.isNaN(parsed))
    throw new InputError(`Line ${line}: time "${text}" is neither epoch milliseconds nor a date.`);
  return parsed;
}

/** Epoch seconds become milliseconds (the API's unit) when every time is below 1973 in milliseconds. */
function normalizeTimes(candles: Candles): Candles {
  const times = candles.time;
  if (times?.every((time) => time < SECONDS_BELOW)) candles.time = times.map((time) => time * 1_000);
  return candles;
}

interface CsvTable {
  readonly columns: Map<CandleField | "key", number>;
  readonly rows: CsvRow[];
}

function csvTable(text: string): CsvTable {
  const [headerRow, ...rows] = parseCsv(text);
  if (!headerRow) throw new InputError("The CSV is empty.");
  const header = headerRow.fields;
  const columns = new Map<CandleField | "key", number>();
  header.forEach((name, index) => {
    const field = HEADER_ALIASES[name.trim().toLowerCase()];
    if (field && !columns.has(field)) columns.set(field, index);
  });
  if (!columns.has("close"))
    throw new InputError(
      `Line 1: the header needs a close column (found: ${header.map((name) => name.trim()).join(", ")}).`,
    );
  if (rows.length === 0) throw new InputError("The CSV has a header but no candles.");
  return { columns, rows };
}

function pushValue(candles: Candles, field: CandleField, value: number): void {
  const column = candles[field];
  if (column) column.push(value);
  else candles[field] = [value];
}

function appendRow(candles: Candles, table: CsvTable, { line, fields }: CsvRow): void {
  for (const field of CANDLE_FIELDS) {
    const index = table.columns.get(field);
    if (index === undefined) continue;
    const text = fields[index] ?? "";
    let value: number;
    if (field === "time") value = parseTime(text, line);
    else {
      value = text.trim() === "" ? Number.NaN : Number(text);
      if (!Number.isFinite(value)) throw new InputError(`Line ${line}: ${field} "${text}" is not a number.`);
    }
    pushValue(candles, field, value);
  }
}

function emptyCandles(): Candles {
  return { close: [] };
}

/** One series from a CSV with a header row (time, open, high, low, close, volume; close required). */
export function candlesFromCsv(text: string): Candles {
  const table = csvTable(text);
  const candles = emptyCandles();
  for (const row of table.rows) appendRow(candles, table, row);
  return normalizeTimes(candles);
}

/**
 * Many series from one CSV with a `key` or `symbol` column: each key's rows in file order, the
 * keys in order of first appearance.
 */
export function seriesFromCsv(text: string): KeyedCandles[] {
  const table = csvTable(text);
  const keyColumn = table.columns.get("key");
  if (keyColumn === undefined) throw new InputError("Line 1: the header needs a key or symbol column.");
  const series = new Map<string, Candles>();
  for (const row of table.rows) {
    const key = (row.fields[keyColumn] ?? "").trim();
    if (key === "") throw new InputError(`Line ${row.line}: the key is empty.`);
    let candles = series.get(key);
    if (!candles) {
      candles = emptyCandles();
      series.set(key, candles);
    }
    appendRow(candles, table, row);
  }
  return [...series].map(([key, candles]) => ({ key, candles: normalizeTimes(candles) }));
}

/** JSON as the API takes it: columns `{close: [...], ...}` or rows `[{close, ...}, ...]`, or `{candles: ...}`. */
export function candlesFromJson(text: string): Candles {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`The JSON does not parse: ${(error as Error).message}`);
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "candles" in value)
    value = (value as { candles: unknown }).candles;
  if (Array.isArray(value)) {
    const candles = emptyCandles();
    const first = value[0] as Record<string, unknown> | undefined;
    value.forEach((row: unknown, index) => {
      if (row === null || typeof row !== "object")
        throw new InputError(`Candle ${index} is not an object with a close.`);
      for (const field of CANDLE_FIELDS) {
        const cell = (row as Record<string, unknown>)[field];
        // Every row has the fields of the first: a row without one would shift its column.
        if ((cell === undefined) !== (first?.[field] === undefined))
          throw new InputError(
            `Candle ${index} ${cell === undefined ? "has no" : "has a"} ${field}, candle 0 ${cell === undefined ? "has" : "has not"}.`,
          );
        if (cell === undefined) continue;
        const number = field === "time" && typeof cell === "string" ? parseTime(cell, index + 1) : cell;
        if (typeof number !== "number") throw new InputError(`Candle ${index}: ${field} is not a number.`);
        pushValue(candles, field, number);
      }
    });
    return normalizeTimes(candles);
  }
  if (value !== null && typeof value === "object") {
    const columns = value as Record<string, unknown>;
    if (!Array.isArray(columns.close))
      throw new InputError("The JSON needs a close array (or rows with close).");
    const candles = emptyCandles();
    for (const field of CANDLE_FIELDS) {
      const column = columns[field];
      if (column === undefined) continue;
      if (!Array.isArray(column)) throw new InputError(`${field} is not an array.`);
      candles[field] = column.map((cell: unknown, index) =>
        field === "time" && typeof cell === "string" ? parseTime(cell, index + 1) : (cell as number),
      );
    }
    return normalizeTimes(candles);
  }
  throw new InputError("The JSON is neither candle rows nor columns.");
}

/** JSON when it looks like JSON, CSV otherwise. */
export function parseCandles(text: string): Candles {
  const start = text.trimStart()[0];
  return start === "{" || start === "[" ? candlesFromJson(text) : candlesFromCsv(text);
}

const DAY_MS = 86_400_000;
/** 2024-01-02, a Tuesday: sample candles are daily from here. */
const SAMPLE_START_MS = Date.UTC(2024, 0, 2);

/** Daily OHLCV candles near `start`, rounded to cents as a market would quote them. */
export function sampleCandles(length: number, seed = 1, start = 100): Required<Candles> {
  const next = seededRandom(seed);
  const cents = (value: number) => Math.round(value * 100) / 100;
  const candles: Required<Candles> = { time: [], open: [], high: [], low: [], close: [], volume: [] };
  let close = start;
  for (let i = 0; i < length; i++) {
    const open = close;
    close = Math.max(1, close * (1 + (next() - 0.5) * 0.04));
    const high = Math.max(open, close) * (1 + next() * 0.01);
    const low = Math.min(open, close) * (1 - next() * 0.01);
    candles.time.push(SAMPLE_START_MS + i * DAY_MS);
    candles.open.push(cents(open));
    candles.high.push(cents(high));
    candles.low.push(cents(Math.min(low, open, close)));
    candles.close.push(cents(close));
    candles.volume.push(Math.round(10_000 + next() * 90_000));
  }
  return candles;
}

/** Candles as CSV text with a header row: what the playground shows for a sample, and accepts back. */
export function candlesToCsv(candles: Candles): string {
  const fields = CANDLE_FIELDS.filter((field) => candles[field] !== undefined);
  const lines = [fields.join(",")];
  for (let i = 0; i < candles.close.length; i++)
    lines.push(
      fields
        .map((field) => {
          const value = candles[field]?.[i] as number;
          if (field !== "time") return String(value);
          const iso = new Date(value).toISOString();
          return value % DAY_MS === 0 ? iso.slice(0, 10) : iso;
        })
        .join(","),
    );
  return `${lines.join("\n")}\n`;
}
