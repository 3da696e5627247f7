import { Piscina } from "piscina";
import { rejectBadCandleValues } from "../../calculation/candle-scan.js";
import { calculateBodySchema, type RequestLimits } from "../../calculation/request-schema.js";
import { normalizeCandles } from "../../candles/columns.js";
import { CANDLE_COLUMNS } from "../../compute/catalog/definition.js";
import { type FieldIssue, IssueList, ServiceError } from "../../errors/registry.js";
import { addZodIssues } from "../../errors/zod-issues.js";
import { parseClientJson } from "../json-body.js";

export interface JsonBodyTask {
  readonly bytes: Uint8Array;
  readonly limits: RequestLimits;
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
 * schema, candles into Float64Array columns), run in a worker thread for large bodies. Errors
 * travel as data: structured cloning would turn a ServiceError into a plain Error.
 */
export default function parseJsonBody({ bytes, limits }: JsonBodyTask) {
  try {
    const schema = schemaFor(limits);
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    const raw = parseClientJson(text);
    rejectBadCandleValues(raw, schema);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issues = new IssueList();
      addZodIssues(parsed.error.issues, issues, "");
      throw issues.toError();
    }
    const { candles: bodyCandles, ...request } = parsed.data;
    const candles = normalizeCandles(bodyCandles, new IssueList());
    if (!candles) return { kind: "body", body: parsed.data } satisfies JsonBodyOutcome;
    const columns = CANDLE_COLUMNS.filter((name) => candles.columns[name] !== undefined);
    const values = new Float64Array(columns.length * candles.length);
    columns.forEach((name, i) => {
      values.set(candles.columns[name] as Float64Array, i * candles.length);
    });
    const outcome: JsonBodyOutcome = { kind: "decoded", request, columns, length: candles.length, values };
    return Piscina.move({
      [Piscina.transferableSymbol]: values.buffer,
      [Piscina.valueSymbol]: outcome,
    } as never);
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
