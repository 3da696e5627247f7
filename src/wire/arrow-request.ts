import {
  type Data,
  DataType,
  type Field,
  Precision,
  type RecordBatch,
  RecordBatchReader,
  TimeUnit,
} from "apache-arrow";
import { CANDLE_FIELDS, type CandleField, columnarPath, DecodedCandles } from "../candles/columns.js";
import { IssueList, problem, ServiceError } from "../errors/registry.js";
import { checkArrowFrames, TooManyRowsError } from "./arrow-frames.js";

/** The schema metadata key that carries the rest of the request as JSON. */
export const REQUEST_METADATA_KEY = "request";

/**
 * Larger `request` metadata is refused before it is parsed: indicators and options fit in a few
 * kilobytes, and a body that is mostly metadata is not a candle upload.
 */
export const MAX_REQUEST_METADATA_BYTES = 256 * 1024;

export interface ArrowCandles {
  readonly candles: DecodedCandles;
  /** The `request` metadata as sent, not yet parsed. */
  readonly requestJson: string;
}

/** The IPC file format starts with this magic; the stream format starts with a message. */
const FILE_MAGIC = Buffer.from("ARROW1");

function badStream(detail: string, cause?: unknown): ServiceError {
  return problem(
    "MALFORMED_ARROW",
    { reason: detail },
    { issues: [{ path: "body", message: detail }], cause },
  );
}

function readBatches(
  bytes: Uint8Array,
  maxRows: number,
  refuseRows: (rows: bigint, maxRows: number) => ServiceError,
): {
  fields: readonly Field[];
  metadata: Map<string, string>;
  batches: RecordBatch[];
} {
  if (bytes.byteLength === 0) throw badStream("The body is empty; send one Arrow IPC stream.");
  if (Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(6, bytes.byteLength)).equals(FILE_MAGIC)) {
    throw badStream(
      "The body is in the Arrow IPC file format; send the stream format (pyarrow.ipc.new_stream, polars write_ipc_stream).",
    );
  }
  try {
    checkArrowFrames(bytes, maxRows);
    const reader = RecordBatchReader.from(bytes);
    reader.open();
    const schema = reader.schema;
    const batches = [...reader];
    if (!schema) throw badStream("The body holds no Arrow schema message.");
    // The shape every reader of the batches relies on: one child per field, each of the batch's rows.
    for (const batch of batches) {
      const children = batch.data.children;
      if (children.length !== schema.fields.length)
        throw badStream("A record batch does not match the schema.");
      for (const [index, field] of schema.fields.entries()) {
        const rows = (children[index] as Data).length;
        if (rows !== batch.numRows) {
          throw badStream(`Column ${field.name} has ${rows} rows in a batch of ${batch.numRows}.`);
        }
      }
    }
    return { fields: schema.fields, metadata: schema.metadata, batches };
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    if (error instanceof TooManyRowsError) throw refuseRows(error.rows, maxRows);
    const reason = error instanceof Error ? error.message : String(error);
    throw badStream(`The body is not a valid Arrow IPC stream: ${reason}`, error);
  }
}

function tooManyRows(rows: bigint, maxRows: number): ServiceError {
  const issues = new IssueList();
  issues.add("candles", `has ${rows} rows or more; the limit is ${maxRows} (MAX_CANDLES)`);
  return issues.toError();
}

/** Why a field cannot be a candle column, or undefined when its type is one this service reads. */
function typeProblem(name: CandleField, type: DataType): string | undefined {
  if (DataType.isDictionary(type)) return "is dictionary-encoded; send plain values";
  if (
    DataType.isStruct(type) ||
    DataType.isList(type) ||
    DataType.isFixedSizeList(type) ||
    DataType.isMap(type) ||
    DataType.isUnion(type)
  )
    return `is nested (${type}); candle columns are flat`;
  if (DataType.isFloat(type) && type.precision === Precision.DOUBLE) return undefined;
  if (name === "time") {
    if (DataType.isInt(type) && type.bitWidth === 64 && type.isSigned) return undefined;
    if (DataType.isTimestamp(type) && type.unit === TimeUnit.MILLISECOND) return undefined;
    return `is ${type}; time must be Int64 or Float64 epoch milliseconds, or Timestamp(ms)`;
  }
  return `is ${type}; price and volume columns must be Float64`;
}

