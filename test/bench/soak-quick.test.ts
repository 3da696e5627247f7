/**
 * The soak (bench/soak.ts) compressed to a few seconds for CI: three built replicas on one
 * redis-server under mixed traffic while Redis is killed and restarted, frozen and thawed, and
 * one replica is SIGKILLed and restarted. The full run stays out of CI (npm run bench:soak).
 */
import { describe, expect, it } from "vitest";
import { requireRedisBinary } from "../../harness/redis.js";
import { FAILURE_CLASSES } from "../../harness/soak/client.js";
import { formatFlood, runFlood } from "../../harness/soak/flood.js";
import { formatReport } from "../../harness/soak/report.js";
import { runSoak, soakOptions } from "../../harness/soak/run.js";

// Warns and skips without redis-server; throws under CI=true.
const enabled = requireRedisBinary();

describe.skipIf(!enabled)("soak, quick variant (3 replicas on one Redis, faults under load)", () => {
  it("loses nothing and serves only correct results through Redis and replica faults", async () => {
    const report = await runSoak(
      soakOptions({ durationMs: 7_000, loops: 4, seed: 7, requestTimeoutMs: 10_000, recoveryMs: 5_000 }),
    );
    const summary = formatReport(report);
    console.log(summary);

    // Zero 5xx, zero wrong results, zero timeouts or connection failures on live replicas, zero
    // unexpected 4xx, every malformed request answered with its 4xx problem+json.
    expect(report.failures, summary).toEqual(Object.fromEntries(FAILURE_CLASSES.map((key) => [key, 0])));
    expect(report.requests.served + report.requests.rejectedAsExpected + report.requests.replicaDown).toBe(
      report.requests.sent,
    );
    expect(report.requests.served).toBeGreaterThan(30);
    expect(report.requests.rejectedAsExpected).toBeGreaterThan(0);

    // The faults happened, in full.
    const events = report.events.map((event) => event.what);
    for (const fault of [
      "fault: Redis SIGKILL",
      "fault: Redis answering PING again",
      "fault: Redis SIGSTOP",
      "fault: Redis SIGCONT",
      "fault: replica 2 SIGKILL",
      "fault: replica 2 ready again",
      "fault: network to Redis slow",
      "fault: network to Redis healed",
    ])
      expect(
        events.some((what) => what.startsWith(fault)),
        fault,
      ).toBe(true);

    // Every replica's /health went degraded and came back to distributed.
    for (const replica of report.replicas) {
      const modes = replica.transitions.map((transition) => transition.to);
      const degraded = modes.indexOf("degraded");
      expect(degraded, `replica ${replica.index}: ${modes.join(" -> ")}`).toBeGreaterThan(-1);
      expect(modes.slice(degraded + 1), `replica ${replica.index}: ${modes.join(" -> ")}`).toContain(
        "distributed",
      );
      expect(replica.finalMode, `replica ${replica.index}`).toBe("distributed");
      expect(replica.served, `replica ${replica.index}`).toBeGreaterThan(0);
    }
    // The killed replica came back on its port and served again.
    expect(report.replicas[2]?.pids).toHaveLength(2);
    expect(report.replicas[2]?.servedAfterRestart).toBeGreaterThan(0);

    const failedChecks = report.checks.filter((check) => check.required && !check.ok);
    expect(failedChecks, summary).toEqual([]);
    expect(report.ok).toBe(true);
  }, 45_000);

  it("floods one standalone replica: only 200s and early 503s with Retry-After, then normal service", async () => {
    const report = await runFlood({ requests: 40, candles: 100_000, replicaEnv: { LOG_LEVEL: "warn" } });
    const summary = formatFlood(report);
    console.log(summary);
    expect(
      Object.keys(report.statuses).filter((status) => status !== "200" && status !== "503"),
      summary,
    ).toEqual([]);
    expect(report.statuses["200"], summary).toBeGreaterThan(0);
    expect(report.refusedWithoutRetryAfter, summary).toBe(0);
    expect(report.after.status, summary).toBe(200);
    expect(report.ok).toBe(true);
  }, 60_000);
});
