/**
 * Progress events are throttled: one when 100 ms have passed since the last, or when the job has
 * moved on by another whole percent, and always for the last series. A 2,000-series job sends
 * about a hundred, not two thousand; the `series` events carry each series anyway.
 * The Redis store's record script applies the same rule (redis-store.ts).
 */
export const PROGRESS_INTERVAL_MS = 100;

export function progressDue(
  finished: number,
  total: number,
  lastFinished: number,
  lastAtMs: number,
  nowMs: number,
): boolean {
  if (finished >= total || nowMs - lastAtMs >= PROGRESS_INTERVAL_MS) return true;
  return Math.floor((finished * 100) / total) > Math.floor((lastFinished * 100) / total);
}

/** The status a job ends in once every series is recorded: failed only when no series succeeded. */
export function finalStatus(done: number): "completed" | "failed" {
  return done === 0 ? "failed" : "completed";
}