/** The first null of a column, from its validity bitmap, or -1. */
function firstNull(data: Data, name: string): number {
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0) {
    if (data.nullCount > 0)
      throw badStream(`${columnarPath(name)} claims ${data.nullCount} nulls but has no validity bitmap.`);
    return -1;
  }
  const end = data.offset + data.length;
  if (bitmap.length * 8 < end)
    throw badStream(`${columnarPath(name)}'s validity bitmap is shorter than the column.`);
  for (let bit = data.offset; bit < end; bit++) {
    if (((bitmap[bit >> 3] as number) & (1 << (bit & 7))) === 0) return bit - data.offset;
  }
  return -1;
}

/** Where a candle value is, by its row in the stream: `candles.close[3]`, `series[2].candles.close[3]`. */
type ValuePath = (name: CandleField, row: number) => string;

/** Copies one batch's column into `target` at `at`, reporting values no candle may hold. */
function copyColumn(
  name: CandleField,
  data: Data,
  target: Float64Array,
  at: number,
  issues: IssueList,
  pathOf: ValuePath,
): void {
  const nullAt = firstNull(data, name);
  if (nullAt >= 0) {
    issues.add(pathOf(name, at + nullAt), "is null; candle columns may not hold nulls");
    return;
  }
  // readColumns has checked that the buffer holds the batch's rows.
  const values = data.values as Float64Array | BigInt64Array;
  if (values instanceof Float64Array) target.set(values.subarray(0, data.length), at);
  else for (let i = 0; i < data.length; i++) target[at + i] = bigintToNumber(values[i] as bigint);
  const isTime = name === "time";
  for (let i = at; i < at + data.length; i++) {
    const value = target[i] as number;
    if (isAcceptable(value, isTime)) continue;
    if (issues.full) {
      issues.stopped();
      return;
    }
    issues.add(
      pathOf(name, i),
      isTime
        ? `${values instanceof Float64Array ? value : String(values[i - at])} is not a non-negative safe integer of epoch milliseconds`
        : `${value} is not a finite number`,
    );
  }
}

function bigintToNumber(value: bigint): number {
  return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.NaN;
}

function isAcceptable(value: number, isTime: boolean): boolean {
  return isTime ? Number.isSafeInteger(value) && value >= 0 : Number.isFinite(value);
}

/** The `request` metadata, or the issue that it is missing or too large. */
function requestMetadata(metadata: Map<string, string>, issues: IssueList): string | undefined {
  const requestJson = metadata.get(REQUEST_METADATA_KEY);
  if (requestJson === undefined) {
    issues.add(
      `metadata.${REQUEST_METADATA_KEY}`,
      "is missing; put the request's indicators (and options, symbol, interval) as JSON in the schema metadata under this key",
    );
    return undefined;
  }
  const bytes = Buffer.byteLength(requestJson);
  if (bytes > MAX_REQUEST_METADATA_BYTES) {
    issues.add(
      `metadata.${REQUEST_METADATA_KEY}`,
      `is ${bytes} bytes; the limit is ${MAX_REQUEST_METADATA_BYTES}`,
    );
  }
  return requestJson;
}

/** The schema's fields sorted out: readable candle columns (with their child index) and the key column's index. */
function readFields(
  fields: readonly Field[],
  issues: IssueList,
  keyColumn: string | undefined,
): { present: [CandleField, number][]; keyIndex: number } {
  const seen = new Set<string>();
  const present: [CandleField, number][] = [];
  let keyIndex = -1;
  for (const [index, field] of fields.entries()) {
    const name = field.name;
    if (seen.has(name)) {
      issues.add(columnarPath(name), "appears twice in the schema");
      continue;
    }
    seen.add(name);
    if (name === keyColumn) {
      if (DataType.isUtf8(field.type)) keyIndex = index;
      else
        issues.add(
          name,
          `is ${field.type}; the series key column must be Utf8 (plain strings, not dictionary-encoded)`,
        );
      continue;
    }
    if (!(CANDLE_FIELDS as readonly string[]).includes(name)) {
      const expected = keyColumn ? [keyColumn, ...CANDLE_FIELDS] : CANDLE_FIELDS;
      issues.add(columnarPath(name), `is not a candle column; expected ${expected.join(", ")}`);
      continue;
    }
    const problem = typeProblem(name as CandleField, field.type);
    if (problem) issues.add(columnarPath(name), problem);
    else present.push([name as CandleField, index]);
  }
  if (!seen.has("close")) issues.add(columnarPath("close"), "is missing; every request needs close");
  if (keyColumn && !seen.has(keyColumn)) {
    issues.add(keyColumn, "is missing; a job's stream names each row's series in a Utf8 column of this name");
  }
  return { present, keyIndex };
}

