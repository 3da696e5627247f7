import { setTimeout as sleep } from "node:timers/promises";
import { Redlock } from "@sesamecare-oss/redlock";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sample } from "../../harness/metrics.js";
import { freePort } from "../../harness/process.js";
import { RedisServer, requireRedisBinary } from "../../harness/redis.js";
import { randomOhlcv } from "../../harness/series.js";
import { calculateRequest, startTestService } from "../../harness/service.js";
import { planCalculation } from "../../src/calculation/plan.js";
import { calculateBodySchema } from "../../src/calculation/request-schema.js";
import { decodeResult, encodeResult } from "../../src/compute/result-entry.js";
import { computeTask } from "../../src/compute/task.js";
import { LockManager } from "../../src/coordination/lock.js";
import type { Service } from "../../src/service.js";

const PREFIX = "indicator:";
let redis: RedisServer;
let client: Redis;
const services: Service[] = [];

const enabled = requireRedisBinary();

beforeAll(async () => {
  if (!enabled) return;
  redis = await RedisServer.start();
  client = redis.client();
});
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.close()));
});

/** A service on our Redis that coordinates every unit, however cheap, through the lock. */
async function service(overrides: Record<string, unknown> = {}): Promise<Service> {
  const started = await startTestService({
    REDIS_URL: redis.url,
    COORDINATION_MIN_COST_MS: 0,
    LOCK_LEASE_MS: 1_000,
    ...overrides,
  });
  services.push(started);
  return started;
}

let seed = 100;
/** A request over a series no other test uses, and its single unit's key. */
function freshRequest() {
  const series = randomOhlcv(2_000, seed++);
  const body = { candles: { close: series.close }, indicators: [{ name: "BBANDS" }] };
  const parsed = calculateBodySchema({ maxCandles: 100_000, maxIndicators: 64 }).parse(body);
  const unit = planCalculation(parsed).results[0]?.unit;
  if (!unit) throw new Error("no unit");
  return { body, unit };
}

async function calculate(target: Service, body: unknown) {
  const response = await target.app.inject(calculateRequest(body));
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ results: Array<{ source: string; values: unknown }>; meta: { mode: string } }>();
}

/** Plays another replica holding the unit's lock. */
async function holdLock(key: string) {
  const holder = new LockManager(new Redlock([client], { retryCount: 0 }), [client], PREFIX, 5_000, {
    redisUsable: () => true,
  });
  const attempt = await holder.tryAcquire(key);
  if (attempt.kind !== "acquired") throw new Error("could not take the lock");
  return attempt.lock;
}

