import { Piscina } from "piscina";
import { parseCandleBody } from "../../calculation/candle-scan.js";
import type { PlanOptions } from "../../calculation/plan.js";
import { calculateBodySchema, type RequestLimits } from "../../calculation/request-schema.js";
import { normalizeCandles } from "../../candles/columns.js";
import { CANDLE_COLUMNS } from "../../compute/catalog/definition.js";
import { type FieldIssue, IssueList, ServiceError } from "../../errors/registry.js";
import { zodRefusal } from "../../errors/zod-issues.js";
import type { SeriesInput } from "../../jobs/model.js";
import { type JobLimits, type ValidJob, validateArrowJob, validateJob } from "../../jobs/validate.js";
import { parseClientJson } from "../../wire/client-json.js";
import type { WireFormat } from "../../wire/media-types.js";

export interface JsonBodyTask {
  readonly bytes: Uint8Array;
  readonly limits: RequestLimits;
  /** Present for a POST /jobs body: validated as a whole job instead of a calculate body. */
  readonly job?: {
    readonly jobLimits: JobLimits;
    readonly plan: PlanOptions;
    /** The body's format: a JSON job, or an Arrow job stream in long form. */
    readonly format: WireFormat;
  };
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
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    const raw = parseClientJson(text);
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
