import { setTimeout as sleep } from "node:timers/promises";
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { JobQueue } from "./model.js";

const QUEUE_NAME = "job-chunks";
/** How long a close waits for BullMQ without a Redis connection. */
const UNCONNECTED_CLOSE_MS = 500;

export interface BullJobQueueOptions {
  /** BullMQ's key prefix: under REDIS_KEY_PREFIX, next to the service's own keys. */
  readonly prefix: string;
  /** Chunks this replica works on at once. */
  readonly concurrency: number;
  /**
   * BullMQ's lock on a chunk: a replica that dies holding one loses it this long after its last
   * renewal, and the stalled-job check (every half of it) hands the chunk to another replica.
   */
  readonly lockDurationMs: number;
  readonly log: Logger;
}

interface ChunkData {
  readonly jobId: string;
  readonly chunk: number;
}

/**
 * The fleet's queue: every replica is a BullMQ worker of one queue of chunks, so one job's chunks
 * spread over the fleet, and a chunk whose replica died is taken up again by another (BullMQ's
 * stalled-job recovery). A chunk run twice costs little: its finished series are recorded once,
 * and their units are cache hits.
 */
export class BullJobQueue implements JobQueue {
  readonly #queue: Queue<ChunkData>;
  readonly #connection: Redis;
  readonly #options: BullJobQueueOptions;
  #worker: Worker<ChunkData> | undefined;

  /** `connection`: BullMQ's own (it blocks on one, and needs maxRetriesPerRequest null). */
  constructor(connection: Redis, options: BullJobQueueOptions) {
    this.#connection = connection;
    this.#options = options;
    this.#queue = new Queue<ChunkData>(QUEUE_NAME, {
      connection,
      prefix: options.prefix,
      defaultJobOptions: {
        // The processor records a series' own failure; a chunk fails only when Redis does, and
        // then it is worth trying again.
        attempts: 5,
        backoff: { type: "exponential", delay: 500 },
        removeOnComplete: true,
        removeOnFail: 1_000,
      },
    });
    this.#queue.on("error", (error) => options.log.warn({ err: error }, "job queue error"));
  }

  async enqueue(jobId: string, chunks: number): Promise<void> {
    await this.#queue.addBulk(
      Array.from({ length: chunks }, (_, chunk) => ({
        name: "chunk",
        data: { jobId, chunk },
        // Dedupes a retried submission of the same chunk.
        opts: { jobId: `${jobId}-${chunk}` },
      })),
    );
  }

  start(process: (jobId: string, chunk: number) => Promise<void>): void {
    const { prefix, concurrency, lockDurationMs, log } = this.#options;
    this.#worker = new Worker<ChunkData>(QUEUE_NAME, async (job) => process(job.data.jobId, job.data.chunk), {
      connection: this.#connection,
      prefix,
      concurrency,
      lockDuration: lockDurationMs,
      stalledInterval: Math.max(1_000, Math.round(lockDurationMs / 2)),
      maxStalledCount: 3,
      // Seconds an idle worker blocks waiting for a chunk before it looks again. A chunk the
      // stalled check hands back wakes nobody, so the default 5 s made a dead replica's chunk wait
      // ~9.5 s (fleet-jobs test); 1 s costs an idle replica one blocking call a second.
      drainDelay: 1,
    });
    this.#worker.on("error", (error) => log.warn({ err: error }, "job worker error"));
    this.#worker.on("failed", (job, error) =>
      log.warn({ err: error, job: job?.data }, "a job chunk failed; BullMQ retries it"),
    );
  }

  async depth(): Promise<number> {
    const counts = await this.#queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  /**
   * Finishes the chunks it runs (short: one chunk is a few series) and takes no more. Without a
   * Redis connection nothing can finish (BullMQ's close would wait for the connection forever):
   * then the chunks are left to the stalled check of another replica.
   */
  async close(): Promise<void> {
    const connected = this.#connection.status === "ready";
    const bounded = (closing: Promise<void> | undefined) =>
      connected ? closing : Promise.race([closing, sleep(UNCONNECTED_CLOSE_MS)]);
    await bounded(this.#worker?.close(!connected));
    await bounded(this.#queue.close());
  }
}
