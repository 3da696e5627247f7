import { isFullPresentation, type Presentation, presentedValues, valuesBytes } from "../compute/serialize.js";
import { IssueList } from "../errors/registry.js";
import type { ScheduledResult } from "../scheduler/types.js";
import { SERIES_KEY_COLUMN } from "../wire/arrow-request.js";
import {
  type ArrowColumn,
  encodeArrowColumns,
  LabelledBatchStream,
  RESPONSE_METADATA_KEY,
} from "../wire/arrow-response.js";
import type { WireFormat } from "../wire/media-types.js";
import type { PlannedResult } from "./plan.js";

const CLOSE_OBJECT = Buffer.from("}");
const OPEN_ARRAY = Buffer.from("[");
const CLOSE_ARRAY = Buffer.from("]");

export interface ResponseEnvelope {
  readonly symbol?: string | undefined;
  readonly interval?: string | undefined;
  readonly candles: number;
  readonly mode: string;
  readonly elapsedMs: number;
}

/** A result's members other than `values`, in response order. */
function resultHead(plan: PlannedResult, { result, source, elapsedMs }: ScheduledResult) {
  return {
    id: plan.id,
    name: plan.definition.name,
    implementation: plan.implementation,
    params: plan.params,
    warmup: result.series.warmup,
    source,
    elapsedMs: milliseconds(elapsedMs),
  };
}

/** Timings to the microsecond: finer digits are noise and bytes. */
function milliseconds(ms: number): number {
  return Math.round(ms * 1_000) / 1_000;
}

function labels(envelope: ResponseEnvelope): Record<string, string> {
  const found: Record<string, string> = {};
  if (envelope.symbol !== undefined) found.symbol = envelope.symbol;
  if (envelope.interval !== undefined) found.interval = envelope.interval;
  return found;
}

function meta(envelope: ResponseEnvelope) {
  return {
    candles: envelope.candles,
    mode: envelope.mode,
    elapsedMs: milliseconds(envelope.elapsedMs),
  };
}

/**
 * Writes the response JSON by hand, as bytes: each result's `values` is its cached encoding for
 * the full presentation, and only tail/precision requests serialize numbers again. The response
 * is the list of buffers to send in order; megabytes of values are never spliced into a string
 * and encoded again on the way out.
 */
function renderJson(
  planned: readonly PlannedResult[],
  scheduled: readonly ScheduledResult[],
  presentation: Presentation,
  envelope: ResponseEnvelope,
): Buffer[] {
  const labelJson = JSON.stringify(labels(envelope));
  return [
    Buffer.from(labelJson === "{}" ? '{"results":' : `${labelJson.slice(0, -1)},"results":`),
    ...renderResultsJson(planned, scheduled, presentation),
    Buffer.from(`,"meta":${JSON.stringify(meta(envelope))}}`),
  ];
}

/** The `results` array of the calculate response, as the buffers to send in order (a job's result lines hold it too). */
function renderResultsJson(
  planned: readonly PlannedResult[],
  scheduled: readonly ScheduledResult[],
  presentation: Presentation,
): Buffer[] {
  const full = isFullPresentation(presentation);
  const parts: Buffer[] = [OPEN_ARRAY];
  planned.forEach((plan, i) => {
    const scheduledResult = scheduled[i] as ScheduledResult;
    const head = JSON.stringify(resultHead(plan, scheduledResult));
    parts.push(Buffer.from(`${i === 0 ? "" : ","}${head.slice(0, -1)},"values":`));
    const result = scheduledResult.result;
    parts.push(full ? result.valuesBytes : valuesBytes(result.series, presentation));
    parts.push(CLOSE_OBJECT);
  });
  parts.push(CLOSE_ARRAY);
  return parts;
}

/** What a job's series line starts with, up to its `results` array. */
export function seriesLineHead(key: string): Buffer {
  return Buffer.from(`{"key":${JSON.stringify(key)},"results":`);
}

/** One series of a job as its NDJSON line (without the newline): `{"key":...,"results":[...]}`. */
export function renderSeriesLine(
  key: string,
  planned: readonly PlannedResult[],
  scheduled: readonly ScheduledResult[],
  presentation: Presentation,
): Buffer {
  return Buffer.concat([
    seriesLineHead(key),
    ...renderResultsJson(planned, scheduled, presentation),
    CLOSE_OBJECT,
  ]);
}

/** `{id}` for a single-output result, `{id}.{output}` otherwise (`macd.signal`, `bb.upper`). */
function arrowColumnNames(plan: PlannedResult): { output: string; column: string }[] {
  const outputs = plan.definition.outputs;
  return outputs.map(({ name }) => ({
    output: name,
    column: outputs.length === 1 ? plan.id : `${plan.id}.${name}`,
  }));
}

