import { z } from "zod";
import { parseCandleBody } from "../calculation/candle-scan.js";
import {
  type CalculationRequest,
  type PlannedResult,
  type PlanOptions,
  planCalculation,
} from "../calculation/plan.js";
import { calculateBodySchema, type RequestLimits } from "../calculation/request-schema.js";
import { type ErrorCode, IssueList, MAX_REPORTED_ISSUES, ServiceError } from "../errors/registry.js";
import { addZodIssues } from "../errors/zod-issues.js";
import { decodeArrowSeries, REQUEST_METADATA_KEY } from "../wire/arrow-request.js";
import { parseClientJson } from "../wire/client-json.js";
import type { JobSpec, SeriesInput } from "./model.js";

export interface JobLimits {
  readonly maxSeries: number;
  /** All series' candles together. */
  readonly maxCandles: number;
}

export const ARROW_JOB_DESCRIPTION =
  "One Arrow IPC stream in long form: a Utf8 `key` column naming each row's series and the candle columns of a calculate stream (`open`, `high`, `low`, `close` required, `volume` Float64; `time` Int64, Float64 or Timestamp(ms)); no nulls. A series is a run of consecutive rows with the same key, in time order; a key met again after another series is refused as a duplicate. `indicators` and `options` are JSON in the schema metadata under `request`. Problems have the paths of a JSON job: `series[2].candles.close[3]`, `metadata.request.indicators[0]`.";

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

/** A series' name, in a JSON job's `key` member or an Arrow job's `key` column. */
const seriesKey = z.string().min(1).max(128);

