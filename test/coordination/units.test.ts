import { setTimeout as sleep } from "node:timers/promises";
import { Redlock } from "@sesamecare-oss/redlock";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisServer, requireRedisBinary } from "../../harness/redis.js";
import { randomOhlcv, toColumns } from "../../harness/series.js";
import { decodeResult, encodeResult } from "../../src/compute/result-entry.js";
import { computeTask } from "../../src/compute/task.js";
import { CircuitBreaker } from "../../src/coordination/circuit-breaker.js";
import { CostPolicy } from "../../src/coordination/cost-policy.js";
import { type Acquisition, LockManager } from "../../src/coordination/lock.js";
import { connect, whenReady } from "../../src/coordination/redis-connections.js";

describe("shared-cache codec", () => {
  const columns = toColumns(randomOhlcv(500, 4));
  const result = computeTask({
    indicator: "MACD",
    implementation: "trading-signals",
    params: { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 },
    columns,
  });

  const shape = (key: string) => ({ key, outputs: ["macd", "signal", "histogram"], length: 500 });

  it("round-trips numbers exactly, NaN gaps and warm-up included", () => {
    const decoded = decodeResult(shape("k1"), encodeResult("k1", result));
    expect(decoded?.series.warmup).toBe(result.series.warmup);
    expect(decoded?.series.outputs).toEqual(result.series.outputs);
    expect(decoded?.valuesBytes.toString()).toBe(result.valuesBytes.toString());
  });

  it("is compact: 8 bytes a value plus a small header", () => {
    const bytes = encodeResult("k1", result).length;
    expect(bytes).toBeLessThan(3 * 500 * 8 + 200);
  });

  it("refuses an entry written for another key", () => {
    expect(decodeResult(shape("k2"), encodeResult("k1", result))).toBeNull();
  });

  it("refuses a well-formed entry of another shape: other outputs, none, or another length", () => {
    const good = encodeResult("k1", result);
    expect(decodeResult(shape("k1"), good)).not.toBeNull();
    expect(decodeResult({ key: "k1", outputs: ["value"], length: 500 }, good)).toBeNull();
    expect(decodeResult({ ...shape("k1"), length: 499 }, good)).toBeNull();
    const empty = encodeResult("k1", {
      series: { outputs: {}, warmup: null },
    });
    expect(decodeResult(shape("k1"), empty)).toBeNull();
  });

  it("refuses garbage, truncation, trailing bytes and a wrong version", () => {
    const good = encodeResult("k1", result);
    expect(decodeResult(shape("k1"), Buffer.from("hello"))).toBeNull();
    expect(decodeResult(shape("k1"), good.subarray(0, good.length - 8))).toBeNull();
    expect(decodeResult(shape("k1"), Buffer.concat([good, Buffer.alloc(8)]))).toBeNull();
    const otherVersion = Buffer.from(good);
    otherVersion.write("IND2", 0, "latin1");
    expect(decodeResult(shape("k1"), otherVersion)).toBeNull();
    const badHeader = Buffer.from(good);
    badHeader.writeUInt32LE(1_000_000, 4);
    expect(decodeResult(shape("k1"), badHeader)).toBeNull();
  });
});