describe.skipIf(!enabled)("the origin design's six scenarios, on a real Redis", () => {
  it("Redis available -> the lock is used", async () => {
    const replica = await service();
    const { body } = freshRequest();
    const response = await calculate(replica, body);
    expect(response.meta.mode).toBe("distributed");
    expect(response.results[0]?.source).toBe("computed");
    expect(replica.scheduler.stats.totals()).toMatchObject({ lockAcquired: 1, computed: 1 });
  });

  it("Redis unavailable -> no-lock mode, and the request still succeeds", async () => {
    const replica = await service({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const health = await replica.app.inject({ url: "/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: "degraded",
      mode: "degraded",
      redis: { connected: false },
    });
    const { body } = freshRequest();
    const response = await calculate(replica, body);
    expect(response.results[0]?.source).toBe("computed");
    expect(replica.scheduler.stats.totals()).toMatchObject({ lockAcquired: 0, degradedComputed: 1 });
    expect((await replica.app.inject({ url: "/health/ready" })).statusCode).toBe(200);
  });

  it("lock acquired -> computed and written to the shared cache", async () => {
    const { body, unit } = freshRequest();
    const response = await calculate(await service(), body);
    expect(response.results[0]?.source).toBe("computed");
    expect(await client.exists(`${PREFIX}${unit.key}:result`)).toBe(1);
    const ttl = await client.pttl(`${PREFIX}${unit.key}:result`);
    expect(ttl).toBeGreaterThan(3_500_000);
    // The lock is released once the result is out.
    await sleep(50);
    expect(await client.exists(`${PREFIX}${unit.key}`)).toBe(0);
  });

  it("lock busy -> waits and reads the holder's result", async () => {
    const replica = await service();
    const { body, unit } = freshRequest();
    const lock = await holdLock(unit.key);
    const pending = calculate(replica, body);
    await sleep(150);
    expect(replica.scheduler.stats.totals().lockContended).toBe(1);
    const result = computeTask(unit);
    await client.set(`${PREFIX}${unit.key}:result`, encodeResult(unit.key, result), "PX", 60_000);
    await client.publish(`${PREFIX}done`, `ok|${unit.key}`);
    const response = await pending;
    await lock.release();
    expect(response.results[0]?.source).toBe("awaited");
    expect(JSON.stringify(response.results[0]?.values)).toBe(result.valuesBytes.toString());
    expect(replica.scheduler.stats.totals().computed).toBe(0);
  });

  it("cache hit -> returned without computing", async () => {
    const { body, unit } = freshRequest();
    const result = computeTask(unit);
    await client.set(`${PREFIX}${unit.key}:result`, encodeResult(unit.key, result), "PX", 60_000);
    const replica = await service();
    const response = await calculate(replica, body);
    expect(response.results[0]?.source).toBe("shared");
    expect(JSON.stringify(response.results[0]?.values)).toBe(result.valuesBytes.toString());
    expect(replica.scheduler.stats.totals()).toMatchObject({ computed: 0, sharedHits: 1, lockAcquired: 0 });
  });

  it("an exception anywhere -> falls back to computing", async () => {
    const replica = await service();
    const { body, unit } = freshRequest();
    // A value of the wrong type makes every read of the result key fail with WRONGTYPE.
    await client.rpush(`${PREFIX}${unit.key}:result`, "not a string");
    const response = await calculate(replica, body);
    expect(response.results[0]?.source).toBe("computed");
    expect(replica.scheduler.stats.totals()).toMatchObject({ computed: 1, degradedComputed: 1 });
    await client.del(`${PREFIX}${unit.key}:result`);
  });
});

describe.skipIf(!enabled)("COORDINATION_WAIT=poll (the origin design's wait, kept as a fallback)", () => {
  const poll = { COORDINATION_WAIT: "poll" as const, POLL_INTERVAL_MS: 50, POLL_ATTEMPTS: 3 };

  it("re-reads the shared cache on its interval and returns the holder's result", async () => {
    const replica = await service(poll);
    const { body, unit } = freshRequest();
    const lock = await holdLock(unit.key);
    const pending = calculate(replica, body);
    await sleep(70);
    await client.set(`${PREFIX}${unit.key}:result`, encodeResult(unit.key, computeTask(unit)), "PX", 60_000);
    const response = await pending;
    await lock.release();
    expect(response.results[0]?.source).toBe("awaited");
    expect(replica.scheduler.stats.totals()).toMatchObject({ computed: 0, awaited: 1 });
  });

  it("computes anyway after the last attempt, counted as a duplicate", async () => {
    const replica = await service(poll);
    const { body, unit } = freshRequest();
    const lock = await holdLock(unit.key);
    const started = performance.now();
    const response = await calculate(replica, body);
    const elapsed = performance.now() - started;
    await lock.release();
    expect(response.results[0]?.source).toBe("computed");
    expect(replica.scheduler.stats.totals()).toMatchObject({ duplicates: 1, computed: 1 });
    expect(elapsed).toBeGreaterThanOrEqual(140);
    await expectSharedEntry(unit);
  });
});

/** The shared cache holds `unit`'s result, decodable and equal to computing it here. */
async function expectSharedEntry(unit: ReturnType<typeof freshRequest>["unit"]) {
  const entry = await client.getBuffer(`${PREFIX}${unit.key}:result`);
  expect(entry, "the shared cache holds the unit's entry").not.toBeNull();
  const expected = computeTask(unit);
  const shape = { key: unit.key, outputs: Object.keys(expected.series.outputs), length: 2_000 };
  expect(decodeResult(shape, entry as Buffer)?.series).toEqual(expected.series);
}

describe.skipIf(!enabled)("a waiter that stops waiting", () => {
  it("computes at its deadline and writes the shared cache, so the next replica reads it", async () => {
    const waiter = await service({ LOCK_WAIT_TIMEOUT_MS: 300 });
    const { body, unit } = freshRequest();
    const lock = await holdLock(unit.key);
    const response = await calculate(waiter, body);
    await lock.release();
    expect(response.results[0]?.source).toBe("computed");
    expect(waiter.scheduler.stats.totals()).toMatchObject({ duplicates: 1, computed: 1 });
    await expectSharedEntry(unit);
    const next = await service();
    expect((await calculate(next, body)).results[0]?.source).toBe("shared");
  });
});

describe.skipIf(!enabled)("Redlock quorum in the service", () => {
  it("locks with 3 lock nodes while one is down, and the mode stays distributed", async () => {
    const nodes = await Promise.all([RedisServer.start(), RedisServer.start(), RedisServer.start()]);
    try {
      await nodes[2]?.stop();
      const replica = await service({ REDIS_LOCK_URLS: nodes.map((node) => node.url).join(",") });
      const response = await calculate(replica, freshRequest().body);
      expect(response.results[0]?.source).toBe("computed");
      expect(replica.scheduler.stats.totals().lockAcquired).toBe(1);
      const modes = new Set<string>();
      for (let i = 0; i < 15; i++) {
        modes.add(replica.coordinator.mode);
        await sleep(100);
      }
      expect([...modes]).toEqual(["distributed"]);
    } finally {
      await Promise.all(services.splice(0).map((s) => s.close()));
      await Promise.all(nodes.map((node) => node.stop()));
    }
  });
});

describe.skipIf(!enabled)("shared cache integrity", () => {
  it.each([
    ["a corrupt entry", (_key: string) => Buffer.from("IND1 garbage that is not an entry")],
    [
      "a foreign entry (another key's valid value)",
      (_key: string) => {
        const other = freshRequest().unit;
        return encodeResult(other.key, computeTask(other));
      },
    ],
    [
      "a truncated entry",
      (key: string) => {
        const { unit } = freshRequest();
        return encodeResult(key, computeTask(unit)).subarray(0, 100);
      },
    ],
  ])("%s is recomputed, never served, and repaired", async (_label, make) => {
    const replica = await service();
    const { body, unit } = freshRequest();
    await client.set(`${PREFIX}${unit.key}:result`, make(unit.key));
    const response = await calculate(replica, body);
    expect(response.results[0]?.source).toBe("computed");
    expect(JSON.stringify(response.results[0]?.values)).toBe(computeTask(unit).valuesBytes.toString());
    expect(replica.scheduler.stats.totals().invalidShared).toBe(1);
    const repaired = await client.getBuffer(`${PREFIX}${unit.key}:result`);
    expect(repaired?.equals(encodeResult(unit.key, computeTask(unit)))).toBe(true);
  });
});

describe.skipIf(!enabled)("connection security", () => {
  it("AUTH: a password in REDIS_URL is used, a wrong one degrades instead of failing", async () => {
    const secured = await RedisServer.start({ password: "s3cret/pw" });
    try {
      const replica = await service({ REDIS_URL: secured.url });
      expect((await calculate(replica, freshRequest().body)).meta.mode).toBe("distributed");
      const wrong = await service({ REDIS_URL: secured.url.replace("s3cret", "wrong") });
      const response = await calculate(wrong, freshRequest().body);
      expect(response.meta.mode).toBe("degraded");
      expect(response.results[0]?.source).toBe("computed");
    } finally {
      await Promise.all(services.splice(0).map((s) => s.close()));
      await secured.stop();
    }
  });

  it("TLS: rediss:// with a private CA from REDIS_TLS_CA_FILE, plus AUTH", async () => {
    const secured = await RedisServer.start({ tls: true, password: "tlspw" });
    try {
      expect(secured.url).toMatch(/^rediss:/);
      const replica = await service({ REDIS_URL: secured.url, REDIS_TLS_CA_FILE: secured.caFile });
      const { body } = freshRequest();
      const response = await calculate(replica, body);
      expect(response.meta.mode).toBe("distributed");
      expect(replica.scheduler.stats.totals().lockAcquired).toBe(1);
      const other = await service({ REDIS_URL: secured.url, REDIS_TLS_CA_FILE: secured.caFile });
      expect((await calculate(other, body)).results[0]?.source).toBe("shared");
    } finally {
      await Promise.all(services.splice(0).map((s) => s.close()));
      await secured.stop();
    }
  });
});

describe.skipIf(!enabled)("coordination metrics", () => {
  it("export lock use, cost decisions, the round trip and the mode", async () => {
    // A fixed lock threshold: with `auto` it follows the measured round trip, and a BBANDS kernel
    // over 2,000 candles (~0.8 ms) can land on either side of it on a busy machine.
    const replica = await service({ COORDINATION_MIN_COST_MS: 0.5 });
    await calculate(replica, freshRequest().body);
    await calculate(replica, { candles: { close: [1, 2, 3, 4, 5, 6] }, indicators: [{ name: "SMA" }] });
    const text = (await replica.app.inject({ url: "/metrics" })).body;
    expect(sample(text, "indicator_coordination_mode", { mode: "distributed" })).toBe(1);
    expect(sample(text, "indicator_redis_breaker_state", { state: "closed" })).toBe(1);
    expect(sample(text, "indicator_lock_acquisitions_total", { indicator: "BBANDS" })).toBe(1);
    expect(sample(text, "indicator_coordination_skipped_total", { indicator: "SMA", reason: "cheap" })).toBe(
      1,
    );
    expect(sample(text, "indicator_unit_estimated_cost_seconds_count", { route: "lock" })).toBe(1);
    expect(sample(text, "indicator_unit_estimated_cost_seconds_count", { route: "local" })).toBe(1);
    expect(sample(text, "indicator_redis_round_trip_seconds")).toBeGreaterThan(0);
  });
});

describe.skipIf(!enabled)("cost-aware coordination", () => {
  it("skips Redis entirely for units cheaper than a round trip", async () => {
    const replica = await service({ COORDINATION_MIN_COST_MS: "auto" });
    const response = await calculate(replica, {
      candles: { close: [1, 2, 3, 4, 5, 6] },
      indicators: [{ name: "SMA" }],
    });
    expect(response.results[0]?.source).toBe("computed");
    expect(replica.scheduler.stats.totals()).toMatchObject({ skippedCheap: 1, lockAcquired: 0 });
  });

  it("shares but does not lock a unit below the lock threshold", async () => {
    const replica = await service({ COORDINATION_MIN_COST_MS: 60_000 });
    const { body, unit } = freshRequest();
    await calculate(replica, body);
    expect(replica.scheduler.stats.totals()).toMatchObject({ skippedLock: 1, lockAcquired: 0 });
    expect(await client.exists(`${PREFIX}${unit.key}:result`)).toBe(1);
  });

  it("DISTRIBUTED_LOCK_ENABLED=false shares results without locks", async () => {
    const replica = await service({ DISTRIBUTED_LOCK_ENABLED: false });
    const { body, unit } = freshRequest();
    await calculate(replica, body);
    expect(replica.scheduler.stats.totals().lockAcquired).toBe(0);
    expect(await client.exists(`${PREFIX}${unit.key}:result`)).toBe(1);
    const other = await service({ DISTRIBUTED_LOCK_ENABLED: false });
    expect((await calculate(other, body)).results[0]?.source).toBe("shared");
  });
});
