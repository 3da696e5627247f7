import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { JobObserver, JobStatus } from "../jobs/model.js";

/**
 * The batch jobs' metrics, in the service's registry. Jobs by state are counters of transitions
 * (submitted, and ended by status): with a fleet a job is submitted on one replica and ended on
 * another, so only the fleet-wide sums mean something, and `sum(submitted) - sum(ended)` is the
 * number of jobs not yet ended.
 */
export class JobMetrics implements JobObserver {
  readonly #submitted: Counter;
  readonly #ended: Counter;
  readonly #series: Counter;
  readonly #duration: Histogram;
  readonly #lag: Histogram;
  #depth: () => Promise<number> = async () => 0;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#submitted = new Counter({
      name: "indicator_jobs_submitted_total",
      help: "Jobs accepted by this replica.",
      registers,
    });
    this.#ended = new Counter({
      name: "indicator_jobs_ended_total",
      help: "Jobs that ended on this replica (its last series, or a cancel), by status.",
      labelNames: ["status"],
      registers,
    });
    this.#series = new Counter({
      name: "indicator_job_series_total",
      help: "Job series this replica finished, by outcome (done, failed); its rate is series per second.",
      labelNames: ["outcome"],
      registers,
    });
    this.#duration = new Histogram({
      name: "indicator_job_duration_seconds",
      help: "From a job's submission to its end, observed by the replica that ended it.",
      labelNames: ["status"],
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3_600],
      registers,
    });
    this.#lag = new Histogram({
      name: "indicator_job_event_lag_seconds",
      help: "From a job event's write to its delivery to an SSE or WebSocket client.",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 5],
      registers,
    });
    const depth = () => this.#depth();
    new Gauge({
      name: "indicator_job_chunks_queued",
      help: "Job chunks waiting or running (fleet-wide with Redis: every replica reports the same queue).",
      registers,
      async collect() {
        this.set(await depth().catch(() => Number.NaN));
      },
    });
  }

  /** Where the queue depth comes from, once the queue exists. */
  watchQueue(depth: () => Promise<number>): void {
    this.#depth = depth;
  }

  submitted(): void {
    this.#submitted.inc();
  }

  seriesRecorded(failed: boolean): void {
    this.#series.inc({ outcome: failed ? "failed" : "done" });
  }

  ended(status: JobStatus, durationMs: number): void {
    this.#ended.inc({ status });
    this.#duration.observe({ status }, durationMs / 1_000);
  }

  delivered(lagMs: number): void {
    this.#lag.observe(Math.max(0, lagMs) / 1_000);
  }
}
