import { setTimeout as sleep } from "node:timers/promises";
import type { ComputeExecutor } from "./executor.js";
import type { EntryShape } from "./result-entry.js";
import type { ComputedResult, ComputeTask } from "./task.js";

/**
 * Test hook behind DEBUG_COMPUTE_DELAY_MS: every computation first waits, without blocking the
 * event loop, so coordination tests get long computations deterministically. Only the operator's
 * environment turns it on; nothing in a request can.
 */
export class DelayedExecutor implements ComputeExecutor {
  readonly #inner: ComputeExecutor;
  readonly #delayMs: number;

  constructor(inner: ComputeExecutor, delayMs: number) {
    this.#inner = inner;
    this.#delayMs = delayMs;
  }

  async compute(task: ComputeTask): Promise<ComputedResult> {
    await sleep(this.#delayMs);
    return this.#inner.compute(task);
  }

  /** Not delayed: reading a result is not a computation. */
  decode(shape: EntryShape, entry: Buffer): Promise<ComputedResult | null> {
    return this.#inner.decode(shape, entry);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
