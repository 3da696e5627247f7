import { problem } from "../errors/registry.js";
import { RESULT_SOURCES } from "../scheduler/types.js";
import { seriesEventData, terminalEventData } from "./events.js";
import {
  type JobEvent,
  type JobEventType,
  type JobRecord,
  type JobStatus,
  type JobStore,
  jobView,
  LISTED_SERIES_ERRORS,
  type NewJob,
  noSources,
  type RecordResult,
  type SeriesError,
  type SeriesInput,
  type SeriesOutcome,
  TERMINAL_STATUSES,
} from "./model.js";
import { finalStatus, progressDue } from "./progress.js";

export interface MemoryJobStoreOptions {
  /** Inputs, results and event logs of every job held, together. */
  readonly maxBytes: number;
  readonly ttlMs: number;
  /** The refused submitter's wait when the bound is reached by jobs still running. */
  readonly retryAfterSeconds: number;
}

interface MemoryJob {
  readonly id: string;
  readonly owner: string;
  readonly spec: NewJob["spec"];
  readonly keys: readonly string[];
  readonly seriesPerChunk: number;
  readonly createdAt: number;
  readonly inputs: (readonly SeriesInput[] | null)[];
  readonly results: (Buffer | null)[];
  readonly events: JobEvent[];
  readonly errors: SeriesError[];
  readonly sources: ReturnType<typeof noSources>;
  readonly waiters: Set<() => void>;
  status: JobStatus;
  startedAt?: number;
  finishedAt?: number;
  done: number;
  failed: number;
  lastProgressAt: number;
  lastProgressFinished: number;
  bytes: number;
  expiry: NodeJS.Timeout;
}

function inputBytes(series: readonly SeriesInput[]): number {
  let bytes = 0;
  for (const { columns } of series)
    for (const column of Object.values(columns)) bytes += column?.byteLength ?? 0;
  return bytes;
}

/**
 * The standalone job store: everything in this process, bounded by bytes. Ended jobs are evicted
 * oldest first to make room; when running jobs alone fill the bound, a new job is refused with
 * 503 and Retry-After, never queued into memory the process does not have.
 */