/** The candle columns of every batch, end to end, with the values no candle may hold reported at `pathOf`. */
function readColumns(
  batches: readonly RecordBatch[],
  present: readonly [CandleField, number][],
  length: number,
  issues: IssueList,
  pathOf: ValuePath,
): DecodedCandles["columns"] {
  // Every batch's buffers are checked before anything is allocated: a header's row count is not
  // backed by bytes until its columns' value buffers are seen to hold that many values.
  let start = 0;
  for (const batch of batches) {
    for (const [name, index] of present) {
      const data = batch.data.children[index] as Data;
      const values = data.values as Float64Array | BigInt64Array | undefined;
      if (values && values.length >= data.length) continue;
      // A writer that pads a short column with nulls: the first null is the client's problem.
      const nullAt = firstNull(data, name);
      if (nullAt >= 0) issues.add(pathOf(name, start + nullAt), "is null; candle columns may not hold nulls");
      else {
        throw badStream(
          `${columnarPath(name)} has fewer values (${values?.length ?? 0}) than its batch's rows (${data.length}).`,
        );
      }
    }
    start += batch.numRows;
  }
  if (!issues.empty) throw issues.toError();
  const columns: Partial<Record<CandleField, Float64Array>> = {};
  for (const [name] of present) columns[name] = new Float64Array(length);
  let at = 0;
  for (const batch of batches) {
    for (const [name, index] of present) {
      copyColumn(name, batch.data.children[index] as Data, columns[name] as Float64Array, at, issues, pathOf);
    }
    at += batch.numRows;
  }
  return columns as DecodedCandles["columns"];
}

/**
 * Decodes an Arrow IPC stream of candles: the schema names candle fields (`open`, `high`, `low`,
 * `close`, `volume` as Float64; `time` as Int64, Float64 or Timestamp(ms)), the schema's `request`
 * metadata carries the rest of the request as JSON. Several record batches are one series in
 * stream order (writers split large tables into batches). Problems of the stream itself are
 * MALFORMED_ARROW, problems of its columns and values VALIDATION_FAILED, with `candles.<field>[i]`
 * paths as a columnar JSON body would have.
 */
export function decodeArrowCandles(bytes: Uint8Array, maxCandles: number): ArrowCandles {
  const { fields, metadata, batches } = readBatches(bytes, maxCandles, tooManyRows);
  const issues = new IssueList();
  const requestJson = requestMetadata(metadata, issues);
  const { present } = readFields(fields, issues, undefined);
  // checkArrowFrames has refused more than maxCandles rows.
  const length = batches.reduce((sum, batch) => sum + batch.numRows, 0);
  if (issues.empty && length === 0) issues.add("candles", "has no rows; send at least one candle");
  if (!issues.empty) throw issues.toError();
  const columns = readColumns(batches, present, length, issues, columnarPath);
  if (!issues.empty) throw issues.toError();
  return { candles: new DecodedCandles(columns, length), requestJson: requestJson as string };
}

/** The column of a long-form job stream that names each row's series. */
export const SERIES_KEY_COLUMN = "key";

export interface ArrowSeries {
  readonly key: string;
  readonly candles: DecodedCandles;
}

export interface ArrowSeriesStream {
  /** In stream order: each series is a run of rows with the same key. */
  readonly series: readonly ArrowSeries[];
  readonly requestJson: string;
}