describe("CircuitBreaker", () => {
  it("opens on failure, fails fast while open, and closes after a successful probe", async () => {
    let healthy = true;
    const changes: string[] = [];
    const breaker = new CircuitBreaker({
      failureThreshold: 2,
      probeIntervalMs: 20,
      callTimeoutMs: 1_000,
      probe: async () => {
        if (!healthy) throw new Error("down");
      },
      onChange: (state) => changes.push(state),
    });
    breaker.start();
    try {
      await expect(breaker.run(async () => 1)).resolves.toBe(1);
      const fail = () => breaker.run(async () => Promise.reject(new Error("boom")));
      await expect(fail()).rejects.toThrow("boom");
      expect(breaker.state).toBe("closed");
      await expect(fail()).rejects.toThrow("boom");
      expect(breaker.state).toBe("open");
      healthy = false;
      let called = false;
      await expect(breaker.run(async () => (called = true))).rejects.toThrow("open");
      expect(called).toBe(false);
      await sleep(80);
      expect(breaker.state).not.toBe("closed");
      healthy = true;
      await sleep(80);
      expect(breaker.state).toBe("closed");
      expect(changes).toEqual(["open", "closed"]);
    } finally {
      breaker.stop();
    }
  });

  it("fails a call that outlives its deadline and counts it", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      probeIntervalMs: 1_000,
      callTimeoutMs: 30,
      probe: async () => {},
    });
    const started = performance.now();
    await expect(breaker.run(() => sleep(500))).rejects.toThrow("exceeded 30 ms");
    expect(performance.now() - started).toBeLessThan(200);
    expect(breaker.state).toBe("open");
  });

  it("does not hold reply errors (WRONGTYPE, OOM) against Redis: only outages open it", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      probeIntervalMs: 1_000,
      callTimeoutMs: 1_000,
      probe: async () => {},
      isOutage: (error) => !(error instanceof Error && error.name === "ReplyError"),
    });
    const replyError = Object.assign(new Error("WRONGTYPE"), { name: "ReplyError" });
    await expect(breaker.run(async () => Promise.reject(replyError))).rejects.toThrow("WRONGTYPE");
    expect(breaker.state).toBe("closed");
    await expect(
      breaker.run(async () => Promise.reject(new Error("Connection is closed"))),
    ).rejects.toThrow();
    expect(breaker.state).toBe("open");
  });

  it("does not blame Redis when the deadline fired late because the event loop stalled", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      probeIntervalMs: 1_000,
      callTimeoutMs: 20,
      probe: async () => {},
    });
    // The reply comes 10 ms after a 200 ms stall: the deadline starts again after the stall,
    // so the reply wins and nothing is held against Redis.
    const replyAfterStall = breaker.run(
      () => new Promise((resolve) => setTimeout(() => setTimeout(() => resolve("late"), 10), 0)),
    );
    const stall = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // a synchronous stall far longer than the deadline
      }
    };
    stall(200);
    await expect(replyAfterStall).resolves.toBe("late");
    // A loop that keeps stalling fails the call as a stall, still not Redis's fault.
    const never = breaker
      .run(() => sleep(5_000))
      .then(
        () => "resolved",
        (error: Error) => error.message,
      );
    for (let i = 0; i < 5; i++) {
      stall(150);
      await new Promise((resolve) => setImmediate(resolve));
      await sleep(1);
    }
    expect(await never).toMatch("stalled");
    expect(breaker.state).toBe("closed");
  });

  it("starts a deadline again while the call's transfer moves, fails one that stopped, and bounds a trickle", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 10,
      probeIntervalMs: 1_000,
      callTimeoutMs: 40,
      probe: async () => {},
    });
    let moved = 0;
    const ticking = setInterval(() => moved++, 5);
    try {
      // 200 ms of work against a 40 ms deadline: alive while bytes keep moving.
      await expect(breaker.run(() => sleep(200, "slow"), { progress: () => moved })).resolves.toBe("slow");
      // Without a progress count the same call fails at its deadline.
      await expect(breaker.run(() => sleep(200))).rejects.toThrow("exceeded 40 ms");
      // A trickle that never ends still fails, after the bounded number of restarts (11 deadlines).
      const started = performance.now();
      await expect(breaker.run(() => sleep(5_000), { progress: () => moved })).rejects.toThrow("exceeded");
      expect(performance.now() - started).toBeLessThan(1_500);
    } finally {
      clearInterval(ticking);
    }
    // A transfer that stopped moving fails one deadline after it stopped.
    const frozen = 7;
    const started = performance.now();
    await expect(breaker.run(() => sleep(5_000), { progress: () => frozen })).rejects.toThrow("exceeded");
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("opens only after the threshold of consecutive failed calls; a success resets the count", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 3,
      probeIntervalMs: 1_000,
      callTimeoutMs: 1_000,
      probe: async () => {},
    });
    const fail = () => breaker.run(async () => Promise.reject(new Error("slow reply")));
    await expect(fail()).rejects.toThrow();
    await expect(fail()).rejects.toThrow();
    await expect(breaker.run(async () => "ok")).resolves.toBe("ok");
    await expect(fail()).rejects.toThrow();
    await expect(fail()).rejects.toThrow();
    expect(breaker.state).toBe("closed");
    await expect(fail()).rejects.toThrow();
    expect(breaker.state).toBe("open");
  });

  it("gives a call of several round trips one deadline plus a quarter for each later one, plus time for its bytes", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 5,
      probeIntervalMs: 1_000,
      callTimeoutMs: 40,
      probe: async () => {},
    });
    // 40 ms + 2 x 10 ms: a Redis that freezes mid-call costs about one deadline, not three.
    await expect(breaker.run(() => sleep(50, "three"), { roundTrips: 3 })).resolves.toBe("three");
    await expect(breaker.run(() => sleep(90), { roundTrips: 3 })).rejects.toThrow("exceeded 60 ms");
    await expect(breaker.run(() => sleep(90, "bulk"), { extraMs: 80 })).resolves.toBe("bulk");
    expect(breaker.state).toBe("closed");
    await expect(breaker.run(() => sleep(90), { roundTrips: 1 })).rejects.toThrow("exceeded 40 ms");
  });

  it("aborts the call's signal when its deadline passes, so late work can undo itself", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 5,
      probeIntervalMs: 1_000,
      callTimeoutMs: 20,
      probe: async () => {},
    });
    let seen: AbortSignal | undefined;
    await expect(
      breaker.run((signal) => {
        seen = signal;
        return sleep(200);
      }),
    ).rejects.toThrow("exceeded");
    expect(seen?.aborted).toBe(true);
    let kept: AbortSignal | undefined;
    await breaker.run(async (signal) => {
      kept = signal;
    });
    expect(kept?.aborted).toBe(false);
  });

  it("fails calls still waiting when the breaker opens, aborting their signals", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      probeIntervalMs: 1_000,
      callTimeoutMs: 1_000,
      probe: async () => {},
    });
    let seen: AbortSignal | undefined;
    const started = performance.now();
    const waiting = breaker.run(
      (signal) => {
        seen = signal;
        return sleep(2_000);
      },
      { roundTrips: 3 },
    );
    setTimeout(() => breaker.trip(new Error("connection lost")), 30);
    await expect(waiting).rejects.toThrow("open");
    // Failed when the outage was noticed, not at its own 3 s deadline.
    expect(performance.now() - started).toBeLessThan(500);
    expect(seen?.aborted).toBe(true);
  });

  it("lets a reply that arrived during a stall win over its own deadline", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      probeIntervalMs: 1_000,
      callTimeoutMs: 20,
      probe: async () => {},
    });
    // The reply lands (as I/O would, in a later phase of the same loop turn) while a stall has
    // made the deadline overdue: the deadline must give it that turn before rejecting.
    const reply = new Promise((resolve) =>
      setTimeout(() => {
        const until = performance.now() + 60;
        while (performance.now() < until) {
          // stall
        }
        setImmediate(() => resolve("reply"));
      }, 5),
    );
    await expect(breaker.run(() => reply)).resolves.toBe("reply");
    expect(breaker.state).toBe("closed");
  });

  it("opens from a failing heartbeat with no traffic at all", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      probeIntervalMs: 20,
      callTimeoutMs: 1_000,
      probe: async () => Promise.reject(new Error("frozen")),
    });
    breaker.start();
    await sleep(60);
    breaker.stop();
    expect(breaker.state).not.toBe("closed");
    expect(breaker.lastError?.message).toBe("frozen");
  });
});

