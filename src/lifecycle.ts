export type LifecyclePhase = "starting" | "ready" | "draining";

/** What readiness reports: traffic is welcome only between start-up and the first shutdown signal. */
export class Lifecycle {
  #phase: LifecyclePhase = "starting";
  readonly startedAt = Date.now();

  get phase(): LifecyclePhase {
    return this.#phase;
  }

  markReady(): void {
    if (this.#phase === "starting") this.#phase = "ready";
  }

  markDraining(): void {
    this.#phase = "draining";
  }
}
