import type { z } from "zod";
import { IssueList } from "../errors/registry.js";
import { addZodIssues } from "../errors/zod-issues.js";
import { CANDLE_ROW_SCHEMA, CANDLE_VALUE_SCHEMAS, type RequestLimits } from "./request-schema.js";

type CandleField = keyof typeof CANDLE_VALUE_SCHEMAS;
const CANDLE_FIELDS = Object.keys(CANDLE_VALUE_SCHEMAS) as CandleField[];

/** The same rule as CANDLE_VALUE_SCHEMAS, as a typed test: no allocation per value. */
function isWellTyped(field: CandleField, value: unknown): boolean {
  if (field === "time") return Number.isSafeInteger(value) && (value as number) >= 0;
  return typeof value === "number" && Number.isFinite(value);
}

function isWellTypedRow(row: unknown): boolean {
  if (typeof row !== "object" || row === null || Array.isArray(row)) return false;
  const record = row as Record<string, unknown>;
  let known = 0;
  for (const field of CANDLE_FIELDS) {
    const value = record[field];
    if (value === undefined) continue;
    if (!isWellTyped(field, value)) return false;
    known++;
  }
  let keys = 0;
  for (const _ in record) keys++;
  return record.close !== undefined && keys === known;
}

/** Each bad value (or row) of well-shaped candles: the first ones described by zod, the rest counted. */
function candleValueIssues(candles: unknown): IssueList {
  const issues = new IssueList();
  const describe = (schema: z.ZodType, value: unknown, path: string) => {
    if (issues.full) return issues.count(1);
    const result = schema.safeParse(value);
    if (!result.success) addZodIssues(result.error.issues, issues, path);
  };
  if (Array.isArray(candles)) {
    for (let i = 0; i < candles.length; i++) {
      if (isWellTypedRow(candles[i])) continue;
      // A bad row beyond the list is counted once, though it may hold several problems.
      if (issues.full) issues.stopped();
      describe(CANDLE_ROW_SCHEMA, candles[i], `candles[${i}]`);
    }
  } else if (typeof candles === "object" && candles !== null) {
    const columns = candles as Record<string, unknown>;
    for (const field of CANDLE_FIELDS) {
      const column = columns[field];
      if (!Array.isArray(column)) continue;
      for (let i = 0; i < column.length; i++) {
        if (!isWellTyped(field, column[i]))
          describe(CANDLE_VALUE_SCHEMAS[field], column[i], `candles.${field}[${i}]`);
      }
    }
  }
  return issues;
}

/**
 * A column of 100k strings is 100k zod issues, each an object with a message and a path, plus a
 * union's second branch: seconds of CPU and memory for a 400. This typed pass over the candle
 * values runs before zod and, when any value is bad, answers instead of it: the body's other
 * problems (zod over the body with a one-candle stand-in) then the candle values' (the first
 * described, the rest counted). A body whose values are all well typed goes to zod unchanged.
 */
export function rejectBadCandleValues(body: unknown, bodySchema: z.ZodType): void {
  if (typeof body !== "object" || body === null || !("candles" in body)) return;
  const candleIssues = candleValueIssues(body.candles);
  if (candleIssues.empty) return;
  const issues = new IssueList();
  const rest = bodySchema.safeParse({ ...body, candles: standIn(body.candles) });
  if (!rest.success) addZodIssues(rest.error.issues, issues);
  issues.append(candleIssues);
  throw issues.toError();
}

/**
 * What `bodySchema.safeParse(body)` answers, without zod walking the candle values: once the
 * typed pass found every value well typed (rejectBadCandleValues; a bad one throws its refusal),
 * zod checks the body with a one-candle stand-in of the same shape and the parsed body gets the
 * client's own arrays back. Zod over 6 million values allocated a copy of every array and took
 * a quarter of a 2,000-series job's validation (bench:jobs), for nothing the typed pass had not
 * already checked. Array lengths outside 1..`maxCandles`, or a stand-in zod refuses, take zod's
 * whole path, so every refusal is worded exactly as zod words it.
 */
export function parseCandleBody<Schema extends z.ZodType>(
  body: unknown,
  bodySchema: Schema,
  { maxCandles }: RequestLimits,
): z.ZodSafeParseResult<z.output<Schema>> {
  rejectBadCandleValues(body, bodySchema);
  if (typeof body !== "object" || body === null || !("candles" in body)) return bodySchema.safeParse(body);
  const candles = body.candles;
  const inBounds = (values: unknown) =>
    !Array.isArray(values) || (values.length >= 1 && values.length <= maxCandles);
  const fits = Array.isArray(candles)
    ? inBounds(candles)
    : typeof candles === "object" &&
      candles !== null &&
      CANDLE_FIELDS.every((field) => inBounds((candles as Record<string, unknown>)[field]));
  if (!fits) return bodySchema.safeParse(body);
  const shape = bodySchema.safeParse({ ...body, candles: standIn(candles) });
  if (!shape.success) return bodySchema.safeParse(body);
  const parsed = shape.data as { candles: unknown };
  if (Array.isArray(candles)) return { ...shape, data: { ...parsed, candles } as z.output<Schema> };
  const columns: Record<string, unknown> = { ...(parsed.candles as object) };
  for (const field of Object.keys(columns)) columns[field] = (candles as Record<string, unknown>)[field];
  return { ...shape, data: { ...parsed, candles: columns } as z.output<Schema> };
}

/** Candles of the same shape with every value column cut to one good value; unknown fields stay. */
function standIn(candles: unknown): unknown {
  if (Array.isArray(candles)) return [{ close: 0 }];
  const copy: Record<string, unknown> = { ...(candles as object) };
  for (const field of CANDLE_FIELDS) if (Array.isArray(copy[field])) copy[field] = [0];
  return copy;
}