function seriesSchema(limits: RequestLimits) {
  const calculate = calculateBodySchema(limits).shape;
  return z.strictObject({
    key: seriesKey
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

/** What every series of a job is planned into, for what does not depend on its candles (the Arrow results' columns). */
export function planJobResults(spec: JobSpec, planOptions: PlanOptions): readonly PlannedResult[] {
  return planCalculation({ ...spec, candles: STAND_IN_CANDLES }, planOptions).results;
}

/** Where an Arrow job's indicators and options are, in its problems' paths. */
const ARROW_REQUEST_PATH = `metadata.${REQUEST_METADATA_KEY}`;

/** A series as both job formats hand it over, its candles parsed but not yet planned. */
interface SeriesCandidate {
  readonly key: string;
  readonly symbol?: string | undefined;
  readonly interval?: string | undefined;
  readonly candles: CalculationRequest["candles"];
}

/**
 * What both job formats share: the indicators checked once, then each series planned with them,
 * keys kept unique and candles counted; every problem collected with the series' path, the first
 * code met naming the refusal (VALIDATION_FAILED when several kinds are met).
 */
class JobCollector {
  readonly issues = new IssueList();
  readonly #codes = new Set<ErrorCode>();
  readonly #inputs: SeriesInput[] = [];
  readonly #keyOwner = new Map<string, number>();
  readonly #limits: RequestLimits;
  readonly #planOptions: PlanOptions;
  #candles = 0;
  #spec: JobSpec | undefined;

  constructor(limits: RequestLimits, planOptions: PlanOptions) {
    this.#limits = limits;
    this.#planOptions = planOptions;
  }

  /** Notes the code of a problem found: the refusal is named after it when it is the only kind. */
  fail(code: ErrorCode): void {
    this.#codes.add(code);
  }

  /** The indicators as every series is planned with them and as the job keeps them: parsed once. */
  planIndicators(indicators: unknown, options: unknown, prefix: string): void {
    const at = (path: string) => (prefix ? `${prefix}.${path}` : path);
    try {
      const standIn = calculateBodySchema(this.#limits).parse({
        candles: STAND_IN_CANDLES,
        indicators,
        options,
      });
      planCalculation(standIn, this.#planOptions);
      this.#spec = { indicators: standIn.indicators, options: standIn.options };
    } catch (error) {
      if (error instanceof z.ZodError) {
        this.fail("VALIDATION_FAILED");
        addZodIssues(
          error.issues.filter((issue) => issue.path[0] !== "candles"),
          this.issues,
          prefix,
        );
      } else if (error instanceof ServiceError) {
        // Problems of the indicators themselves; the stand-in candles have none of their own.
        this.fail(error.code);
        for (const issue of error.issues) this.issues.add(at(issue.path), issue.message);
      } else throw error;
    }
  }

  /** Plans series `index` with the job's indicators, or notes why it cannot be. */
  addSeries(index: number, series: SeriesCandidate): void {
    const prefix = `series[${index}]`;
    const first = this.#keyOwner.get(series.key);
    if (first !== undefined) {
      this.fail("VALIDATION_FAILED");
      this.issues.add(
        `${prefix}.key`,
        `key "${series.key}" is already used by series[${first}]; keys are unique in a job.`,
      );
      return;
    }
    this.#keyOwner.set(series.key, index);
    if (!this.#spec) return;
    try {
      const plan = planCalculation({ ...this.#spec, candles: series.candles }, this.#planOptions);
      this.#candles += plan.candles.length;
      const { key, symbol, interval } = series;
      this.#inputs.push({
        key,
        symbol,
        interval,
        columns: plan.candles.columns,
        length: plan.candles.length,
      });
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      this.fail(error.code);
      addPlanProblem(error, this.issues, prefix);
    }
  }

  /** The valid job, or the refusal listing every problem found. */
  finish(jobLimits: JobLimits): ValidJob {
    if (this.#candles > jobLimits.maxCandles) this.tooManyCandles(this.#candles, jobLimits);
    // No spec means the indicators failed, which left issues.
    if (!this.issues.empty || !this.#spec) {
      const codes = [...this.#codes];
      throw this.issues.toError(codes.length === 1 ? (codes[0] as ErrorCode) : "VALIDATION_FAILED");
    }
    return { spec: this.#spec, series: this.#inputs };
  }

  tooManyCandles(candles: number | string, jobLimits: JobLimits): void {
    this.fail("JOB_TOO_LARGE");
    this.issues.add(
      "series",
      `holds ${candles} candles in all; the limit is ${jobLimits.maxCandles} (MAX_JOB_CANDLES). Split the job.`,
    );
  }
}

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
 * Validates a whole JSON job before anything is queued: the indicators once, then every series
 * as a calculate body with those indicators would be (candle values, shapes, the columns the
 * indicators read, the per-request compute and response limits), with paths such as
 * `series[17].candles.close[3]`. Every problem is reported at once, capped like a calculate
 * body's. `firstIndex`: the body holds a part of a job's series, the first of them at that index.
 */
export function validateJob(
  body: unknown,
  limits: RequestLimits,
  jobLimits: JobLimits,
  planOptions: PlanOptions,
  firstIndex = 0,
): ValidJob {
  const job = new JobCollector(limits, planOptions);
  const shell = z
    .strictObject({
      series: z.array(z.unknown()).min(1).max(jobLimits.maxSeries),
      indicators: z.unknown(),
      options: z.unknown().optional(),
    })
    .safeParse(body);
  if (!shell.success) {
    addZodIssues(shell.error.issues, job.issues);
    const tooMany = shell.error.issues.some(
      (issue) => issue.code === "too_big" && issue.path[0] === "series",
    );
    throw job.issues.toError(tooMany ? "JOB_TOO_LARGE" : "VALIDATION_FAILED");
  }
  const { series, indicators, options } = shell.data;
  job.planIndicators(indicators, options, "");
  const schema = seriesSchema(limits);
  for (let at = 0; at < series.length; at++) {
    const i = firstIndex + at;
    if (job.issues.full) {
      job.issues.stopped();
      break;
    }
    let parsed: ReturnType<typeof schema.safeParse>;
    try {
      parsed = parseCandleBody(series[at], schema, limits);
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      job.fail(error.code);
      addPlanProblem(error, job.issues, `series[${i}]`);
      continue;
    }
    if (!parsed.success) {
      job.fail("VALIDATION_FAILED");
      addZodIssues(parsed.error.issues, job.issues, `series[${i}]`);
      continue;
    }
    job.addSeries(i, { ...parsed.data, key: parsed.data.key ?? String(i) });
  }
  return job.finish(jobLimits);
}

/**
 * Validates an Arrow job (decodeArrowSeries: a `key` column and candle columns in long form, the
 * indicators and options as JSON under the `request` metadata) exactly as validateJob does a
 * JSON one; problems of the indicators have `metadata.request.` paths, of the series
 * `series[i].` paths.
 */
export function validateArrowJob(
  bytes: Uint8Array,
  limits: RequestLimits,
  jobLimits: JobLimits,
  planOptions: PlanOptions,
): ValidJob {
  const job = new JobCollector(limits, planOptions);
  const { series, requestJson } = decodeArrowSeries(bytes, {
    maxRows: jobLimits.maxCandles,
    maxSeries: jobLimits.maxSeries,
    refuse: (bound, count) => {
      if (bound === "rows") job.tooManyCandles(count, jobLimits);
      else {
        job.issues.add(
          "series",
          `holds ${count} series; the limit is ${jobLimits.maxSeries} (MAX_JOB_SERIES). Split the job.`,
        );
      }
      return job.issues.toError("JOB_TOO_LARGE");
    },
  });
  const request = z
    .strictObject({ indicators: z.unknown(), options: z.unknown().optional() })
    .safeParse(parseClientJson(requestJson, ARROW_REQUEST_PATH));
  if (!request.success) {
    addZodIssues(request.error.issues, job.issues, ARROW_REQUEST_PATH);
    throw job.issues.toError();
  }
  job.planIndicators(request.data.indicators, request.data.options, ARROW_REQUEST_PATH);
  for (const [i, { key, candles }] of series.entries()) {
    if (job.issues.full) {
      job.issues.stopped();
      break;
    }
    const keyProblem = seriesKey.safeParse(key);
    if (!keyProblem.success) {
      job.fail("VALIDATION_FAILED");
      addZodIssues(keyProblem.error.issues, job.issues, `series[${i}].key`);
      continue;
    }
    if (candles.length > limits.maxCandles) {
      job.fail("VALIDATION_FAILED");
      job.issues.add(
        `series[${i}].candles`,
        `has ${candles.length} candles; the limit is ${limits.maxCandles} (MAX_CANDLES)`,
      );
      continue;
    }
    job.addSeries(i, { key, candles });
  }
  return job.finish(jobLimits);
}
