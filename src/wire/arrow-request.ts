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
import { IssueList, ServiceError } from "../errors/registry.js";
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
  return new ServiceError("MALFORMED_ARROW", detail, {
    issues: [{ path: "body", message: detail }],
    cause,
  });
}

function readBatches(
  bytes: Uint8Array,
  maxRows: number,
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
    return { fields: schema.fields, metadata: schema.metadata, batches };
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    if (error instanceof TooManyRowsError) throw tooManyRows(error.rows, maxRows);
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

/** Copies one batch's column into `target` at `at`, reporting values no candle may hold. */
function copyColumn(
  name: CandleField,
  data: Data,
  target: Float64Array,
  at: number,
  issues: IssueList,
): void {
  const nullAt = firstNull(data, name);
  if (nullAt >= 0) {
    issues.add(columnarPath(name, at + nullAt), "is null; candle columns may not hold nulls");
    return;
  }
  const values = data.values as Float64Array | BigInt64Array;
  if (values.length < data.length) {
    throw badStream(
      `${columnarPath(name)} has fewer values (${values.length}) than its batch's rows (${data.length}).`,
    );
  }
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
      columnarPath(name, i),
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

/**
 * Decodes an Arrow IPC stream of candles: the schema names candle fields (`open`, `high`, `low`,
 * `close`, `volume` as Float64; `time` as Int64, Float64 or Timestamp(ms)), the schema's `request`
 * metadata carries the rest of the request as JSON. Several record batches are one series in
 * stream order (writers split large tables into batches). Problems of the stream itself are
 * MALFORMED_ARROW, problems of its columns and values VALIDATION_FAILED, with `candles.<field>[i]`
 * paths as a columnar JSON body would have.
 */
export function decodeArrowCandles(bytes: Uint8Array, maxCandles: number): ArrowCandles {
  const { fields, metadata, batches } = readBatches(bytes, maxCandles);

  const requestJson = metadata.get(REQUEST_METADATA_KEY);
  const issues = new IssueList();
  if (requestJson === undefined) {
    issues.add(
      `metadata.${REQUEST_METADATA_KEY}`,
      "is missing; put the request's indicators (and options, symbol, interval) as JSON in the schema metadata under this key",
    );
  } else {
    const bytes = Buffer.byteLength(requestJson);
    if (bytes > MAX_REQUEST_METADATA_BYTES) {
      issues.add(
        `metadata.${REQUEST_METADATA_KEY}`,
        `is ${bytes} bytes; the limit is ${MAX_REQUEST_METADATA_BYTES}`,
      );
    }
  }

  const seen = new Set<string>();
  // Each readable candle column and its index among the batches' children.
  const present: [CandleField, number][] = [];
  for (const [index, field] of fields.entries()) {
    const name = field.name;
    if (seen.has(name)) {
      issues.add(columnarPath(name), "appears twice in the schema");
      continue;
    }
    seen.add(name);
    if (!(CANDLE_FIELDS as readonly string[]).includes(name)) {
      issues.add(columnarPath(name), `is not a candle column; expected ${CANDLE_FIELDS.join(", ")}`);
      continue;
    }
    const problem = typeProblem(name as CandleField, field.type);
    if (problem) issues.add(columnarPath(name), problem);
    else present.push([name as CandleField, index]);
  }
  if (!seen.has("close")) issues.add(columnarPath("close"), "is missing; every request needs close");

  // checkArrowFrames has refused more than maxCandles rows.
  const length = batches.reduce((sum, batch) => sum + batch.numRows, 0);
  if (issues.empty && length === 0) issues.add("candles", "has no rows; send at least one candle");
  if (!issues.empty) throw issues.toError();

  const columns: Partial<Record<CandleField, Float64Array>> = {};
  for (const [name] of present) columns[name] = new Float64Array(length);
  let at = 0;
  for (const batch of batches) {
    const children = batch.data.children;
    if (children.length !== fields.length) throw badStream("A record batch does not match the schema.");
    for (const [name, index] of present) {
      const data = children[index] as Data;
      if (data.length !== batch.numRows) {
        throw badStream(`${columnarPath(name)} has ${data.length} rows in a batch of ${batch.numRows}.`);
      }
      copyColumn(name, data, columns[name] as Float64Array, at, issues);
    }
    at += batch.numRows;
  }
  if (!issues.empty) throw issues.toError();
  return {
    candles: new DecodedCandles(columns as DecodedCandles["columns"], length),
    requestJson: requestJson as string,
  };
}
