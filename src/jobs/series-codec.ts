import type { CandleColumn, CandleColumns } from "../candles/vocabulary.js";
import type { SeriesInput } from "./model.js";

interface SeriesHeader {
  readonly key: string;
  readonly symbol?: string | undefined;
  readonly interval?: string | undefined;
  readonly length: number;
  readonly columns: readonly CandleColumn[];
}

const HEADER_LENGTH_BYTES = 4;
const DOUBLE = Float64Array.BYTES_PER_ELEMENT;

/**
 * A chunk of series as one binary value for Redis: a length-prefixed JSON header (keys, labels,
 * which columns) and then every column's doubles, 8-byte aligned. The numbers are never text:
 * a 2,000-series job is written and read at memcpy speed, and reads back bit for bit.
 */
export function encodeSeriesChunk(series: readonly SeriesInput[]): Buffer {
  const headers: SeriesHeader[] = series.map(({ key, symbol, interval, length, columns }) => ({
    key,
    symbol,
    interval,
    length,
    columns: (Object.keys(columns) as CandleColumn[]).filter((name) => columns[name] !== undefined),
  }));
  const header = Buffer.from(JSON.stringify(headers));
  const dataStart = Math.ceil((HEADER_LENGTH_BYTES + header.length) / DOUBLE) * DOUBLE;
  const doubles = headers.reduce((sum, { length, columns }) => sum + length * columns.length, 0);
  const bytes = Buffer.alloc(dataStart + doubles * DOUBLE);
  bytes.writeUInt32LE(header.length, 0);
  header.copy(bytes, HEADER_LENGTH_BYTES);
  let offset = dataStart;
  series.forEach((input, i) => {
    for (const name of (headers[i] as SeriesHeader).columns) {
      const column = input.columns[name] as Float64Array;
      bytes.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), offset);
      offset += column.byteLength;
    }
  });
  return bytes;
}

export function decodeSeriesChunk(bytes: Buffer): SeriesInput[] {
  const headerLength = bytes.readUInt32LE(0);
  const headers = JSON.parse(
    bytes.subarray(HEADER_LENGTH_BYTES, HEADER_LENGTH_BYTES + headerLength).toString("utf8"),
  ) as SeriesHeader[];
  let offset = Math.ceil((HEADER_LENGTH_BYTES + headerLength) / DOUBLE) * DOUBLE;
  return headers.map(({ key, symbol, interval, length, columns: names }) => {
    const columns: Partial<Record<CandleColumn, Float64Array>> = {};
    for (const name of names) {
      // A copy: Redis hands the reply back at any byte offset, a Float64Array needs 8-aligned memory.
      const end = offset + length * DOUBLE;
      columns[name] = new Float64Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + end));
      offset = end;
    }
    return { key, symbol, interval, length, columns: columns as CandleColumns };
  });
}
