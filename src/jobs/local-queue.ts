import type { JobQueue } from "./model.js";

/**
 * The standalone queue: chunks in arrival order, `concurrency` of them at once, in this process.
 * A restart loses what it held, as the memory store loses the jobs themselves.
 */
export class LocalJobQueue implements JobQueue {
  readonly #waiting: { jobId: string; chunk: number }[] = [];
  readonly #running = new Set<Promise<void>>();
  readonly #concurrency: number;
  #process: ((jobId: string, chunk: number) => Promise<void>) | undefined;
  #closed = false;

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
  }

  async enqueue(jobId: string, chunks: number): Promise<void> {
    for (let chunk = 0; chunk < chunks; chunk++) this.#waiting.push({ jobId, chunk });
    this.#pump();
  }

  start(process: (jobId: string, chunk: number) => Promise<void>): void {
    this.#process = process;
    this.#pump();
  }

  async depth(): Promise<number> {
    return this.#waiting.length + this.#running.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#waiting.length = 0;
    await Promise.allSettled([...this.#running]);
  }

  #pump(): void {
    const process = this.#process;
    while (process && !this.#closed && this.#running.size < this.#concurrency) {
      const next = this.#waiting.shift();
      if (!next) return;
      // The processor records its own failures; a rejection here is a bug, not a reason to stop.
      const running: Promise<void> = process(next.jobId, next.chunk)
        .catch(() => undefined)
        .finally(() => {
          this.#running.delete(running);
          this.#pump();
        });
      this.#running.add(running);
    }
  }
}
