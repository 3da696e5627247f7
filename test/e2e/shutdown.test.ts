import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { postCalculate, type ServerProcess, startServerProcess } from "../../harness/process.js";
import { RedisServer, requireRedisBinary } from "../../harness/redis.js";
import { randomOhlcv } from "../../harness/series.js";

function post(server: ServerProcess, body: object): Promise<Response> {
  return postCalculate(server.url, body);
}

const body = (seed: number) => ({
  candles: { close: randomOhlcv(2_000, seed).close },
  indicators: [{ name: "BBANDS" }],
});

describe("shutdown of the built server", () => {
  it("SIGTERM: readiness 503 at once, the in-flight request finishes, exit 0", async () => {
    const server = await startServerProcess({ DEBUG_COMPUTE_DELAY_MS: "800", SHUTDOWN_DRAIN_MS: "300" });
    const inFlight = post(server, body(1));
    await sleep(150);
    const exited = server.stop("SIGTERM");
    await sleep(50);
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await exited).toBe(0);
    expect(server.output()).toContain("shutdown complete");
  });

  it("a second signal forces the exit (code 1) without waiting for the drain", async () => {
    const server = await startServerProcess({ SHUTDOWN_DRAIN_MS: "10000" });
    const started = performance.now();
    server.child.kill("SIGTERM");
    await sleep(100);
    const code = await server.stop("SIGINT");
    expect(code).toBe(1);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

const redisAvailable = requireRedisBinary();

describe.skipIf(!redisAvailable)("graceful shutdown with Redis", () => {
  it("finishes the in-flight computation, shares it, releases its lock and exits 0", async () => {
    const redis = await RedisServer.start();
    const client = redis.client();
    const server = await startServerProcess({
      REDIS_URL: redis.url,
      DEBUG_COMPUTE_DELAY_MS: "800",
      SHUTDOWN_DRAIN_MS: "200",
      COORDINATION_MIN_COST_MS: "0",
    });
    try {
      const inFlight = post(server, body(3));
      await sleep(200);
      const locks = await client.keys("indicator:calc:*");
      expect(locks.filter((key) => !key.endsWith(":result"))).toHaveLength(1);
      const exited = server.stop("SIGTERM");
      expect((await inFlight).status).toBe(200);
      expect(await exited).toBe(0);
      const after = await client.keys("indicator:calc:*");
      expect(after.filter((key) => key.endsWith(":result"))).toHaveLength(1);
      expect(after.filter((key) => !key.endsWith(":result"))).toHaveLength(0);
    } finally {
      client.disconnect();
      await server.stop("SIGKILL");
      await redis.stop();
    }
  });
});

describe.skipIf(!redisAvailable)("forced shutdown in a fleet", () => {
  // The forced exit (SHUTDOWN_TIMEOUT_MS or a second signal: one code path) while a holder computes.
  // A second signal rather than a short SHUTDOWN_TIMEOUT_MS: the config refuses one shorter than
  // REQUEST_DEADLINE_MS + SHUTDOWN_DRAIN_MS, so that a stop never cuts a request off unanswered.
  it("a second SIGTERM exits 1 and hands the held lock back: the waiter computes at once, not after the lease", async () => {
    const redis = await RedisServer.start();
    const env = {
      REDIS_URL: redis.url,
      DEBUG_COMPUTE_DELAY_MS: "1500",
      LOCK_LEASE_MS: "20000",
      SHUTDOWN_DRAIN_MS: "0",
    };
    const [holder, waiter] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    try {
      const request = body(2);
      const held = post(holder, request).catch(() => null);
      await sleep(200);
      const started = performance.now();
      const waited = post(waiter, request);
      await sleep(200);
      holder.child.kill("SIGTERM");
      await sleep(100);
      const exited = holder.stop("SIGTERM");
      const response = await waited;
      const elapsed = performance.now() - started;
      expect(await exited).toBe(1);
      await held;
      expect(response.status).toBe(200);
      const json = (await response.json()) as { results: Array<{ source: string }> };
      expect(json.results[0]?.source).toBe("computed");
      // Abandoned after ~0.5 s, then its own 1.5 s computation: far below the 20 s lease.
      expect(elapsed).toBeLessThan(5_000);
    } finally {
      await Promise.all([holder.stop("SIGKILL"), waiter.stop("SIGKILL")]);
      await redis.stop();
    }
  });
});
