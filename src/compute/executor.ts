import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { type ComputedResult, type ComputeTask, computeTask } from "./task.js";

export interface ComputeExecutor {
  compute(task: ComputeTask): Promise<ComputedResult>;
  close(): Promise<void>;
}

/** Runs on the calling thread: right for cheap units, where a thread hop costs more than the work. */
export class InlineExecutor implements ComputeExecutor {
  async compute(task: ComputeTask): Promise<ComputedResult> {
    return computeTask(task);
  }

  async close(): Promise<void> {}
}

/**
 * A worker-thread pool for units big enough to block the event loop. Threads start on first
 * use: most deployments see few such units, and every idle thread costs ~30 MB.
 */
export class PoolExecutor implements ComputeExecutor {
  readonly #maxThreads: number;
  #pool: Piscina | undefined;

  constructor(maxThreads: number) {
    this.#maxThreads = maxThreads;
  }

  compute(task: ComputeTask): Promise<ComputedResult> {
    this.#pool ??= createPool(this.#maxThreads);
    return this.#pool.run(task) as Promise<ComputedResult>;
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
    this.#pool = undefined;
  }
}

function createPool(maxThreads: number): Piscina {
  // Under the test runner this module is TypeScript source; its worker then needs tsx to load.
  const extension = extname(fileURLToPath(import.meta.url));
  return new Piscina({
    filename: new URL(`./worker${extension}`, import.meta.url).href,
    minThreads: 0,
    maxThreads,
    idleTimeout: 30_000,
    execArgv: extension === ".ts" ? ["--import", "tsx"] : [],
  });
}
