import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { decodeResult, type EntryShape } from "./result-entry.js";
import { type ComputedResult, type ComputeTask, computeTask } from "./task.js";
import type { DecodeTask } from "./worker.js";

export interface ComputeExecutor {
  compute(task: ComputeTask): Promise<ComputedResult>;
  /** A shared-cache entry's result, or null when the entry is not one of `shape` (see result-entry.ts). */
  decode(shape: EntryShape, entry: Buffer): Promise<ComputedResult | null>;
  close(): Promise<void>;
}

/** The pool's queue is full: the unit was not started, and retrying later may succeed. */
export class PoolQueueFullError extends Error {
  override name = "PoolQueueFullError";
}

/** Runs on the calling thread: right for cheap units, where a thread hop costs more than the work. */
export class InlineExecutor implements ComputeExecutor {
  async compute(task: ComputeTask): Promise<ComputedResult> {
    return computeTask(task);
  }

  async decode(shape: EntryShape, entry: Buffer): Promise<ComputedResult | null> {
    return decodeResult(shape, entry);
  }

  async close(): Promise<void> {}
}

export interface PoolLimits {
  readonly maxThreads: number;
  /** Tasks that may wait for a thread; one more is refused with PoolQueueFullError. */
  readonly maxQueue: number;
}

/**
 * A worker-thread pool for units big enough to block the event loop. Threads start on first
 * use: most deployments see few such units, and every idle thread costs ~30 MB. The queue is
 * bounded: an unbounded one holds every waiting unit's columns until memory runs out.
 */
export class PoolExecutor implements ComputeExecutor {
  readonly #limits: PoolLimits;
  #pool: Piscina | undefined;

  constructor(limits: PoolLimits) {
    this.#limits = limits;
  }

  /** Tasks waiting for a thread. */
  get queued(): number {
    return this.#pool?.queueSize ?? 0;
  }

  async compute(task: ComputeTask): Promise<ComputedResult> {
    return asBuffers((await this.#run(task)) as ComputedResult);
  }

  async decode(shape: EntryShape, entry: Buffer): Promise<ComputedResult | null> {
    const owned = ownedBytes(entry);
    const task: DecodeTask = { shape, entry: owned };
    const result = (await this.#run(task, {
      name: "decodeEntry",
      transferList: [owned.buffer as ArrayBuffer],
    })) as ComputedResult | null;
    return result && asBuffers(result);
  }

  #run(task: object, options?: { name: string; transferList: ArrayBuffer[] }): Promise<unknown> {
    this.#pool ??= createThreadPool(import.meta.url, "worker", this.#limits.maxThreads);
    // Checked here rather than by matching piscina's "Task queue is at limit" message.
    if (this.#pool.queueSize >= this.#limits.maxQueue) {
      throw new PoolQueueFullError(`the worker pool's queue holds ${this.#limits.maxQueue} units`);
    }
    return this.#pool.run(task, options);
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
    this.#pool = undefined;
  }
}

/** Structured cloning turns the worker's Buffer into a plain Uint8Array: view it as a Buffer again. */
function asBuffers(result: ComputedResult): ComputedResult {
  const bytes: Uint8Array = result.valuesBytes;
  return { ...result, valuesBytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/**
 * Bytes that may be moved to a worker: these, when they own their memory (a large Redis reply
 * or body does), else a copy; cloning a view into a shared slab would copy the whole slab.
 */
export function ownedBytes(bytes: Buffer): Buffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : Buffer.from(bytes);
}

/**
 * A pool whose threads start on first use and stop after 30 s idle. `moduleUrl` is the caller's
 * `import.meta.url` and `worker` the worker module's name next to it, without extension: under
 * the test runner modules are TypeScript source, and their workers then need tsx to load.
 */
export function createThreadPool(moduleUrl: string, worker: string, maxThreads: number): Piscina {
  const extension = extname(fileURLToPath(moduleUrl));
  return new Piscina({
    filename: new URL(`./${worker}${extension}`, moduleUrl).href,
    minThreads: 0,
    maxThreads,
    idleTimeout: 30_000,
    execArgv: extension === ".ts" ? ["--import", "tsx"] : [],
  });
}
