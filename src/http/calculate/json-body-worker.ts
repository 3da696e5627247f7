import { Piscina } from "piscina";
import { parseCandleBody } from "../../calculation/candle-scan.js";
import type { PlanOptions } from "../../calculation/plan.js";
import { calculateBodySchema, type RequestLimits } from "../../calculation/request-schema.js";
import { normalizeCandles } from "../../candles/columns.js";
import { CANDLE_COLUMNS } from "../../candles/vocabulary.js";
import { type FieldIssue, IssueList, ServiceError } from "../../errors/registry.js";
import { zodRefusal } from "../../errors/zod-issues.js";
import type { SeriesInput } from "../../jobs/model.js";
import { type JobLimits, type ValidJob, validateArrowJob, validateJob } from "../../jobs/validate.js";
import { parseClientJson } from "../../wire/client-json.js";
import { splitArrayMember } from "../../wire/json-array-split.js";
import type { WireFormat } from "../../wire/media-types.js";

export interface JsonBodyTask {
  /** The body; a view of shared memory when the parts of one split job read it. */
  readonly bytes: Uint8Array;
  readonly limits: RequestLimits;
  /** Present for a POST /jobs body: validated as a whole job instead of a calculate body. */
  readonly job?: JobTask;
}

export interface JobTask {
  readonly jobLimits: JobLimits;
  readonly plan: PlanOptions;
  /** The body's format: a JSON job, or an Arrow job stream in long form. */
  readonly format: WireFormat;
  /** A JSON job's series may be split into this many parts, each validated by a thread of its own. */
  readonly splitInto?: number;
  /** Validate only this part of a split job's series. */
  readonly part?: JobPart;
}

/** A run of a split JSON job's series: the bytes of whole elements of its `series` array. */
export interface JobPart {
  /** The job body with `series` emptied: its indicators, options and whatever else the client sent. */
  readonly rest: Record<string, unknown>;
  readonly from: number;
  readonly to: number;
  /** The index in the job of the part's first series: its paths and default key. */
  readonly firstIndex: number;
}

/** One series of a decoded job: its candle columns are `columns.length * length` values from `offset` on. */
export interface DecodedSeries extends Omit<SeriesInput, "columns"> {
  readonly columns: readonly string[];
  readonly offset: number;
}

/**
 * What a worker makes of a JSON body. `decoded`: valid, its candle columns in one moved buffer
 * (`columns` in order, `length` values each). `body`: valid in shape, but its candles break a rule
 * the plan reports together with the request's other semantic problems, so the parsed body goes
 * back as it is. `problem`: the error to answer with.
 */
export type JsonBodyOutcome =
  | {
      readonly kind: "decoded";
      readonly request: Record<string, unknown>;
      readonly columns: readonly string[];
      readonly length: number;
      readonly values: Float64Array;
    }
  | { readonly kind: "body"; readonly body: unknown }
  | {
      readonly kind: "job";
      readonly spec: ValidJob["spec"];
      readonly series: readonly DecodedSeries[];
      readonly values: Float64Array;
    }
  | {
      readonly kind: "split";
      /** The body again, in shared memory, for the parts to read. */
      readonly bytes: Uint8Array;
      readonly parts: readonly JobPart[];
    }
  | {
      readonly kind: "problem";
      readonly code: ServiceError["code"];
      readonly detail: string;
      readonly issues: readonly FieldIssue[];
    };

const schemas = new Map<string, ReturnType<typeof calculateBodySchema>>();

function schemaFor(limits: RequestLimits) {
  const key = `${limits.maxCandles}/${limits.maxIndicators}`;
  let schema = schemas.get(key);
  if (!schema) {
    schema = calculateBodySchema(limits);
    schemas.set(key, schema);
  }
  return schema;
}

/**
 * The JSON body path of the event loop (parse, the typed pass over candle values, the body
 * schema, candles into Float64Array columns), run in a worker thread for large bodies; also a
 * job's whole validation, for a JSON job or an Arrow one (planning thousands of series). Errors
 * travel as data: structured cloning would turn a ServiceError into a plain Error.
 */
