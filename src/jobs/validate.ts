import { z } from "zod";
import { rejectBadCandleValues } from "../calculation/candle-scan.js";
import { type PlanOptions, planCalculation } from "../calculation/plan.js";
import { calculateBodySchema, type RequestLimits } from "../calculation/request-schema.js";
import { type ErrorCode, IssueList, MAX_REPORTED_ISSUES, ServiceError } from "../errors/registry.js";
import { addZodIssues } from "../errors/zod-issues.js";
import type { JobSpec, SeriesInput } from "./model.js";

export interface JobLimits {
  readonly maxSeries: number;
  /** All series' candles together. */
  readonly maxCandles: number;
}

/** The POST /jobs body: many calculate bodies' candles, one set of indicators and options. */
export function jobBodySchema(limits: RequestLimits, jobLimits: JobLimits) {
  const calculate = calculateBodySchema(limits).shape;
  return z.strictObject({
    series: z
      .array(seriesSchema(limits))
      .min(1)
      .max(jobLimits.maxSeries)
      .describe("The series to compute, each validated as a calculate body's candles would be."),
    indicators: calculate.indicators,
    options: calculate.options,
  });
}

function seriesSchema(limits: RequestLimits) {
  const calculate = calculateBodySchema(limits).shape;
  return z.strictObject({
    key: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe("The series' name in events and results, unique in the job. Default: its index."),
    symbol: calculate.symbol,
    interval: calculate.interval,
    candles: calculate.candles,
  });
}

export interface ValidJob {
  readonly spec: JobSpec;
  readonly series: readonly SeriesInput[];
}

/** One candle of every column: planning the indicators against it finds their own problems once, not per series. */
const STAND_IN_CANDLES = { open: [1], high: [1], low: [1], close: [1], volume: [1] };

/**
 * Prefixes a refused series' issues with where the series is; a refusal without issues becomes
 * one at the series. A full list may have left problems uncounted: the total becomes a lower bound.
 */
function addPlanProblem(error: ServiceError, issues: IssueList, prefix: string): void {
  if (error.issues.length === 0) issues.add(prefix, error.message);
  for (const issue of error.issues) issues.add(`${prefix}.${issue.path}`, issue.message);
  if (error.issues.length >= MAX_REPORTED_ISSUES) issues.stopped();
}

/**
 * Validates a whole job before anything is queued: the indicators once, then every series as a
 * calculate body with those indicators would be (candle values, shapes, the columns the
 * indicators read, the per-request compute and response limits), with paths such as
 * `series[17].candles.close[3]`. Every problem is reported at once, capped like a calculate
 * body's; the first code met names the refusal, VALIDATION_FAILED when several kinds are met.
 */
export function validateJob(
  body: unknown,
  limits: RequestLimits,
  jobLimits: JobLimits,
  planOptions: PlanOptions,
): ValidJob {
  const issues = new IssueList();
  const codes = new Set<ErrorCode>();
  const shell = z
    .strictObject({
      series: z.array(z.unknown()).min(1).max(jobLimits.maxSeries),
      indicators: z.unknown(),
      options: z.unknown().optional(),
    })
    .safeParse(body);
  if (!shell.success) {
    addZodIssues(shell.error.issues, issues);
    const tooMany = shell.error.issues.some(
      (issue) => issue.code === "too_big" && issue.path[0] === "series",
    );
    throw issues.toError(tooMany ? "JOB_TOO_LARGE" : "VALIDATION_FAILED");
  }
  const { series, indicators, options } = shell.data;
  const fail = (error: unknown, prefix: string) => {
    if (!(error instanceof ServiceError)) throw error;
    codes.add(error.code);
    addPlanProblem(error, issues, prefix);
  };

  const calculate = calculateBodySchema(limits);
  // The indicators as every series is planned with them and as the job keeps them: parsed once.
  let spec: JobSpec | undefined;
  try {
    const standIn = calculate.parse({ candles: STAND_IN_CANDLES, indicators, options });
    planCalculation(standIn, planOptions);
    spec = { indicators: standIn.indicators, options: standIn.options };
  } catch (error) {
    if (error instanceof z.ZodError) {
      codes.add("VALIDATION_FAILED");
      addZodIssues(
        error.issues.filter((issue) => issue.path[0] !== "candles"),
        issues,
      );
    } else if (error instanceof ServiceError) {
      // Problems of the indicators themselves; the stand-in candles have none of their own.
      codes.add(error.code);
      for (const issue of error.issues) issues.add(issue.path, issue.message);
    } else throw error;
  }

  const schema = seriesSchema(limits);
  const inputs: SeriesInput[] = [];
  const keyOwner = new Map<string, number>();
  let candles = 0;
  for (let i = 0; i < series.length; i++) {
    if (issues.full) {
      issues.stopped();
      break;
    }
    const prefix = `series[${i}]`;
    try {
      rejectBadCandleValues(series[i], schema);
      const parsed = schema.safeParse(series[i]);
      if (!parsed.success) {
        codes.add("VALIDATION_FAILED");
        addZodIssues(parsed.error.issues, issues, prefix);
        continue;
      }
      const { key = String(i), symbol, interval } = parsed.data;
      const first = keyOwner.get(key);
      if (first !== undefined) {
        codes.add("VALIDATION_FAILED");
        issues.add(
          `${prefix}.key`,
          `key "${key}" is already used by series[${first}]; keys are unique in a job.`,
        );
        continue;
      }
      keyOwner.set(key, i);
      if (!spec) continue;
      const plan = planCalculation({ ...spec, candles: parsed.data.candles }, planOptions);
      candles += plan.candles.length;
      inputs.push({ key, symbol, interval, columns: plan.candles.columns, length: plan.candles.length });
    } catch (error) {
      fail(error, prefix);
    }
  }
  if (candles > jobLimits.maxCandles) {
    codes.add("JOB_TOO_LARGE");
    issues.add(
      "series",
      `holds ${candles} candles in all; the limit is ${jobLimits.maxCandles} (MAX_JOB_CANDLES). Split the job.`,
    );
  }
  // No spec means the indicators failed, which left issues.
  if (!issues.empty || !spec) {
    throw issues.toError(codes.size === 1 ? ([...codes][0] as ErrorCode) : "VALIDATION_FAILED");
  }
  return { spec, series: inputs };
}
