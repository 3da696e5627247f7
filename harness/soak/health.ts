/**
 * Watches each replica's GET /health every ~100 ms and records every change of `mode`, with the
 * time it was first seen. A replica that does not answer shows as `down` while it was killed on
 * purpose, `unreachable` otherwise (counted, since a live replica should always answer).
 */
import type { Replica } from "./replica.js";

export interface Transition {
  /** Milliseconds since the run started. */
  readonly atMs: number;
  readonly at: string;
  readonly from: string | null;
  readonly to: string;
}

export interface HealthLog {
  readonly transitions: Transition[];
  mode: string | null;
  polls: number;
  /** Polls that failed while the replica was meant to be up. */
  unreachable: number;
}

export class HealthWatcher {
  readonly logs: HealthLog[];
  readonly #replicas: readonly Replica[];
  readonly #startedAt: number;
  readonly #intervalMs: number;
  readonly #onTransition: (replica: number, transition: Transition) => void;
  #running = true;
  #loops: Promise<void>[] = [];

  constructor(
    replicas: readonly Replica[],
    startedAt: number,
    onTransition: (replica: number, transition: Transition) => void,
    intervalMs = 100,
  ) {
    this.#replicas = replicas;
    this.#startedAt = startedAt;
    this.#intervalMs = intervalMs;
    this.#onTransition = onTransition;
    this.logs = replicas.map(() => ({ transitions: [], mode: null, polls: 0, unreachable: 0 }));
  }

  /** Polls until stop() or `maxMs`, whichever is first (and at most maxMs / interval polls). */
  start(maxMs: number): void {
    const maxPolls = Math.ceil(maxMs / this.#intervalMs);
    const deadline = performance.now() + maxMs;
    this.#loops = this.#replicas.map(async (replica, index) => {
      const log = this.logs[index] as HealthLog;
      for (let i = 0; this.#running && i < maxPolls && performance.now() < deadline; i++) {
        const started = performance.now();
        await this.poll(replica, log);
        const wait = this.#intervalMs - (performance.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    });
  }

  async poll(replica: Replica, log: HealthLog = this.logs[replica.index] as HealthLog): Promise<string> {
    const wasUp = replica.state === "up";
    const epoch = replica.epoch;
    let mode: string;
    try {
      const response = await fetch(`${replica.url}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json()) as { mode?: unknown };
      mode = response.status === 200 && typeof body.mode === "string" ? body.mode : `http-${response.status}`;
    } catch {
      const intentional = !wasUp || replica.state !== "up" || replica.epoch !== epoch;
      mode = intentional ? "down" : "unreachable";
      if (!intentional) log.unreachable++;
    }
    log.polls++;
    if (mode !== log.mode) {
      const transition: Transition = {
        atMs: performance.now() - this.#startedAt,
        at: new Date().toISOString(),
        from: log.mode,
        to: mode,
      };
      log.transitions.push(transition);
      log.mode = mode;
      this.#onTransition(replica.index, transition);
    }
    return mode;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }
}
