import { endianness } from "node:os";
import { valuesBytes } from "./serialize.js";
import type { ComputedResult } from "./task.js";

/**
 * A computed result as bytes, for the fleet's shared cache. Layout, version 1:
 *   "IND1" | u32 header length | header JSON { key, warmup, outputs, length } | float64 LE values
 * Numbers travel as raw doubles (8 bytes each, exact) rather than JSON text (~18 bytes, and a
 * parse on every read). The header repeats the key so an entry copied or written under another
 * key is recognised and refused; its outputs and length must be exactly what the unit produces,
 * so a well-formed entry of the wrong shape (no outputs, a shorter series) is refused too.
 */
const MAGIC = Buffer.from("IND1", "latin1");
const PREFIX_BYTES = MAGIC.length + 4;
/** On little-endian hosts (x86, ARM) a Float64Array's bytes are the wire format: copy, no loop. */
const NATIVE_LE = endianness() === "LE";

/** What a unit's entry must be: its key, its output names in order, and one value per candle. */
export interface EntryShape {
  readonly key: string;
  readonly outputs: readonly string[];
  readonly length: number;
}

interface Header {
  readonly key: string;
  readonly warmup: number | null;
  readonly outputs: readonly string[];
  readonly length: number;
}

/** Bytes of an entry for `outputs` x `length` values, header aside: a transfer-time estimate. */
export function entryValueBytes(outputs: number, length: number): number {
  return outputs * length * 8;
}

export function encodeResult(key: string, result: Pick<ComputedResult, "series">): Buffer {
  const names = Object.keys(result.series.outputs);
  const length = names.length > 0 ? (result.series.outputs[names[0] as string] as Float64Array).length : 0;
  const header: Header = { key, warmup: result.series.warmup, outputs: names, length };
  const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
  const buffer = Buffer.allocUnsafe(PREFIX_BYTES + headerBytes.length + names.length * length * 8);
  MAGIC.copy(buffer, 0);
  buffer.writeUInt32LE(headerBytes.length, MAGIC.length);
  headerBytes.copy(buffer, PREFIX_BYTES);
  let offset = PREFIX_BYTES + headerBytes.length;
  for (const name of names) {
    const values = result.series.outputs[name] as Float64Array;
    if (NATIVE_LE) {
      Buffer.from(values.buffer, values.byteOffset, values.byteLength).copy(buffer, offset);
      offset += length * 8;
    } else {
      for (let i = 0; i < length; i++, offset += 8) buffer.writeDoubleLE(values[i] as number, offset);
    }
  }
  return buffer;
}

function isHeader(value: unknown): value is Header {
  if (typeof value !== "object" || value === null) return false;
  const header = value as Record<string, unknown>;
  return (
    typeof header.key === "string" &&
    (header.warmup === null || Number.isInteger(header.warmup)) &&
    Array.isArray(header.outputs) &&
    header.outputs.every((name) => typeof name === "string") &&
    Number.isInteger(header.length) &&
    (header.length as number) >= 0
  );
}

function hasShape(header: Header, expected: EntryShape): boolean {
  return (
    header.key === expected.key &&
    header.length === expected.length &&
    header.outputs.length === expected.outputs.length &&
    header.outputs.every((name, i) => name === expected.outputs[i])
  );
}

/**
 * The entry's result, or null when it is not a well-formed version-1 entry of exactly this shape.
 * Copying the doubles is cheap; encoding their JSON is not (~100 ns a value), so large entries are
 * decoded where computations run (a worker thread), not on the event loop.
 */
export function decodeResult(expected: EntryShape, bytes: Uint8Array): ComputedResult | null {
  // A worker receives the entry as a plain Uint8Array (structured cloning drops Buffer).
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < PREFIX_BYTES || !buffer.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const headerLength = buffer.readUInt32LE(MAGIC.length);
  if (PREFIX_BYTES + headerLength > buffer.length) return null;
  let header: unknown;
  try {
    header = JSON.parse(buffer.toString("utf8", PREFIX_BYTES, PREFIX_BYTES + headerLength));
  } catch {
    return null;
  }
  if (!isHeader(header) || !hasShape(header, expected)) return null;
  const { length, outputs: names } = header;
  let offset = PREFIX_BYTES + headerLength;
  if (buffer.length !== offset + names.length * length * 8) return null;
  const outputs: Record<string, Float64Array> = {};
  for (const name of names) {
    const values = new Float64Array(length);
    if (NATIVE_LE) {
      buffer.copy(Buffer.from(values.buffer), 0, offset, offset + length * 8);
      offset += length * 8;
    } else {
      for (let i = 0; i < length; i++, offset += 8) values[i] = buffer.readDoubleLE(offset);
    }
    outputs[name] = values;
  }
  const series = { outputs, warmup: header.warmup };
  return { series, valuesBytes: valuesBytes(series) };
}
