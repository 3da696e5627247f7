import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { type CalculationPlan, type PlanOptions, planCalculation } from "../calculation/plan.js";
import { renderSeriesLine } from "../calculation/render.js";
import { DecodedCandles } from "../candles/columns.js";
import { PoolQueueFullError } from "../compute/executor.js";
import { problem, ServiceError } from "../errors/registry.js";
import type { SmartScheduler } from "../scheduler/scheduler.js";
import {
  type JobObserver,
  type JobQueue,
  type JobRecord,
  type JobSpec,
  type JobStore,
  type JobView,
  noSources,
  type RecordResult,
  type SeriesInput,
  type SeriesOutcome,
  TERMINAL_STATUSES,
} from "./model.js";
import { seriesDigest } from "./series-digest.js";
import { Turns } from "./turns.js";
import type { ValidJob } from "./validate.js";

export interface JobRunnerOptions {
  readonly store: JobStore;
  readonly queue: JobQueue;
  readonly scheduler: SmartScheduler;
  readonly plan: PlanOptions;
  /** Series per queued chunk: the unit of work a replica takes, and of what a dead replica's successor redoes. */
  readonly seriesPerChunk: number;
  /** The refused submitter's wait when the store is unreachable. */
  readonly retryAfterSeconds: number;
  /** How long a series retries while the worker pool's queue is full, before it fails. */
  readonly poolWaitMs: number;
  readonly log: Logger;
  readonly observer?: JobObserver;
}

/** The first retry of a series that found the pool's queue full, doubling up to the longest. */
const POOL_RETRY_FIRST_MS = 20;
const POOL_RETRY_LONGEST_MS = 1_000;

/** 128 bits, URL-safe: a job's id is also what lets a client read it without API keys. */
const JOB_ID_BYTES = 16;

/**
 * Batch jobs on top of the SmartScheduler: a submitted job is split into chunks of series; a
 * worker (any replica's, with a fleet) plans each series as a calculate request would be planned
 * and runs its units through the scheduler, so every unit already computed anywhere is a cache
 * hit and identical units in flight are computed once fleet-wide. Each finished series is
 * recorded with its result line and events in one step of the store.
 */
export class JobRunner {
  readonly #options: JobRunnerOptions;
  /** One series' CPU work per turn of the event loop, over every chunk this replica runs. */
  readonly #turns = new Turns();

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    options.queue.start((jobId, chunk) => this.#process(jobId, chunk));
  }

