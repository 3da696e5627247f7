import { randomBytes } from "node:crypto";
import type { EventEmitter } from "node:events";
import { connect } from "node:net";
import { setImmediate as nextTick, setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FaultProxy } from "../../harness/fault-proxy.js";
import { RedisServer, requireRedisBinary } from "../../harness/redis.js";

const enabled = requireRedisBinary();

/** Like events.once, but an "error" along the way (expected in these tests) does not reject. */
function next(emitter: EventEmitter, event: string): Promise<void> {
  return new Promise((resolve) => emitter.once(event, () => resolve()));
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in 5 s");
    await sleep(5);
  }
}

describe.skipIf(!enabled)("FaultProxy (real redis-server)", () => {
  let redis: RedisServer;
  let proxies: FaultProxy[] = [];
  let clients: Redis[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    clients = [];
    proxies = [];
  });

  async function startProxy(): Promise<FaultProxy> {
    const proxy = await FaultProxy.start({ port: redis.port });
    proxies.push(proxy);
    return proxy;
  }

  function client(proxy: FaultProxy, options: { lazyConnect?: boolean; retry?: boolean } = {}): Redis {
    const redisClient = new Redis(proxy.url, {
      maxRetriesPerRequest: 1,
      lazyConnect: options.lazyConnect ?? false,
      ...(options.retry === false ? { retryStrategy: () => null } : {}),
    });
    redisClient.on("error", () => undefined);
    clients.push(redisClient);
    return redisClient;
  }

  async function fastestPingMs(redisClient: Redis, tries = 3): Promise<number> {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < tries; i++) {
      const start = performance.now();
      expect(await redisClient.ping()).toBe("PONG");
      best = Math.min(best, performance.now() - start);
    }
    return best;
  }

  it("adds latency each way, and set() takes it away again", async () => {
    const proxy = await startProxy();
    const redisClient = client(proxy);
    await redisClient.ping();
    proxy.set({ latencyMs: 40 });
    expect(await fastestPingMs(redisClient)).toBeGreaterThanOrEqual(75);
    proxy.set({ latencyMs: 0 });
    expect(await fastestPingMs(redisClient)).toBeLessThan(40);
  });

  it("paces a 2 MB SET and GET to the bandwidth cap and delivers identical bytes", async () => {
    const proxy = await startProxy();
    const redisClient = client(proxy);
    await redisClient.ping();
    const payload = randomBytes(2 * 1024 * 1024);
    proxy.set({ bandwidthBytesPerSecond: 4 * 1024 * 1024 });

    let start = performance.now();
    await redisClient.set("fault-proxy:big", payload);
    const setMs = performance.now() - start;
    start = performance.now();
    const echoed = await redisClient.getBuffer("fault-proxy:big");
    const getMs = performance.now() - start;

    expect(setMs).toBeGreaterThanOrEqual(450);
    expect(getMs).toBeGreaterThanOrEqual(450);
    expect(setMs + getMs).toBeLessThan(8_000);
    expect(echoed?.equals(payload)).toBe(true);
    expect(proxy.bytes.toTarget).toBeGreaterThan(payload.length);
    expect(proxy.bytes.toClient).toBeGreaterThan(payload.length);
  });

  it("keeps chunks in order under jitter", async () => {
    const proxy = await startProxy();
    const redisClient = client(proxy);
    await redisClient.del("fault-proxy:counter");
    proxy.set({ jitterMs: 30 });
    const replies: Promise<number>[] = [];
    const echoes: Promise<string>[] = [];
    for (let i = 0; i < 200; i++) {
      replies.push(redisClient.incr("fault-proxy:counter"));
      // ECHO also catches reordering on the way to Redis, which INCR alone cannot tell apart.
      echoes.push(redisClient.echo(`m${i}`));
      // A tick between commands makes them separate writes, so separate chunks with their own jitter.
      await nextTick();
    }
    expect(await Promise.all(replies)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await Promise.all(echoes)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
  });

  it("cutConnections drops the client, which reconnects", async () => {
    const proxy = await startProxy();
    const redisClient = client(proxy);
    await redisClient.ping();
    expect(proxy.connections).toBe(1);
    const closed = next(redisClient, "close");
    proxy.cutConnections();
    await closed;
    expect(proxy.connections).toBe(0);
    await next(redisClient, "ready");
    expect(await redisClient.ping()).toBe("PONG");
    expect(proxy.connections).toBe(1);
  });

  it("refuseNew partitions new connections and leaves open ones alone", async () => {
    const proxy = await startProxy();
    const existing = client(proxy);
    await existing.ping();
    proxy.refuseNew(true);
    await expect(client(proxy, { lazyConnect: true, retry: false }).connect()).rejects.toThrow();
    expect(await existing.ping()).toBe("PONG");
    proxy.refuseNew(false);
    const fresh = client(proxy, { lazyConnect: true, retry: false });
    await fresh.connect();
    expect(await fresh.ping()).toBe("PONG");
  });

  it("forwards a half-close after the data before it", async () => {
    const proxy = await startProxy();
    proxy.set({ latencyMs: 30 });
    const socket = connect(proxy.port, "127.0.0.1");
    socket.end("PING\r\n");
    let received = "";
    socket.on("data", (data) => {
      received += String(data);
    });
    await next(socket, "close");
    expect(received).toBe("+PONG\r\n");
  });

  it("close() ends every connection and leaves no handles behind", async () => {
    const count = (prefix: string) =>
      process.getActiveResourcesInfo().filter((name) => name.startsWith(prefix)).length;
    const before = { timers: count("Timeout"), tcp: count("TCP") };
    const proxy = await FaultProxy.start({ port: redis.port }, { latencyMs: 500 });
    const socket = connect(proxy.port, "127.0.0.1");
    socket.on("error", () => undefined);
    socket.write("PING\r\n");
    // The PING is now held by a latency timer: close() must neither wait for it nor leave it behind.
    await until(() => proxy.connections === 1 && count("Timeout") > before.timers);
    const closed = next(socket, "close");
    await proxy.close();
    await closed;
    expect(proxy.connections).toBe(0);
    expect(proxy.bytes.toTarget).toBe(0);
    expect(count("Timeout")).toBeLessThanOrEqual(before.timers);
    expect(count("TCP")).toBeLessThanOrEqual(before.tcp);
  });
});