/** A series' run of rows: its key and where the run starts. */
interface Run {
  readonly key: string;
  readonly start: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A key longer than this is refused before it is decoded: 128 characters of UTF-8 fit in it. */
const MAX_KEY_BYTES = 512;

/** How far a job's stream may go, and what refuses it past that. */
export interface SeriesStreamBounds {
  /** All rows together: the job's candle limit. */
  readonly maxRows: number;
  readonly maxSeries: number;
  /** The refusal of a stream with at least `count` rows or series. */
  readonly refuse: (bound: "rows" | "series", count: string) => ServiceError;
}

/**
 * Splits the key column into runs of equal keys, refusing more runs than a job may have series
 * before they are made (alternating keys make one run per row). Offsets are checked against the
 * value bytes first: the frame check bounds counts, not what a Utf8 column's offsets point at.
 */
function keyRuns(
  batches: readonly RecordBatch[],
  keyIndex: number,
  issues: IssueList,
  bounds: SeriesStreamBounds,
): Run[] {
  const runs: Run[] = [];
  // The previous row's key, as a range of its batch's bytes: no row allocates anything.
  let previous: { values: Uint8Array; from: number; to: number } | undefined;
  const samePrevious = (values: Uint8Array, from: number, to: number): boolean => {
    if (!previous || previous.to - previous.from !== to - from) return false;
    for (let i = 0; i < to - from; i++) {
      if (previous.values[previous.from + i] !== values[from + i]) return false;
    }
    return true;
  };
  let at = 0;
  for (const batch of batches) {
    const data = batch.data.children[keyIndex] as Data;
    const nullAt = firstNull(data, SERIES_KEY_COLUMN);
    if (nullAt >= 0) {
      issues.add(`${SERIES_KEY_COLUMN}[${at + nullAt}]`, "is null; every row names its series");
      return runs;
    }
    const offsets = data.valueOffsets as Int32Array | undefined;
    const values = data.values as Uint8Array;
    if (!offsets || offsets.length < data.offset + data.length + 1) {
      throw badStream(`${SERIES_KEY_COLUMN}'s offsets are shorter than its batch.`);
    }
    for (let row = 0; row < data.length; row++) {
      const from = offsets[data.offset + row] as number;
      const to = offsets[data.offset + row + 1] as number;
      if (from < 0 || to < from || to > values.length) {
        throw badStream(`${SERIES_KEY_COLUMN}[${at + row}]'s offsets point outside the column's bytes.`);
      }
      if (samePrevious(values, from, to)) continue;
      if (runs.length === bounds.maxSeries) throw bounds.refuse("series", `${runs.length + 1} or more`);
      const path = `series[${runs.length}].key`;
      if (to - from > MAX_KEY_BYTES) {
        issues.add(path, `is ${to - from} bytes long; a key has at most 128 characters`);
        return runs;
      }
      let key: string;
      try {
        key = utf8.decode(values.subarray(from, to));
      } catch {
        issues.add(path, "is not valid UTF-8");
        return runs;
      }
      previous = { values, from, to };
      runs.push({ key, start: at + row });
    }
    at += batch.numRows;
  }
  return runs;
}

/** The run holding `row`: the last one starting at or before it. */
function runOf(runs: readonly Run[], row: number): number {
  let low = 0;
  let high = runs.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((runs[middle] as Run).start <= row) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * Decodes a job's Arrow IPC stream in long form: a Utf8 `key` column names each row's series and
 * the candle columns are those of a calculate stream; a series is a run of rows with the same key,
 * so a key met again after another is a second series of that name (refused by the job's unique
 * keys). `request` metadata holds the job's indicators and options. Value problems have the paths
 * a JSON job would give them (`series[2].candles.close[3]`); the whole stream is bounded by
 * `bounds` (the job's candle and series limits).
 */
export function decodeArrowSeries(bytes: Uint8Array, bounds: SeriesStreamBounds): ArrowSeriesStream {
  const { fields, metadata, batches } = readBatches(bytes, bounds.maxRows, (rows) =>
    bounds.refuse("rows", `${rows} or more`),
  );
  const issues = new IssueList();
  const requestJson = requestMetadata(metadata, issues);
  const { present, keyIndex } = readFields(fields, issues, SERIES_KEY_COLUMN);
  const length = batches.reduce((sum, batch) => sum + batch.numRows, 0);
  if (issues.empty && length === 0) issues.add("series", "has no rows; send at least one candle");
  if (!issues.empty) throw issues.toError();
  const runs = keyRuns(batches, keyIndex, issues, bounds);
  if (!issues.empty) throw issues.toError();
  const pathOf: ValuePath = (name, row) => {
    const index = runOf(runs, row);
    return `series[${index}].${columnarPath(name, row - (runs[index] as Run).start)}`;
  };
  const columns = readColumns(batches, present, length, issues, pathOf);
  if (!issues.empty) throw issues.toError();
  const series = runs.map(({ key, start }, i) => {
    const end = (runs[i + 1] as Run | undefined)?.start ?? length;
    const slice = Object.fromEntries(
      Object.entries(columns).map(([name, values]) => [name, values.subarray(start, end)]),
    ) as DecodedCandles["columns"];
    return { key, candles: new DecodedCandles(slice, end - start) };
  });
  return { series, requestJson: requestJson as string };
}