  async submit(job: ValidJob, owner: string): Promise<JobView> {
    const id = randomBytes(JOB_ID_BYTES).toString("base64url");
    const size = this.#options.seriesPerChunk;
    const chunks: SeriesInput[][] = [];
    for (let i = 0; i < job.series.length; i += size) chunks.push(job.series.slice(i, i + size));
    const createdAt = Date.now();
    const keys = job.series.map((series) => series.key);
    await this.#unavailableOnFailure(() =>
      this.#options.store.create({
        id,
        owner,
        spec: job.spec,
        keys,
        chunks,
        seriesPerChunk: size,
        createdAt,
      }),
    );
    try {
      await this.#options.queue.enqueue(id, chunks.length);
    } catch (error) {
      // A job nobody will ever run must not look queued.
      await this.#options.store.cancel(id).catch(() => undefined);
      throw this.#unavailable(error);
    }
    this.#options.observer?.submitted();
    return {
      id,
      status: "queued",
      createdAt: new Date(createdAt).toISOString(),
      progress: { done: 0, failed: 0, total: keys.length, sources: noSources() },
      errors: [],
    };
  }

  /** The job as its owner sees it; JOB_NOT_FOUND for anyone else, as for a job that does not exist. */
  async get(id: string, owner: string): Promise<JobRecord> {
    const record = await this.#unavailableOnFailure(() => this.#options.store.get(id));
    if (!record || record.owner !== owner) {
      throw problem("JOB_NOT_FOUND", { id });
    }
    return record;
  }

  async cancel(id: string, owner: string): Promise<JobRecord> {
    const before = await this.get(id, owner);
    const record = await this.#unavailableOnFailure(() => this.#options.store.cancel(id));
    if (!record) throw problem("JOB_NOT_FOUND", { id });
    if (!TERMINAL_STATUSES.has(before.view.status) && record.view.status === "cancelled") {
      this.#options.observer?.ended("cancelled", Date.now() - Date.parse(record.view.createdAt));
    }
    return record;
  }

  get store(): JobStore {
    return this.#options.store;
  }

  get queue(): JobQueue {
    return this.#options.queue;
  }

  async #process(jobId: string, chunk: number): Promise<void> {
    const { store } = this.#options;
    // Cancelled or over: nothing new starts. Series already started finish; the store refuses
    // their records once the job has ended.
    const record = await store.get(jobId);
    if (!record || TERMINAL_STATUSES.has(record.view.status)) return;
    const first = chunk * record.seriesPerChunk;
    const input = await store.input(jobId, chunk);
    if (!input) {
      // Gone although the job is not over: Redis lost it (restarted without persistence). The
      // series fail with a reason rather than leave the job running forever.
      const last = Math.min(record.keys.length, first + record.seriesPerChunk);
      for (let index = first; index < last; index++) {
        const key = record.keys[index] as string;
        await this.#record(
          record,
          failure(index, key, "JOBS_UNAVAILABLE", "The job store lost this series' input."),
        );
      }
      return;
    }
    const spec = record.spec;
    // A chunk taken over from a replica that died: what that one recorded stays as it is.
    const recorded = await store.results(jobId, first, input.length);
    // The chunk's series at once: their units overlap in the scheduler and their Redis calls
    // share round trips, where one series after another would wait on each (bench:jobs).
    await Promise.all(
      input.map(async (series, i) => {
        if (recorded[i]) return;
        await this.#runSeries(record, spec, first + i, series);
      }),
    );
    await store.dropInput(jobId, chunk);
  }

  /**
   * One series: from the series cache when an earlier job recorded the same content with the
   * same indicators (one round trip, no bytes), else through the scheduler like a calculate
   * request, whose cost policy decides what is worth coordinating.
   */
  async #runSeries(job: JobRecord, spec: JobSpec, index: number, series: SeriesInput): Promise<void> {
    await this.#turns.next();
    let plan: CalculationPlan;
    try {
      plan = planCalculation(
        { ...spec, candles: new DecodedCandles(series.columns, series.length) },
        this.#options.plan,
      );
    } catch (error) {
      return this.#record(job, this.#failure(error, index, series.key));
    }
    const digest = seriesDigest(plan);
    const cached = await this.#options.store.recordCached(job.view.id, {
      index,
      key: series.key,
      digest,
      units: plan.results.length,
    });
    if (cached !== "miss") return this.#observeRecord(job, cached, false);
    await this.#turns.next();
    await this.#record(job, await this.#computeSeries(job.view.id, plan, index, series.key, digest));
  }

  async #record(job: JobRecord, outcome: SeriesOutcome): Promise<void> {
    const result = await this.#options.store.record(job.view.id, outcome);
    this.#observeRecord(job, result, outcome.error !== undefined);
  }

  #observeRecord(job: JobRecord, result: RecordResult, failed: boolean): void {
    const observer = this.#options.observer;
    if (!observer || result === "skipped") return;
    observer.seriesRecorded(failed);
    if (result !== "recorded") observer.ended(result, Date.now() - Date.parse(job.view.createdAt));
  }

  async #computeSeries(
    jobId: string,
    plan: CalculationPlan,
    index: number,
    key: string,
    digest: string,
  ): Promise<SeriesOutcome> {
    const units = plan.results.map((result) => result.unit);
    const startedAt = performance.now();
    // A job is background work: while calculate requests fill the pool's queue (and are told to
    // come back with 503), its series wait and retry instead of failing at once.
    for (let pauseMs = POOL_RETRY_FIRST_MS; ; pauseMs = Math.min(2 * pauseMs, POOL_RETRY_LONGEST_MS)) {
      try {
        const scheduled = await this.#options.scheduler.runAll(units);
        const sources = noSources();
        for (const { source } of scheduled) sources[source]++;
        const line = renderSeriesLine(key, plan.results, scheduled, plan.presentation);
        return { index, key, line, sources, digest };
      } catch (error) {
        const waitedMs = Math.round(performance.now() - startedAt);
        if (!(error instanceof PoolQueueFullError)) return this.#failure(error, index, key);
        const gaveUp = (reason: string) =>
          this.#failure(problem("OVERLOADED", { reason, retryAfterSeconds: 5 }), index, key);
        if (waitedMs + pauseMs > this.#options.poolWaitMs)
          return gaveUp(`The worker pool's queue stayed full for ${waitedMs} ms (JOB_POOL_WAIT_MS)`);
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        // A job cancelled meanwhile wants nothing more (the store refuses this record anyway).
        const job = await this.#options.store.get(jobId).catch(() => undefined);
        if (!job || TERMINAL_STATUSES.has(job.view.status))
          return gaveUp("The job ended while this series waited for room in the worker pool");
      }
    }
  }

  #failure(error: unknown, index: number, key: string): SeriesOutcome {
    if (error instanceof ServiceError) return failure(index, key, error.code, error.message);
    this.#options.log.error({ err: error, index }, "a job series failed");
    return failure(index, key, "INTERNAL", "The series could not be computed.");
  }

  async #unavailableOnFailure<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  #unavailable(error: unknown): ServiceError {
    if (error instanceof ServiceError) return error;
    return problem(
      "JOBS_UNAVAILABLE",
      { retryAfterSeconds: this.#options.retryAfterSeconds },
      { cause: error },
    );
  }
}

function failure(index: number, key: string, code: ServiceError["code"], detail: string): SeriesOutcome {
  const line = Buffer.from(JSON.stringify({ key, error: { code, detail } }));
  return { index, key, line, sources: noSources(), error: { code, detail } };
}
