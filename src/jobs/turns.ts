/**
 * Hands out turns of the event loop one at a time: each waiter resumes in its own check phase,
 * with the poll phase (socket reads and writes: event streams, requests, Redis replies) in between.
 * A chunk's series all wake together when their Redis replies arrive in one read; without turns
 * their units would compute back to back in one macrotask, holding every event stream on the
 * replica for the whole chunk. (setImmediate alone does not do it: immediates queued in one phase
 * all run in the next check phase, with no I/O between them.)
 */
export class Turns {
  readonly #waiting: (() => void)[] = [];
  #pumping = false;

  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      if (this.#pumping) return;
      this.#pumping = true;
      setImmediate(this.#step);
    });
  }

  readonly #step = (): void => {
    this.#waiting.shift()?.();
    if (this.#waiting.length > 0) setImmediate(this.#step);
    else this.#pumping = false;
  };
}
