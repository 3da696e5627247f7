import { Transform } from "node:stream";
import type { FastifyReply, FastifyRequest, preParsingAsyncHookHandler } from "fastify";
import { PoolQueueFullError } from "../compute/executor.js";
import { problem, type ServiceError } from "../errors/registry.js";
import type { AdmissionBudget, AdmissionTicket, RefusalReason } from "../scheduler/admission.js";
import type { WorkUnit } from "../scheduler/types.js";

/**
 * Bytes a replica holds per byte of a JSON body while it handles it: the text, the parsed
 * arrays, the validated copy and the Float64Array columns (numbers are 8 bytes parsed and
 * ~10-18 as text, so each copy is roughly half the text again).
 */
export const BODY_FOOTPRINT = 3;
/**
 * Bytes held per output value of a result: the Float64Array, its cached JSON text and the
 * response that carries it (a full-precision double is ~18 characters).
 */
export const RESULT_BYTES_PER_VALUE = 48;

declare module "fastify" {
  interface FastifyRequest {
    /** This request's share of the replica's work budget; null on routes without one. */
    admission: RequestAdmission | null;
  }
}

/**
 * A request's ticket, released once its response is over *and* the work it started has
 * settled: a request answered early (deadline, client gone) leaves computations running that
 * still hold their memory, and the budget must keep counting them.
 */
export class RequestAdmission {
  readonly #ticket: AdmissionTicket;
  readonly #refuse: (reason: RefusalReason) => ServiceError;
  #bodyBytes = 0;
  #work: Promise<unknown> | undefined;
  #closed = false;

  constructor(ticket: AdmissionTicket, reply: FastifyReply, refuse: (reason: RefusalReason) => ServiceError) {
    this.#ticket = ticket;
    this.#refuse = refuse;
    reply.raw.once("close", () => {
      this.#closed = true;
      this.#releaseWhenSettled();
    });
  }

  /** The body's bytes so far: declared by Content-Length, or counted as a chunked body arrives. */
  holdBody(bytes: number): void {
    this.#bodyBytes = bytes;
    this.#require(bytes * BODY_FOOTPRINT, 0);
  }

  /**
   * Grows the holding to what the planned request needs (its body and every value of its
   * distinct units, computed or not: cached results are copied into the response) and the
   * compute it will start; throws OVERLOADED when that does not fit.
   */
  holdPlan(units: readonly WorkUnit[], computeMs: number): void {
    const valuesByKey = new Map(units.map((unit) => [unit.key, unit.outputs.length * unit.length]));
    let values = 0;
    for (const count of valuesByKey.values()) values += count;
    this.#require(this.#bodyBytes * BODY_FOOTPRINT + values * RESULT_BYTES_PER_VALUE, computeMs);
  }

  /** Keeps the ticket until `work` settles, even if the response ends first. */
  holdWhile<T>(work: Promise<T>): Promise<T> {
    this.#work = work;
    return work;
  }

  #require(bytes: number, computeMs: number): void {
    const refused = this.#ticket.resize(bytes, computeMs);
    if (refused) throw this.#refuse(refused);
  }

  #releaseWhenSettled(): void {
    if (!this.#closed) return;
    if (this.#work === undefined) this.#ticket.release();
    else
      void this.#work.then(
        () => this.#ticket.release(),
        () => this.#ticket.release(),
      );
  }
}

export interface AdmissionOptions {
  readonly budget: AdmissionBudget;
  /** Seconds a refused client should wait, from the work the replica holds now. */
  readonly retryAfterSeconds: () => number;
  /** A calculation answered later than this after it arrived gets 504 DEADLINE_EXCEEDED. */
  readonly deadlineMs: number;
}

const REFUSED_BECAUSE: Record<RefusalReason, string> = {
  bytes: "holds as many request bytes as it may (MAX_INFLIGHT_BYTES)",
  compute: "has as much estimated computation admitted as it may (MAX_INFLIGHT_COMPUTE_MS)",
  queue: "has a full worker-pool queue (SCHEDULER_MAX_QUEUE)",
};

export function overloaded(reason: RefusalReason, retryAfterSeconds: number): ServiceError {
  return problem("OVERLOADED", { reason: `The replica ${REFUSED_BECAUSE[reason]}`, retryAfterSeconds });
}

/**
 * A route's preParsing hook: admits the request by its body's size before a byte of it is read,
 * so refusing a flood costs nothing but the reply. A body without Content-Length (chunked) is
 * admitted empty and grows its ticket as its bytes arrive.
 */
export function admitBody({ budget, retryAfterSeconds }: AdmissionOptions): preParsingAsyncHookHandler {
  const refuse = (reason: RefusalReason) => overloaded(reason, retryAfterSeconds());
  return async (request: FastifyRequest, reply: FastifyReply, payload) => {
    const declared = Number(request.headers["content-length"]);
    const known = Number.isFinite(declared) && declared >= 0;
    const ticket = budget.admit(known ? declared * BODY_FOOTPRINT : 0);
    if (typeof ticket === "string") throw refuse(ticket);
    const admission = new RequestAdmission(ticket, reply, refuse);
    request.admission = admission;
    if (known) {
      admission.holdBody(declared);
      return payload;
    }
    let received = 0;
    return payload.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          received += chunk.length;
          try {
            admission.holdBody(received);
            done(null, chunk);
          } catch (error) {
            done(error as Error);
          }
        },
      }),
    );
  };
}

/**
 * Runs a request's work against its deadline (counted from its arrival): past it the client gets
 * 504 while the work goes on, so its results still land in the caches for the retry. A full
 * pool queue becomes 503 with Retry-After.
 */
export async function withinDeadline<T>(
  work: Promise<T>,
  receivedAt: number,
  { budget, retryAfterSeconds, deadlineMs }: AdmissionOptions,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(problem("DEADLINE_EXCEEDED", { deadlineMs })),
      Math.max(0, receivedAt + deadlineMs - performance.now()),
    );
  });
  try {
    return await Promise.race([work, expired]);
  } catch (error) {
    if (!(error instanceof PoolQueueFullError)) throw error;
    budget.refused("queue");
    throw overloaded("queue", retryAfterSeconds());
  } finally {
    clearTimeout(timer);
  }
}
