import {
  AsyncByteQueue,
  type Data,
  Field,
  Float64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Utf8,
} from "apache-arrow";

/** The schema metadata key that carries the response's JSON (everything but the values). */
export const RESPONSE_METADATA_KEY = "response";

export interface ArrowColumn {
  readonly name: string;
  /** NaN where the series has no value: written as null (a cleared validity bit). */
  readonly values: Float64Array;
}

/**
 * Collects the writer's output as the list of chunks it writes instead of joining them: the
 * value buffers are the columns' own memory, so the response is sent without one copy of the
 * values (a fresh multi-megabyte buffer costs ~2.5 ms per MB in page faults on these machines).
 */
class ChunkList extends AsyncByteQueue {
  readonly chunks: Uint8Array[] = [];
  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.chunks.push(value);
  }
}

/**
 * The validity bitmap of a column: undefined when every value is present. Kernels start with a
 * run of NaN (the warm-up) and rarely have one later, so the run is cleared byte by byte and
 * the rest is looked at once for a stray NaN.
 */
function validity(values: Float64Array): { bitmap: Uint8Array | undefined; nulls: number } {
  const length = values.length;
  let lead = 0;
  while (lead < length && Number.isNaN(values[lead])) lead++;
  let bitmap: Uint8Array | undefined;
  let nulls = lead;
  if (lead > 0) {
    bitmap = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
    bitmap.fill(0, 0, lead >> 3);
    for (let i = lead & ~7; i < lead; i++) bitmap[i >> 3] = (bitmap[i >> 3] as number) & ~(1 << (i & 7));
  }
  for (let i = lead; i < length; i++) {
    if (!Number.isNaN(values[i])) continue;
    bitmap ??= new Uint8Array(Math.ceil(length / 8)).fill(0xff);
    bitmap[i >> 3] = (bitmap[i >> 3] as number) & ~(1 << (i & 7));
    nulls++;
  }
  return { bitmap, nulls };
}

/** A nullable Float64 column's data: null where the value is NaN. */
function floatData(values: Float64Array): Data {
  const { bitmap, nulls } = validity(values);
  return makeData({
    type: new Float64(),
    length: values.length,
    nullCount: nulls,
    nullBitmap: bitmap,
    data: values,
  });
}

function batchOf(schema: Schema, children: Data[], length: number): RecordBatch {
  return new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }),
  );
}

/**
 * One Arrow IPC stream of one record batch: a nullable Float64 column per entry, the given
 * metadata on the schema. Returned as the chunks to send in order (headers, padding and the
 * columns' own bytes), not joined.
 */
export function encodeArrowColumns(
  columns: readonly ArrowColumn[],
  metadata: ReadonlyMap<string, string>,
): Uint8Array[] {
  const length = columns[0]?.values.length ?? 0;
  const fields = columns.map(({ name }) => new Field(name, new Float64(), true));
  const schema = new Schema(fields, new Map(metadata));
  const sink = new ChunkList();
  const writer = new RecordBatchStreamWriter();
  writer.reset(sink);
  writer.write(
    batchOf(
      schema,
      columns.map(({ values }) => floatData(values)),
      length,
    ),
  );
  writer.finish();
  return sink.chunks;
}

/** `label` on each of `rows` rows, as a Utf8 column's data. */
function repeatedLabel(label: string, rows: number): Data {
  const bytes = Buffer.from(label);
  const data = new Uint8Array(bytes.length * rows);
  const valueOffsets = new Int32Array(rows + 1);
  for (let row = 0; row < rows; row++) {
    data.set(bytes, row * bytes.length);
    valueOffsets[row + 1] = (row + 1) * bytes.length;
  }
  return makeData({ type: new Utf8(), length: rows, nullCount: 0, valueOffsets, data });
}

/**
 * An Arrow IPC stream written a record batch at a time, for answers too large to hold at once:
 * a Utf8 label column (which series a row belongs to, the long form data frames read) and then
 * one nullable Float64 column per value name. Each call returns the bytes to send next.
 */
export class LabelledBatchStream {
  readonly #schema: Schema;
  readonly #sink = new ChunkList();
  readonly #writer = new RecordBatchStreamWriter();

  constructor(labelName: string, valueNames: readonly string[], metadata: ReadonlyMap<string, string>) {
    const fields = [
      new Field(labelName, new Utf8(), false),
      ...valueNames.map((name) => new Field(name, new Float64(), true)),
    ];
    this.#schema = new Schema(fields, new Map(metadata));
    this.#writer.reset(this.#sink, this.#schema);
  }

  /** One batch: `label` on every row, `values` in the value names' order, all of one length. */
  write(label: string, values: readonly Float64Array[]): Uint8Array[] {
    const rows = values[0]?.length ?? 0;
    this.#writer.write(batchOf(this.#schema, [repeatedLabel(label, rows), ...values.map(floatData)], rows));
    return this.#take();
  }

  /** The end of the stream (the schema too, when no batch was written). */
  end(): Uint8Array[] {
    this.#writer.finish();
    return this.#take();
  }

  #take(): Uint8Array[] {
    return this.#sink.chunks.splice(0);
  }
}
