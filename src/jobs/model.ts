import type { CalculationRequest } from "../calculation/plan.js";
import type { CandleColumns } from "../candles/vocabulary.js";
import type { ErrorCode } from "../errors/registry.js";
import type { ResultSource } from "../scheduler/types.js";

export const JOB_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(["completed", "failed", "cancelled"]);

export type SourceCounts = Record<ResultSource, number>;

export function noSources(): SourceCounts {
  return { computed: 0, memory: 0, shared: 0, awaited: 0, joined: 0 };
}

/** One series of a job as the engine computes it: validated candle columns, no JSON left. */
export interface SeriesInput {
  readonly key: string;
  readonly symbol?: string | undefined;
  readonly interval?: string | undefined;
  readonly columns: CandleColumns;
  readonly length: number;
}

/** What every series of a job is computed with: `indicators` and `options` of a calculate body, validated (defaults filled in). */
export type JobSpec = Pick<CalculationRequest, "indicators" | "options">;

/** Errors a job view lists; the count of failed series is exact either way. */
export const LISTED_SERIES_ERRORS = 100;

export interface SeriesError {
  readonly key: string;
  readonly code: ErrorCode;
  readonly detail: string;
}

/** A job as GET /jobs/{id} shows it. */
export interface JobView {
  readonly id: string;
  readonly status: JobStatus;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly progress: {
    readonly done: number;
    readonly failed: number;
    readonly total: number;
    readonly sources: SourceCounts;
  };
  readonly errors: readonly SeriesError[];
}

/** A job's view from what a store keeps: times as epoch ms, absent until they happen. */
export function jobView(job: {
  readonly id: string;
  readonly status: JobStatus;
  readonly createdAt: number;
  readonly startedAt?: number | undefined;
  readonly finishedAt?: number | undefined;
  readonly done: number;
  readonly failed: number;
  readonly total: number;
  readonly sources: SourceCounts;
  readonly errors: readonly SeriesError[];
}): JobView {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: job.id,
    status: job.status,
    createdAt: iso(job.createdAt),
    ...(job.startedAt === undefined ? {} : { startedAt: iso(job.startedAt) }),
    ...(job.finishedAt === undefined ? {} : { finishedAt: iso(job.finishedAt) }),
    progress: { done: job.done, failed: job.failed, total: job.total, sources: { ...job.sources } },
    errors: [...job.errors],
  };
}

/** The stored job: its view plus what only the service needs. */
export interface JobRecord {
  readonly view: JobView;
  /** Digest of the creator's API key; "" without API keys. */
  readonly owner: string;
  readonly spec: JobSpec;
  /** Series keys in input order: the results' order and `?key=`'s index. */
  readonly keys: readonly string[];
  readonly chunks: number;
  /** Series per chunk: chunk c holds series [c * seriesPerChunk, (c + 1) * seriesPerChunk). */
  readonly seriesPerChunk: number;
}

export const JOB_EVENT_TYPES = ["progress", "series", "completed", "failed", "cancelled"] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

/**
 * One event of a job's log. `id` orders events (a Redis Stream id, or a counter standalone) and is
 * what a client resumes from; `data` is its JSON text, as stored.
 */
export interface JobEvent {
  readonly id: string;
  readonly type: JobEventType;
  readonly data: string;
}

/** One finished series: its result line for the results, or the error that ended it. */
export interface SeriesOutcome {
  readonly index: number;
  readonly key: string;
  /** The series' NDJSON line without the newline: `{"key":...,"results":[...]}` or `{"key":...,"error":{...}}`. */
  readonly line: Buffer;
  readonly sources: SourceCounts;
  readonly error?: { readonly code: ErrorCode; readonly detail: string };
  /** The series' content digest (seriesDigest): its results are cached under it for the next job. */
  readonly digest?: string;
}

/** A series about to be computed, looked up first by its content digest in the series cache. */
export interface CachedSeries {
  readonly index: number;
  readonly key: string;
  readonly digest: string;
  /** Its units: a cached series counts them all as shared-cache hits. */
  readonly units: number;
}

export interface NewJob {
  readonly id: string;
  readonly owner: string;
  readonly spec: JobSpec;
  readonly keys: readonly string[];
  /** Series in input order, already split into the chunks workers take one at a time. */
  readonly chunks: readonly (readonly SeriesInput[])[];
  readonly seriesPerChunk: number;
  readonly createdAt: number;
}

/**
 * Where jobs, their inputs, results and event logs live: in process standalone, in Redis with a
 * fleet. Recording a series is idempotent and atomic with its events, so a chunk run twice
 * (a worker died mid-chunk) neither doubles a result nor an event.
 */
export interface JobStore {
  create(job: NewJob): Promise<void>;
  get(id: string): Promise<JobRecord | null>;
  input(id: string, chunk: number): Promise<readonly SeriesInput[] | null>;
  /** A chunk's input is no longer needed once all its series are recorded. */
  dropInput(id: string, chunk: number): Promise<void>;
  record(id: string, outcome: SeriesOutcome): Promise<RecordResult>;
  /**
   * Records a series from the series cache (a series with the same content and indicators that
   * an earlier job recorded), or says `miss`. The memory store always misses: standalone, the
   * memory cache of units answers a resubmitted job as well.
   */
  recordCached(id: string, series: CachedSeries): Promise<RecordResult | "miss">;
  /** Cancels a job that has not ended; returns its record after, null when there is no such job. */
  cancel(id: string): Promise<JobRecord | null>;
  /** Result lines of series `[from, from + count)`, null where a series has not finished. */
  results(id: string, from: number, count: number): Promise<(Buffer | null)[]>;
  /** Events after `after` (all without it), then live ones, ending after the terminal event or on `signal`. */
  follow(id: string, after: string | undefined, signal: AbortSignal): AsyncIterable<JobEvent>;
  close(): Promise<void>;
}

/**
 * What recording a series did: `skipped` when it was recorded before or the job had ended,
 * `recorded`, or the job's final status when it was the last series.
 */
export type RecordResult = "skipped" | "recorded" | "completed" | "failed";

/** What the job engine reports as it works, for metrics (the metrics module implements it). */
export interface JobObserver {
  submitted(): void;
  seriesRecorded(failed: boolean): void;
  /** A job this replica ended: by its last series, or by a cancel. */
  ended(status: JobStatus, durationMs: number): void;
  /** An event reached a client `lagMs` after it was written. */
  delivered(lagMs: number): void;
}

/** Chunks waiting for a worker: BullMQ with a fleet, an in-process queue standalone. */
export interface JobQueue {
  enqueue(jobId: string, chunks: number): Promise<void>;
  /** Starts taking chunks; `process` resolves once every series of the chunk is recorded. */
  start(process: (jobId: string, chunk: number) => Promise<void>): void;
  /** Chunks waiting and running, for metrics. */
  depth(): Promise<number>;
  /** Takes no new chunk and waits for the running ones. */
  close(): Promise<void>;
}
