import type { JobEvent, JobStatus, SeriesOutcome, SourceCounts } from "./model.js";

/**
 * The JSON of a `series` event: which series finished (key and input index), how, and where its
 * units' results came from. `at` is when it was written (epoch ms), so a client can tell lag.
 */
export function seriesEventData(
  outcome: Pick<SeriesOutcome, "key" | "index" | "sources" | "error">,
  at: number,
): string {
  return JSON.stringify({
    key: outcome.key,
    index: outcome.index,
    status: outcome.error ? "failed" : "done",
    sources: outcome.sources,
    ...(outcome.error ? { code: outcome.error.code, detail: outcome.error.detail } : {}),
    at,
  });
}

/** The JSON of the final `completed` / `failed` / `cancelled` event: the job's last progress. */
export function terminalEventData(
  status: JobStatus,
  progress: { done: number; failed: number; total: number; sources: SourceCounts; at: number },
): string {
  return JSON.stringify({ status, ...progress });
}

/** Every event's data ends with `"at":<epoch ms>`: its age without parsing the whole JSON. */
const WRITTEN_AT = /"at":(\d+)\}$/;

export function eventLagMs(event: JobEvent, now = Date.now()): number {
  const at = WRITTEN_AT.exec(event.data)?.[1];
  return at === undefined ? 0 : now - Number(at);
}
