import { describe, expect, it } from "vitest";
import { runDedupe, summarize } from "../../harness/dedupe-run.js";
import { requireRedisBinary } from "../../harness/redis.js";

const enabled = requireRedisBinary();

/**
 * `npm run bench:dedupe` in a few seconds: one burst of 12 identical 200 ms requests over three
 * replicas (the built server), with the product's coordination and with none. The full run,
 * with the origin design's polling as a baseline, stays out of CI.
 */
describe.skipIf(!enabled)("bench:dedupe, quick", () => {
  it("computes a burst's unit once with notify, once per replica without coordination, and wakes waiters fast", async () => {
    const rows = await runDedupe({
      strategies: ["notify", "off"],
      concurrencies: [12],
      bursts: 1,
      computeMs: 200,
    });
    const notify = rows.find((row) => row.strategy === "notify");
    const off = rows.find((row) => row.strategy === "off");
    if (!notify || !off) throw new Error("a strategy produced no row");
    for (const row of rows) {
      expect(row.failures, row.label).toEqual([]);
      // The responses' `source` fields and the replicas' counters tell the same story.
      expect(row.computedResponses, row.label).toBe(row.computations);
    }

    expect(notify.computations).toBe(notify.units);
    expect(notify.duplicateMetric).toBe(0);
    expect(notify.sources.awaited ?? 0).toBeGreaterThan(0);
    expect(off.computations).toBeGreaterThan(off.units);

    const summary = summarize(notify);
    expect(notify.waiterExtraMs).toHaveLength(11);
    console.log(
      `dedupe quick: notify ${summary.computationsPerUnit} computation(s) per unit, waiters +${summary.waiterExtraP50.toFixed(0)} ms p50 / +${summary.waiterExtraMax.toFixed(0)} ms max over the holder; off ${summarize(off).computationsPerUnit} per unit`,
    );
    expect(summary.waiterExtraMax).toBeLessThan(250);
  }, 60_000);
});
