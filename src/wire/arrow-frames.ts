import { DictionaryBatch } from "apache-arrow/fb/dictionary-batch";
import { Field } from "apache-arrow/fb/field";
import { FieldNode } from "apache-arrow/fb/field-node";
import { Message } from "apache-arrow/fb/message";
import { MessageHeader } from "apache-arrow/fb/message-header";
import { RecordBatch } from "apache-arrow/fb/record-batch";
import { Schema } from "apache-arrow/fb/schema";
import { ByteBuffer } from "flatbuffers";

/**
 * More batches than this are refused: writers batch tens of thousands of rows, and each batch
 * costs a header decode, so a body of a million one-row batches is work, not data.
 */
export const MAX_RECORD_BATCHES = 1_000;

/** A candle schema is flat; this bounds what a hostile one can make the decoder walk. */
const MAX_SCHEMA_FIELDS = 64;
const MAX_FIELD_DEPTH = 4;

/** Flatbuffer vectors of offsets hold 4 bytes per element, FieldNode and Buffer structs 16. */
const OFFSET_BYTES = 4;
const STRUCT_BYTES = 16;

export class FrameError extends Error {}

/** The batches' rows add up to more than the limit: said before any of them is decoded. */
export class TooManyRowsError extends FrameError {
  constructor(readonly rows: bigint) {
    super(`the stream holds at least ${rows} rows`);
  }
}

function fits(count: number, elementBytes: number, metadataBytes: number, what: string): void {
  if (count < 0 || count * elementBytes > metadataBytes) {
    throw new FrameError(`${what} claims ${count} entries, more than its ${metadataBytes}-byte header holds`);
  }
}

function checkField(field: Field, metadataBytes: number, depth: number, budget: { fields: number }): void {
  if (--budget.fields < 0) throw new FrameError(`the schema has more than ${MAX_SCHEMA_FIELDS} fields`);
  if (depth > MAX_FIELD_DEPTH) throw new FrameError(`the schema nests deeper than ${MAX_FIELD_DEPTH} levels`);
  fits(field.customMetadataLength(), OFFSET_BYTES, metadataBytes, "a field's metadata");
  const children = field.childrenLength();
  fits(children, OFFSET_BYTES, metadataBytes, "a field's children");
  for (let i = 0; i < children; i++) {
    const child = field.children(i, new Field());
    if (child) checkField(child, metadataBytes, depth + 1, budget);
  }
}

function checkSchema(schema: Schema, metadataBytes: number): void {
  fits(schema.customMetadataLength(), OFFSET_BYTES, metadataBytes, "the schema's metadata");
  const count = schema.fieldsLength();
  fits(count, OFFSET_BYTES, metadataBytes, "the schema's field list");
  const budget = { fields: MAX_SCHEMA_FIELDS };
  for (let i = 0; i < count; i++) {
    const field = schema.fields(i, new Field());
    if (field) checkField(field, metadataBytes, 1, budget);
  }
}

/** Checks one batch header and returns its rows. */
function checkRecordBatch(batch: RecordBatch, metadataBytes: number): bigint {
  const rows = batch.length();
  if (rows < 0n) throw new FrameError(`a record batch claims ${rows} rows`);
  const nodes = batch.nodesLength();
  fits(nodes, STRUCT_BYTES, metadataBytes, "a record batch's field nodes");
  fits(batch.buffersLength(), STRUCT_BYTES, metadataBytes, "a record batch's buffers");
  fits(batch.variadicBufferCountsLength(), 8, metadataBytes, "a record batch's variadic buffer counts");
  const node = new FieldNode();
  for (let i = 0; i < nodes; i++) {
    batch.nodes(i, node);
    const length = node.length();
    const nulls = node.nullCount();
    if (length < 0n || length > rows || nulls < 0n || nulls > length) {
      throw new FrameError(`a column of a ${rows}-row batch claims ${length} values and ${nulls} nulls`);
    }
  }
  return rows;
}

/**
 * Walks the frames of an Arrow IPC stream and checks every count its headers declare against the
 * bytes that carry them, before apache-arrow decodes anything. Flatbuffers are not bounds-checked:
 * a header whose field-node count is flipped to two billion made the decoder allocate until the
 * process died (found by the suite's fuzzer). Throws FrameError with the reason.
 */
export function checkArrowFrames(bytes: Uint8Array, maxRows: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let batches = 0;
  let schemas = 0;
  let rows = 0n;
  while (at + 4 <= bytes.byteLength) {
    let metadataBytes = view.getInt32(at, true);
    at += 4;
    // A continuation marker precedes the length since format 0.15; older writers omit it.
    if (metadataBytes === -1) {
      if (at + 4 > bytes.byteLength) throw new FrameError("the stream ends inside a message prefix");
      metadataBytes = view.getInt32(at, true);
      at += 4;
    }
    if (metadataBytes === 0) return;
    if (metadataBytes < 0 || at + metadataBytes > bytes.byteLength) {
      throw new FrameError(`a message header claims ${metadataBytes} bytes; ${bytes.byteLength - at} remain`);
    }
    const message = Message.getRootAsMessage(new ByteBuffer(bytes.subarray(at, at + metadataBytes)));
    const bodyBytes = message.bodyLength();
    const remaining = bytes.byteLength - at - metadataBytes;
    if (bodyBytes < 0n || bodyBytes > BigInt(remaining)) {
      throw new FrameError(`a message body claims ${bodyBytes} bytes; ${remaining} remain`);
    }
    fits(message.customMetadataLength(), OFFSET_BYTES, metadataBytes, "a message's metadata");
    switch (message.headerType()) {
      case MessageHeader.Schema:
        if (++schemas > 1) throw new FrameError("the stream holds a second schema");
        checkSchema(message.header(new Schema()) as Schema, metadataBytes);
        break;
      case MessageHeader.RecordBatch:
        if (schemas === 0) throw new FrameError("a record batch comes before the schema");
        if (++batches > MAX_RECORD_BATCHES) {
          throw new FrameError(`the stream holds more than ${MAX_RECORD_BATCHES} record batches`);
        }
        rows += checkRecordBatch(message.header(new RecordBatch()) as RecordBatch, metadataBytes);
        if (rows > BigInt(maxRows)) throw new TooManyRowsError(rows);
        break;
      case MessageHeader.DictionaryBatch: {
        // Decoded so the column it belongs to can be named and refused as dictionary-encoded.
        if (++batches > MAX_RECORD_BATCHES) {
          throw new FrameError(`the stream holds more than ${MAX_RECORD_BATCHES} batches`);
        }
        const data = (message.header(new DictionaryBatch()) as DictionaryBatch).data(new RecordBatch());
        if (data && checkRecordBatch(data, metadataBytes) > BigInt(maxRows)) {
          throw new FrameError(`a dictionary holds more than ${maxRows} values`);
        }
        break;
      }
      default:
        throw new FrameError(
          `the stream holds a message of type ${message.headerType()}, not a schema or record batch`,
        );
    }
    at += metadataBytes + Number(bodyBytes);
  }
}