/**
 * Ids are unique, but an id with a dot can still name the same column as another result's
 * output (`macd.signal` next to a MACD with id `macd`): the Arrow response needs distinct names.
 */
export function checkArrowColumnNames(
  planned: readonly PlannedResult[],
  reserved: readonly string[] = [],
): void {
  const owner = new Map<string, number>(reserved.map((name) => [name, -1]));
  planned.forEach((plan, index) => {
    for (const { column } of arrowColumnNames(plan)) {
      const first = owner.get(column);
      if (first !== undefined) {
        const issues = new IssueList();
        issues.add(
          `indicators[${index}].id`,
          first < 0
            ? `makes the Arrow column "${column}", which the answer uses for its own; give the result another id`
            : `makes the Arrow column "${column}", which indicators[${first}] already makes; give the results ids that do not collide`,
        );
        throw issues.toError();
      }
      owner.set(column, index);
    }
  });
}

/**
 * The Arrow response: one nullable Float64 column per output, null exactly where the JSON
 * response has null, and the JSON response without the values under the schema's `response`
 * metadata.
 */
function renderArrow(
  planned: readonly PlannedResult[],
  scheduled: readonly ScheduledResult[],
  presentation: Presentation,
  envelope: ResponseEnvelope,
): Uint8Array[] {
  const columns: ArrowColumn[] = [];
  planned.forEach((plan, i) => {
    const outputs = (scheduled[i] as ScheduledResult).result.series.outputs;
    for (const { output, column } of arrowColumnNames(plan)) {
      columns.push({ name: column, values: presentedValues(outputs[output] as Float64Array, presentation) });
    }
  });
  const response = {
    ...labels(envelope),
    results: planned.map((plan, i) => resultHead(plan, scheduled[i] as ScheduledResult)),
    meta: meta(envelope),
  };
  return encodeArrowColumns(columns, new Map([[RESPONSE_METADATA_KEY, JSON.stringify(response)]]));
}

/** The response body in the negotiated format, as the buffers to send in order. */
export function renderCalculation(
  format: WireFormat,
  planned: readonly PlannedResult[],
  scheduled: readonly ScheduledResult[],
  presentation: Presentation,
  envelope: ResponseEnvelope,
): Uint8Array[] {
  return format === "arrow"
    ? renderArrow(planned, scheduled, presentation, envelope)
    : renderJson(planned, scheduled, presentation, envelope);
}

interface StoredLine {
  readonly key: string;
  readonly results?: readonly { readonly values: (number | null)[] | Record<string, (number | null)[]> }[];
}

const toDoubles = (values: readonly (number | null)[]) =>
  Float64Array.from(values, (value) => (value === null ? Number.NaN : value));

/**
 * A job's results as one Arrow IPC stream in long form, written a series at a time: a Utf8 `key`
 * column and the calculate response's Arrow columns, one record batch per finished series (a
 * failed series has no rows; its error is in the job's status and NDJSON line). The schema
 * metadata `response` holds the job id and each result's id, name, implementation and params.
 * Built from the stored NDJSON lines: the numbers in them are the shortest text that reads back
 * as the same double, so the columns are bit for bit what calculate's Arrow answer holds.
 */
export class JobResultsArrow {
  readonly #planned: readonly PlannedResult[];
  readonly #stream: LabelledBatchStream;

  constructor(jobId: string, planned: readonly PlannedResult[]) {
    checkArrowColumnNames(planned, [SERIES_KEY_COLUMN]);
    this.#planned = planned;
    const response = {
      job: jobId,
      results: planned.map(({ id, definition, implementation, params }) => ({
        id,
        name: definition.name,
        implementation,
        params,
      })),
    };
    this.#stream = new LabelledBatchStream(
      SERIES_KEY_COLUMN,
      planned.flatMap((plan) => arrowColumnNames(plan).map(({ column }) => column)),
      new Map([[RESPONSE_METADATA_KEY, JSON.stringify(response)]]),
    );
  }

  /** The bytes of one series' line (nothing for a failed series). */
  write(line: Buffer): Uint8Array[] {
    const { key, results } = JSON.parse(line.toString("utf8")) as StoredLine;
    if (!results) return [];
    const columns: Float64Array[] = [];
    this.#planned.forEach((plan, i) => {
      const values = results[i]?.values ?? [];
      for (const { output } of arrowColumnNames(plan)) {
        columns.push(toDoubles(Array.isArray(values) ? values : (values[output] ?? [])));
      }
    });
    // The line is this service's own; a column of another length would be a corrupt batch.
    const rows = columns[0]?.length ?? 0;
    if (columns.some((column) => column.length !== rows)) {
      throw new Error(`the stored line of series "${key}" has columns of different lengths`);
    }
    return this.#stream.write(key, columns);
  }

  end(): Uint8Array[] {
    return this.#stream.end();
  }
}
