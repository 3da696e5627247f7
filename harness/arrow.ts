import {
  type DataType,
  Field,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import type { OhlcvArrays } from "./series.js";

export const ARROW = "application/vnd.apache.arrow.stream";

/** Columns as Arrow vectors: Float64 for arrays of numbers, anything else as given. */
export type ArrowColumns = Record<string, Vector | number[] | Float64Array>;

function asVector(values: Vector | number[] | Float64Array): Vector {
  if (Array.isArray(values) || values instanceof Float64Array) {
    return makeVector(Float64Array.from(values));
  }
  return values;
}

/**
 * One IPC stream: the columns split into `batches` record batches of near-equal size, `request`
 * (when given) as JSON under the schema's `request` metadata.
 */
export function arrowBody(
  columns: ArrowColumns,
  request: unknown,
  { batches = 1, format = "stream" }: { batches?: number; format?: "stream" | "file" } = {},
): Buffer {
  const vectors = Object.entries(columns).map(([name, values]) => [name, asVector(values)] as const);
  const metadata = new Map<string, string>();
  if (request !== undefined)
    metadata.set("request", typeof request === "string" ? request : JSON.stringify(request));
  const fields = vectors.map(([name, vector]) => new Field(name, vector.type as DataType, true));
  const schema = new Schema(fields, metadata);
  const length = vectors[0]?.[1].length ?? 0;
  const size = Math.ceil(length / batches);
  const recordBatches: RecordBatch[] = [];
  for (let start = 0; start < length || recordBatches.length === 0; start += size) {
    const end = Math.min(length, start + size);
    const children = vectors.map(([, vector]) => vector.slice(start, end).data[0]);
    recordBatches.push(
      new RecordBatch(
        schema,
        makeData({
          type: new Struct(fields),
          length: end - start,
          nullCount: 0,
          children: children as never,
        }),
      ),
    );
    if (size === 0) break;
  }
  return Buffer.from(tableToIPC(new Table(schema, recordBatches), format));
}

/** The OHLCV walk as Arrow columns, time as Int64 epoch ms. */
export function ohlcvColumns(series: OhlcvArrays): ArrowColumns {
  return {
    time: vectorFromArray(BigInt64Array.from(series.time, BigInt)),
    open: series.open,
    high: series.high,
    low: series.low,
    close: series.close,
    volume: series.volume,
  };
}