export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, MemoryJob>();
  readonly #options: MemoryJobStoreOptions;
  #bytes = 0;

  constructor(options: MemoryJobStoreOptions) {
    this.#options = options;
  }

  get bytes(): number {
    return this.#bytes;
  }

  async create(job: NewJob): Promise<void> {
    const bytes = job.chunks.reduce((sum, chunk) => sum + inputBytes(chunk), 0);
    this.#makeRoom(bytes);
    const total = job.keys.length;
    const stored: MemoryJob = {
      id: job.id,
      owner: job.owner,
      spec: job.spec,
      keys: job.keys,
      seriesPerChunk: job.seriesPerChunk,
      createdAt: job.createdAt,
      inputs: [...job.chunks],
      results: new Array<Buffer | null>(total).fill(null),
      events: [],
      errors: [],
      sources: noSources(),
      waiters: new Set(),
      status: "queued",
      done: 0,
      failed: 0,
      lastProgressAt: job.createdAt,
      lastProgressFinished: 0,
      bytes,
      expiry: setTimeout(() => this.#delete(job.id), this.#options.ttlMs).unref(),
    };
    this.#jobs.set(job.id, stored);
    this.#bytes += bytes;
  }

  async get(id: string): Promise<JobRecord | null> {
    const job = this.#jobs.get(id);
    return job ? this.#record(job) : null;
  }

  async input(id: string, chunk: number): Promise<readonly SeriesInput[] | null> {
    return this.#jobs.get(id)?.inputs[chunk] ?? null;
  }

  async dropInput(id: string, chunk: number): Promise<void> {
    const job = this.#jobs.get(id);
    if (job) this.#dropInput(job, chunk);
  }

  #dropInput(job: MemoryJob, chunk: number): void {
    const input = job.inputs[chunk];
    if (!input) return;
    job.inputs[chunk] = null;
    this.#resize(job, -inputBytes(input));
  }

  async record(id: string, outcome: SeriesOutcome): Promise<RecordResult> {
    const job = this.#jobs.get(id);
    if (!job || TERMINAL_STATUSES.has(job.status) || job.results[outcome.index] !== null) return "skipped";
    const now = Date.now();
    job.results[outcome.index] = outcome.line;
    this.#resize(job, outcome.line.length);
    if (job.status === "queued") {
      job.status = "running";
      job.startedAt = now;
    }
    if (outcome.error) {
      job.failed++;
      if (job.errors.length < LISTED_SERIES_ERRORS) job.errors.push({ key: outcome.key, ...outcome.error });
    } else job.done++;
    for (const source of RESULT_SOURCES) job.sources[source] += outcome.sources[source];
    this.#append(job, "series", seriesEventData(outcome, now));
    const finished = job.done + job.failed;
    const total = job.keys.length;
    if (progressDue(finished, total, job.lastProgressFinished, job.lastProgressAt, now)) {
      job.lastProgressAt = now;
      job.lastProgressFinished = finished;
      this.#append(job, "progress", JSON.stringify(this.#progress(job, now)));
    }
    if (finished < total) return "recorded";
    const status = finalStatus(job.done);
    this.#end(job, status, now);
    return status;
  }

  async recordCached(): Promise<"miss"> {
    return "miss";
  }

  async cancel(id: string): Promise<JobRecord | null> {
    const job = this.#jobs.get(id);
    if (!job) return null;
    if (!TERMINAL_STATUSES.has(job.status)) this.#end(job, "cancelled", Date.now());
    return this.#record(job);
  }

  async results(id: string, from: number, count: number): Promise<(Buffer | null)[]> {
    return this.#jobs.get(id)?.results.slice(from, from + count) ?? [];
  }

  async *follow(id: string, after: string | undefined, signal: AbortSignal): AsyncIterable<JobEvent> {
    const job = this.#jobs.get(id);
    if (!job) return;
    // Ids are `0-n`, the n-th event: the shape of a Redis Stream id, so clients see one format.
    let next = after === undefined ? 0 : Number(after.split("-")[1] ?? 0);
    while (!signal.aborted && this.#jobs.has(id)) {
      while (next < job.events.length) {
        const event = job.events[next++] as JobEvent;
        yield event;
        if (TERMINAL_STATUSES.has(event.type as JobStatus)) return;
      }
      if (TERMINAL_STATUSES.has(job.status)) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          job.waiters.delete(wake);
          signal.removeEventListener("abort", wake);
          resolve();
        };
        job.waiters.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
  }

  async close(): Promise<void> {
    for (const id of [...this.#jobs.keys()]) this.#delete(id);
  }

  #progress(job: MemoryJob, at: number) {
    return { done: job.done, failed: job.failed, total: job.keys.length, sources: { ...job.sources }, at };
  }

  #end(job: MemoryJob, status: JobStatus, now: number): void {
    job.status = status;
    job.finishedAt = now;
    for (let chunk = 0; chunk < job.inputs.length; chunk++) this.#dropInput(job, chunk);
    this.#append(job, status as JobEventType, terminalEventData(status, this.#progress(job, now)));
  }

  #append(job: MemoryJob, type: JobEventType, data: string): void {
    job.events.push({ id: `0-${job.events.length + 1}`, type, data });
    this.#resize(job, data.length);
    for (const wake of [...job.waiters]) wake();
  }

  #resize(job: MemoryJob, delta: number): void {
    job.bytes += delta;
    this.#bytes += delta;
  }

  #makeRoom(bytes: number): void {
    const ended = [...this.#jobs.values()]
      .filter((job) => TERMINAL_STATUSES.has(job.status))
      .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
    while (this.#bytes + bytes > this.#options.maxBytes && ended.length > 0) {
      this.#delete((ended.shift() as MemoryJob).id);
    }
    if (this.#bytes + bytes > this.#options.maxBytes) {
      throw problem("OVERLOADED", {
        reason: `Running jobs hold ${this.#bytes} bytes and this one needs ${bytes}; the bound is ${this.#options.maxBytes} (JOB_MEMORY_MAX_BYTES)`,
        retryAfterSeconds: this.#options.retryAfterSeconds,
      });
    }
  }

  #delete(id: string): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    clearTimeout(job.expiry);
    this.#jobs.delete(id);
    this.#bytes -= job.bytes;
    for (const wake of [...job.waiters]) wake();
  }

  #record(job: MemoryJob): JobRecord {
    const view = jobView({ ...job, total: job.keys.length });
    return {
      view,
      owner: job.owner,
      spec: job.spec,
      keys: job.keys,
      chunks: job.inputs.length,
      seriesPerChunk: job.seriesPerChunk,
    };
  }
}
