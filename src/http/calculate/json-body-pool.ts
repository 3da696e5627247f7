import { availableParallelism } from "node:os";
import type { Piscina } from "piscina";
import type { CalculationRequest } from "../../calculation/plan.js";
import type { RequestLimits } from "../../calculation/request-schema.js";
import { DecodedCandles } from "../../candles/columns.js";
import { createThreadPool, ownedBytes } from "../../compute/executor.js";
import { problem, ServiceError } from "../../errors/registry.js";
import type { SeriesInput } from "../../jobs/model.js";
import type { JobLimits, ValidJob } from "../../jobs/validate.js";
import { ValidatedBody } from "../validation.js";
import type { JsonBodyOutcome, JsonBodyTask } from "./json-body-worker.js";

export interface JsonBodyPoolOptions {
  readonly maxThreads: number;
  /** Bodies that may wait for a thread; one more is refused with 503 OVERLOADED. */
  readonly maxQueue: number;
}

/** The Retry-After of a body refused because every parser thread is busy and the queue full. */
const QUEUE_FULL_RETRY_AFTER_S = 1;

/**
 * Reads large JSON bodies in worker threads (json-body-worker.ts), so that parsing and checking
 * megabytes never holds the event loop: the main thread gets the request back with its candles
 * as Float64Array columns in one moved buffer. A worker that dies fails only the bodies it held
 * (500 INTERNAL, nothing computed or cached) and piscina starts another.
 */
export class JsonBodyPool {
  readonly #options: JsonBodyPoolOptions;
  #pool: Piscina | undefined;
  #pending = 0;

  constructor(options: JsonBodyPoolOptions) {
    this.#options = options;
  }

  /** Bodies handed to a worker and not yet back. */
  get pending(): number {
    return this.#pending;
  }

  /** Tasks the threads have finished (for tests: a split job is one task more than its parts). */
  get completedTasks(): number {
    return this.#pool?.completed ?? 0;
  }

  /** The pool's threads (for tests that stop one mid-body). */
  get threads(): readonly { terminate(): Promise<number> }[] {
    return this.#pool?.threads ?? [];
  }

  async parse(body: Buffer, limits: RequestLimits): Promise<ValidatedBody<CalculationRequest>> {
    const outcome = orThrow(await this.#run(ownedBytes(body), (bytes) => ({ bytes, limits })));
    switch (outcome.kind) {
      case "body":
        return new ValidatedBody(outcome.body as CalculationRequest);
      case "decoded": {
        const { values, length } = outcome;
        const columns = Object.fromEntries(
          outcome.columns.map((name, i) => [name, values.subarray(i * length, (i + 1) * length)]),
        );
        const candles = new DecodedCandles(columns as DecodedCandles["columns"], length);
        return new ValidatedBody({ ...outcome.request, candles } as CalculationRequest);
      }
      default:
        throw unexpected(outcome.kind);
    }
  }

  /**
   * A POST /jobs body, parsed and validated as a whole job (validateJob) in the workers. A large
   * JSON job is split: one thread finds where its series lie (bytes, not parsed), then each
   * thread parses and validates a run of them. When a part is refused, or the parts cannot be
   * joined (a key in two parts, too many candles in all), the whole body is validated again in
   * one thread: a refusal then lists exactly the problems, in the order, of an unsplit job.
   */
  async parseJob(
    body: Buffer,
    limits: RequestLimits,
    job: NonNullable<JsonBodyTask["job"]>,
  ): Promise<ValidatedBody<ValidJob>> {
    const threads = Math.min(this.#options.maxThreads, availableParallelism());
    const splitInto =
      job.format === "json" && threads > 1 && body.length >= SPLIT_MIN_BYTES ? threads : undefined;
    const first = await this.#run(ownedBytes(body), (bytes) => ({
      bytes,
      limits,
      job: { ...job, splitInto },
    }));
    if (first.kind !== "split") return new ValidatedBody(validJob([orThrow(first)]));
    const parts = await Promise.all(
      first.parts.map((part) =>
        this.#run(first.bytes, (bytes) => ({ bytes, limits, job: { ...job, part } })),
      ),
    );
    const joined = parts.every((part) => part.kind === "job") ? validJob(parts) : undefined;
    if (joined && joinable(joined, job.jobLimits)) return new ValidatedBody(joined);
    const whole = await this.#run(first.bytes, (bytes) => ({ bytes, limits, job }));
    return new ValidatedBody(validJob([orThrow(whole)]));
  }

  /** The outcome of `task` in a thread; `bytes` move there unless they are shared memory. */
  async #run(bytes: Uint8Array, task: (bytes: Uint8Array) => JsonBodyTask): Promise<JsonBodyOutcome> {
    this.#pool ??= createThreadPool(import.meta.url, "json-body-worker", this.#options.maxThreads);
    if (this.#pool.queueSize >= this.#options.maxQueue) {
      throw problem("OVERLOADED", {
        reason: `Every body parser thread is busy and ${this.#options.maxQueue} bodies wait`,
        retryAfterSeconds: QUEUE_FULL_RETRY_AFTER_S,
      });
    }
    this.#pending++;
    try {
      const transferList = bytes.buffer instanceof SharedArrayBuffer ? [] : [bytes.buffer];
      return (await this.#pool.run(task(bytes), { transferList })) as JsonBodyOutcome;
    } catch (error) {
      throw problem(
        "INTERNAL",
        {
          reason:
            "The thread reading the body stopped before it finished; nothing was computed or cached. Retrying is safe.",
        },
        { cause: error },
      );
    } finally {
      this.#pending--;
    }
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
    this.#pool = undefined;
  }
}

/** JSON job bodies from this size are split over the threads: below, a thread validates one in ~10 ms. */
const SPLIT_MIN_BYTES = 1_024 * 1_024;

/** The outcome, or its problem thrown as the ServiceError it was in the thread. */
function orThrow(outcome: JsonBodyOutcome): Exclude<JsonBodyOutcome, { kind: "problem" }> {
  if (outcome.kind === "problem") {
    throw ServiceError.reworded(outcome.code, outcome.detail, outcome.issues);
  }
  return outcome;
}

/** The series of the validated parts of a job, in order, each a view of its part's moved values. */
function validJob(parts: readonly JsonBodyOutcome[]): ValidJob {
  const series: SeriesInput[] = [];
  for (const part of parts) {
    if (part.kind !== "job") throw unexpected(part.kind);
    const { values } = part;
    for (const { columns: names, offset, ...rest } of part.series) {
      const columns = Object.fromEntries(
        names.map((name, i) => [
          name,
          values.subarray(offset + i * rest.length, offset + (i + 1) * rest.length),
        ]),
      );
      series.push({ ...rest, columns: columns as SeriesInput["columns"] });
    }
  }
  return { spec: (parts[0] as { spec: ValidJob["spec"] }).spec, series };
}

/** What no part could check alone: keys unique across parts, the job's candles in all. */
function joinable({ series }: ValidJob, { maxCandles }: JobLimits): boolean {
  const keys = new Set(series.map(({ key }) => key));
  const candles = series.reduce((sum, { length }) => sum + length, 0);
  return keys.size === series.length && candles <= maxCandles;
}

function unexpected(kind: string): Error {
  return new Error(`the body worker answered ${kind} to another kind of body`);
}

export interface JsonBodyWorkers {
  readonly pool: JsonBodyPool;
  /** Bodies of at least this many bytes are read in the pool (JSON_BODY_WORKER_MIN_BYTES). */
  readonly minBytes: number;
}
