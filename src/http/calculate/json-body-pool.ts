import type { Piscina } from "piscina";
import type { CalculationRequest } from "../../calculation/plan.js";
import type { RequestLimits } from "../../calculation/request-schema.js";
import { DecodedCandles } from "../../candles/columns.js";
import { createThreadPool, ownedBytes } from "../../compute/executor.js";
import { ServiceError } from "../../errors/registry.js";
import type { SeriesInput } from "../../jobs/model.js";
import type { ValidJob } from "../../jobs/validate.js";
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

  /** The pool's threads (for tests that stop one mid-body). */
  get threads(): readonly { terminate(): Promise<number> }[] {
    return this.#pool?.threads ?? [];
  }

  async parse(body: Buffer, limits: RequestLimits): Promise<ValidatedBody<CalculationRequest>> {
    const outcome = await this.#run(body, (bytes) => ({ bytes, limits }));
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

  /** A POST /jobs body, parsed and validated as a whole job (validateJob) in a worker. */
  async parseJob(
    body: Buffer,
    limits: RequestLimits,
    job: NonNullable<JsonBodyTask["job"]>,
  ): Promise<ValidatedBody<ValidJob>> {
    const outcome = await this.#run(body, (bytes) => ({ bytes, limits, job }));
    if (outcome.kind !== "job") throw unexpected(outcome.kind);
    const { values } = outcome;
    const series = outcome.series.map(({ columns: names, offset, ...rest }) => {
      const columns = Object.fromEntries(
        names.map((name, i) => [
          name,
          values.subarray(offset + i * rest.length, offset + (i + 1) * rest.length),
        ]),
      );
      return { ...rest, columns: columns as SeriesInput["columns"] };
    });
    return new ValidatedBody({ spec: outcome.spec, series });
  }

  async #run(body: Buffer, task: (bytes: Buffer) => JsonBodyTask): Promise<JsonBodyOutcome> {
    this.#pool ??= createThreadPool(import.meta.url, "json-body-worker", this.#options.maxThreads);
    if (this.#pool.queueSize >= this.#options.maxQueue) {
      throw new ServiceError(
        "OVERLOADED",
        `Every body parser thread is busy and ${this.#options.maxQueue} bodies wait; retry shortly.`,
        { headers: { "retry-after": String(QUEUE_FULL_RETRY_AFTER_S) } },
      );
    }
    const bytes = ownedBytes(body);
    let outcome: JsonBodyOutcome;
    this.#pending++;
    try {
      outcome = (await this.#pool.run(task(bytes), {
        transferList: [bytes.buffer as ArrayBuffer],
      })) as JsonBodyOutcome;
    } catch (error) {
      throw new ServiceError(
        "INTERNAL",
        "The thread reading the body stopped before it finished; nothing was computed or cached. Retrying is safe.",
        { cause: error },
      );
    } finally {
      this.#pending--;
    }
    if (outcome.kind === "problem") {
      throw new ServiceError(outcome.code, outcome.detail, { issues: outcome.issues });
    }
    return outcome;
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
    this.#pool = undefined;
  }
}

function unexpected(kind: string): Error {
  return new Error(`the body worker answered ${kind} to another kind of body`);
}

export interface JsonBodyWorkers {
  readonly pool: JsonBodyPool;
  /** Bodies of at least this many bytes are read in the pool (JSON_BODY_WORKER_MIN_BYTES). */
  readonly minBytes: number;
}