describe("CostPolicy", () => {
  it("routes by estimated cost against the measured round trip", () => {
    const policy = new CostPolicy("auto");
    for (let i = 0; i < 50; i++) policy.observeRoundTrip(0.1);
    expect(policy.roundTripMs).toBeCloseTo(0.1, 3);
    expect(policy.route(0.05)).toBe("local");
    expect(policy.route(0.2)).toBe("cache-only");
    expect(policy.route(1)).toBe("lock");
    expect(new CostPolicy(5).route(4)).toBe("cache-only");
  });
});

const enabled = requireRedisBinary();

describe.skipIf(!enabled)("LockManager on real Redis", () => {
  const servers: RedisServer[] = [];
  const clients: Redis[] = [];
  beforeAll(async () => {
    servers.push(...(await Promise.all([RedisServer.start(), RedisServer.start(), RedisServer.start()])));
    const settings = { commandTimeoutMs: 200, connectTimeoutMs: 500 };
    clients.push(...servers.map((server, i) => connect(server.url, settings, `test-lock-${i}`)));
    for (const client of clients) client.on("error", () => undefined);
    await Promise.all(clients.map((client) => whenReady(client, 2_000)));
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all(servers.map((server) => server.stop()));
  });

  const manager = (nodes: Redis[], leaseMs = 1_000) =>
    new LockManager(new Redlock(nodes, { retryCount: 0 }), nodes, "test:", leaseMs, {
      redisUsable: () => true,
    });
  const acquired = (attempt: Acquisition) => (attempt.kind === "acquired" ? attempt.lock : null);

  it("gives a lock to exactly one of many concurrent contenders; the others see its lease", async () => {
    const locks = manager([clients[0] as Redis]);
    const attempts = await Promise.all(Array.from({ length: 10 }, () => locks.tryAcquire("one")));
    expect(attempts.filter((attempt) => attempt.kind === "acquired")).toHaveLength(1);
    for (const attempt of attempts) {
      if (attempt.kind !== "acquired")
        expect(attempt).toMatchObject({ kind: "held", leaseMs: expect.any(Number) });
    }
    await Promise.all(attempts.map((attempt) => acquired(attempt)?.release()));
    expect(await locks.remainingLeaseMs("one")).toBe(0);
  });

  it("extends the lease while held, past its original length", async () => {
    const locks = manager([clients[0] as Redis], 300);
    let extensions = 0;
    const lock = acquired(await locks.tryAcquire("long", () => extensions++));
    await sleep(900);
    expect((await locks.tryAcquire("long")).kind).toBe("held");
    expect(await locks.remainingLeaseMs("long")).toBeGreaterThan(0);
    expect(extensions).toBeGreaterThanOrEqual(3);
    await lock?.release();
    expect((await locks.tryAcquire("long")).kind).toBe("acquired");
  });

  it("locks with a Redlock quorum of 3 nodes while one node is down", async () => {
    await servers[2]?.stop();
    await sleep(50);
    const locks = manager(clients);
    const lock = acquired(await locks.tryAcquire("quorum"));
    expect(lock).not.toBeNull();
    expect((await locks.tryAcquire("quorum")).kind).toBe("held");
    await lock?.release();
    expect((await locks.tryAcquire("quorum")).kind).toBe("acquired");
  });

  it("reports a Redis failure as an error, not as contention", async () => {
    const locks = manager([clients[2] as Redis]);
    await expect(locks.tryAcquire("dead")).rejects.toThrow();
  });
});