export default function parseJsonBody({ bytes, limits, job }: JsonBodyTask) {
  try {
    if (job?.format === "arrow") return packJob(validateArrowJob(bytes, limits, job.jobLimits, job.plan));
    if (job?.part) {
      const { rest, from, to, firstIndex } = job.part;
      const series = parseClientJson(`[${utf8(bytes, from, to)}]`);
      return packJob(validateJob({ ...rest, series }, limits, job.jobLimits, job.plan, firstIndex));
    }
    const split = job?.splitInto ? splitJob(bytes, job.splitInto) : undefined;
    if (split) return split;
    const raw = parseClientJson(utf8(bytes, 0, bytes.length));
    if (job) return packJob(validateJob(raw, limits, job.jobLimits, job.plan));
    const schema = schemaFor(limits);
    const parsed = parseCandleBody(raw, schema, limits);
    if (!parsed.success) throw zodRefusal(parsed.error.issues);
    const { candles: bodyCandles, ...request } = parsed.data;
    const candles = normalizeCandles(bodyCandles, new IssueList());
    if (!candles) return { kind: "body", body: parsed.data } satisfies JsonBodyOutcome;
    const columns = CANDLE_COLUMNS.filter((name) => candles.columns[name] !== undefined);
    const values = new Float64Array(columns.length * candles.length);
    columns.forEach((name, i) => {
      values.set(candles.columns[name] as Float64Array, i * candles.length);
    });
    return moved({ kind: "decoded", request, columns, length: candles.length, values });
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return {
      kind: "problem",
      code: error.code,
      detail: error.message,
      issues: error.issues,
    } satisfies JsonBodyOutcome;
  }
}

function utf8(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString("utf8");
}

/**
 * A JSON job's series in `count` runs of about equal bytes, with the body copied into shared
 * memory for the threads that validate them; undefined when the body is not plainly a job object
 * with a `series` array of at least `count` elements (then it is validated whole, which words any
 * problem exactly). The rest of the body is parsed here with the array emptied: a second
 * `series` member, spelled with escapes, would then not be the empty array.
 */
function splitJob(bytes: Uint8Array, count: number): JsonBodyOutcome | undefined {
  const found = splitArrayMember(bytes, "series");
  if (!found || found.bounds.length / 2 < count) return undefined;
  let rest: unknown;
  try {
    rest = parseClientJson(
      `${utf8(bytes, 0, found.valueStart)}[]${utf8(bytes, found.valueEnd, bytes.length)}`,
    );
  } catch {
    return undefined;
  }
  if (typeof rest !== "object" || rest === null || Array.isArray(rest)) return undefined;
  const { series } = rest as { series?: unknown };
  if (!Array.isArray(series) || series.length !== 0) return undefined;
  const elements = found.bounds.length / 2;
  const share = (found.valueEnd - found.valueStart) / count;
  const parts: JobPart[] = [];
  let first = 0;
  for (let part = 0; part < count; part++) {
    // Whole elements up to this part's share of the bytes, leaving one at least for each later part.
    const limit = found.valueStart + share * (part + 1);
    let last = first;
    while (last < elements - (count - part) && (found.bounds[2 * last + 1] as number) < limit) last++;
    if (part === count - 1) last = elements - 1;
    parts.push({
      rest: rest as Record<string, unknown>,
      from: found.bounds[2 * first] as number,
      to: found.bounds[2 * last + 1] as number,
      firstIndex: first,
    });
    first = last + 1;
  }
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  return { kind: "split", bytes: shared, parts };
}

/** The outcome with its values' memory moved to the main thread, not copied. */
function moved(outcome: JsonBodyOutcome & { values: Float64Array }) {
  return Piscina.move({
    [Piscina.transferableSymbol]: outcome.values.buffer,
    [Piscina.valueSymbol]: outcome,
  } as never);
}

/** A valid job with every series' columns packed into one buffer (one move for thousands of series). */
function packJob({ spec, series }: ValidJob) {
  let total = 0;
  for (const input of series) total += input.length * Object.keys(input.columns).length;
  const values = new Float64Array(total);
  let offset = 0;
  const decoded = series.map(({ columns, ...rest }) => {
    const names = CANDLE_COLUMNS.filter((name) => columns[name] !== undefined);
    const start = offset;
    for (const name of names) {
      values.set(columns[name] as Float64Array, offset);
      offset += rest.length;
    }
    return { ...rest, columns: names, offset: start };
  });
  return moved({ kind: "job", spec, series: decoded, values });
}
