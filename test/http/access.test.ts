import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisServer, requireRedisBinary } from "../../harness/redis.js";
import { calculateRequest, captureLog, startTestService } from "../../harness/service.js";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import type { Service } from "../../src/service.js";

const KEY_A = "key-a-0123456789abcdef";
const KEY_B = "key-b-0123456789abcdef";
const body = { candles: { close: [1, 2, 3, 4] }, indicators: [{ name: "SMA", params: { period: 2 } }] };
const withKey = (key: string) => calculateRequest(body, { authorization: `Bearer ${key}` });

describe("API keys", () => {
  let service: Service;
  const { lines: logLines, logger } = captureLog();
  beforeAll(async () => {
    service = await startTestService({ API_KEYS: `${KEY_A}, ${KEY_B}` }, logger);
  });
  afterAll(async () => {
    await service.close();
  });

  it("serves the web console's files without a key, under its own CSP, and nothing else", async () => {
    const root = await service.app.inject({ url: "/" });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe("/console/");
    expect((await service.app.inject({ url: "/console" })).headers.location).toBe("/console/");
    const page = await service.app.inject({ url: "/console/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body).toContain('src="./console.js"');
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    // Whatever no directive names is refused, and styles come from the console's own file only.
    const directives = new Map(
      csp.split(";").map((directive) => {
        const [name = "", ...sources] = directive.trim().split(/\s+/);
        return [name, sources.join(" ")];
      }),
    );
    expect(directives.get("default-src")).toBe("'none'");
    expect(directives.get("style-src")).toBe("'self'");
    expect(page.headers["x-frame-options"]).toBe("DENY");
    const script = await service.app.inject({ url: "/console/console.js" });
    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(script.headers["cache-control"]).toBe("no-cache");
    const etag = String(script.headers.etag);
    const again = await service.app.inject({
      url: "/console/console.js",
      headers: { "if-none-match": etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
    const weakInList = await service.app.inject({
      url: "/console/console.js",
      headers: { "if-none-match": `"other", W/${etag}` },
    });
    expect(weakInList.statusCode).toBe(304);
    const changed = await service.app.inject({
      url: "/console/console.js",
      headers: { "if-none-match": '"old"' },
    });
    expect(changed.statusCode).toBe(200);
    const missing = await service.app.inject({ url: "/console/secrets.js" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: "NOT_FOUND" });
    // Past the console's own files, a key is needed again.
    for (const url of ["/console/../indicators", "/console/%2e%2e%2fpackage.json", "/indicators"]) {
      const response = await service.app.inject({ url });
      expect(response.statusCode, url).not.toBe(200);
    }
  });

  it("401 problem+json with WWW-Authenticate without a key or with a wrong one", async () => {
    for (const request of [calculateRequest(body), withKey("wrong-key-0123456789"), { url: "/indicators" }]) {
      const response = await service.app.inject(request);
      expect(response.statusCode).toBe(401);
      expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
      expect(response.json()).toMatchObject({ code: "UNAUTHORIZED" });
    }
  });

  it("accepts every configured key", async () => {
    expect((await service.app.inject(withKey(KEY_A))).statusCode).toBe(200);
    expect((await service.app.inject(withKey(KEY_B))).statusCode).toBe(200);
  });

  it("leaves the health probes and /metrics open", async () => {
    for (const url of ["/health", "/health/live", "/health/ready", "/metrics"]) {
      expect((await service.app.inject({ url })).statusCode, url).toBe(200);
    }
  });

  it("never writes a key to the logs", async () => {
    await service.app.inject(withKey(KEY_A));
    await service.app.inject(withKey("wrong-key-0123456789"));
    const logs = logLines.join("");
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(KEY_A);
    expect(logs).not.toContain("wrong-key-0123456789");
  });

  it("METRICS_REQUIRE_API_KEY=true protects /metrics too", async () => {
    const strict = await startTestService({ API_KEYS: KEY_A, METRICS_REQUIRE_API_KEY: true });
    expect((await strict.app.inject({ url: "/metrics" })).statusCode).toBe(401);
    expect(
      (await strict.app.inject({ url: "/metrics", headers: { authorization: `Bearer ${KEY_A}` } }))
        .statusCode,
    ).toBe(200);
    await strict.close();
  });

  it("counts failed authentications per address: past AUTH_FAILURE_LIMIT even a valid key gets 429 until the window ends", async () => {
    const guarded = await startTestService({
      API_KEYS: KEY_A,
      AUTH_FAILURE_LIMIT: 3,
      AUTH_FAILURE_WINDOW_MS: 1_000,
    });
    try {
      const from = (address: string, key: string) => ({ ...withKey(key), remoteAddress: address });
      for (let i = 0; i < 3; i++) {
        expect((await guarded.app.inject(from("10.0.0.1", `guess-${i}-0123456789abcdef`))).statusCode).toBe(
          401,
        );
      }
      const blocked = await guarded.app.inject(from("10.0.0.1", KEY_A));
      expect(blocked.statusCode).toBe(429);
      expect(blocked.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(Number(blocked.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(blocked.json()).toMatchObject({ code: "TOO_MANY_REQUESTS" });
      // Another address is not affected; the probes never are.
      expect((await guarded.app.inject(from("10.0.0.2", KEY_A))).statusCode).toBe(200);
      expect((await guarded.app.inject({ url: "/health/ready", remoteAddress: "10.0.0.1" })).statusCode).toBe(
        200,
      );
      await sleep(1_050);
      expect((await guarded.app.inject(from("10.0.0.1", KEY_A))).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it("refuses keys shorter than 16 characters at start-up", () => {
    expect(() => loadConfig({ API_KEYS: "short" })).toThrow(ConfigError);
  });
});

describe("rate limiting", () => {
  it("429 problem+json with Retry-After past the limit, per API key, probes exempt", async () => {
    const service = await startTestService({ API_KEYS: `${KEY_A},${KEY_B}`, RATE_LIMIT_MAX: 3 });
    try {
      for (let i = 0; i < 3; i++) expect((await service.app.inject(withKey(KEY_A))).statusCode).toBe(200);
      const limited = await service.app.inject(withKey(KEY_A));
      expect(limited.statusCode).toBe(429);
      expect(limited.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
      expect(limited.json()).toMatchObject({ code: "TOO_MANY_REQUESTS" });
      expect((await service.app.inject(withKey(KEY_B))).statusCode).toBe(200);
      for (let i = 0; i < 5; i++)
        expect((await service.app.inject({ url: "/health/live" })).statusCode).toBe(200);
    } finally {
      await service.close();
    }
  });

  it("limits per client address without API keys", async () => {
    const service = await startTestService({ RATE_LIMIT_MAX: 2 });
    try {
      const from = (ip: string) => ({ ...calculateRequest(body), remoteAddress: ip });
      expect((await service.app.inject(from("10.0.0.1"))).statusCode).toBe(200);
      expect((await service.app.inject(from("10.0.0.1"))).statusCode).toBe(200);
      expect((await service.app.inject(from("10.0.0.1"))).statusCode).toBe(429);
      expect((await service.app.inject(from("10.0.0.2"))).statusCode).toBe(200);
    } finally {
      await service.close();
    }
  });

  it("believes X-Forwarded-For only from proxies named in TRUST_PROXY", async () => {
    const from = (client: string) => ({
      ...calculateRequest(body, { "x-forwarded-for": client }),
      remoteAddress: "127.0.0.1",
    });
    const untrusting = await startTestService({ RATE_LIMIT_MAX: 1 });
    const trusting = await startTestService({ RATE_LIMIT_MAX: 1, TRUST_PROXY: "loopback" });
    try {
      // Without TRUST_PROXY a forged header cannot buy a fresh bucket.
      expect((await untrusting.app.inject(from("198.51.100.1"))).statusCode).toBe(200);
      expect((await untrusting.app.inject(from("198.51.100.2"))).statusCode).toBe(429);
      // Behind a trusted balancer each client has its own bucket.
      expect((await trusting.app.inject(from("198.51.100.1"))).statusCode).toBe(200);
      expect((await trusting.app.inject(from("198.51.100.2"))).statusCode).toBe(200);
      expect((await trusting.app.inject(from("198.51.100.1"))).statusCode).toBe(429);
    } finally {
      await Promise.all([untrusting.close(), trusting.close()]);
    }
  });

  const redisAvailable = requireRedisBinary();
  it.skipIf(!redisAvailable)(
    "holds across replicas through Redis, and degrades to per-replica limits with Redis down",
    async () => {
      const redis = await RedisServer.start();
      const config = {
        REDIS_URL: redis.url,
        API_KEYS: KEY_A,
        RATE_LIMIT_MAX: 4,
        RATE_LIMIT_WINDOW_MS: 60_000,
      };
      const [one, two] = await Promise.all([startTestService(config), startTestService(config)]);
      try {
        const statuses = [];
        for (const replica of [one, two, one, two, one])
          statuses.push((await replica.app.inject(withKey(KEY_A))).statusCode);
        expect(statuses).toEqual([200, 200, 200, 200, 429]);

        await redis.stop();
        await sleep(100);
        expect(one.coordinator.mode).toBe("degraded");
        // Each replica now counts on its own (its local counter only saw its share before).
        const degraded = [];
        for (let i = 0; i < 5; i++) degraded.push((await two.app.inject(withKey(KEY_A))).statusCode);
        expect(degraded).toEqual([200, 200, 200, 200, 429]);
      } finally {
        await Promise.all([one.close(), two.close()]);
        await redis.stop();
      }
    },
  );
  it.skipIf(!redisAvailable)(
    "answers within a breaker deadline when Redis freezes: the counter falls back to this replica",
    async () => {
      const redis = await RedisServer.start();
      const service = await startTestService({
        REDIS_URL: redis.url,
        API_KEYS: KEY_A,
        RATE_LIMIT_MAX: 100,
        REDIS_COMMAND_TIMEOUT_MS: 200,
      });
      try {
        expect((await service.app.inject(withKey(KEY_A))).statusCode).toBe(200);
        redis.freeze();
        const started = performance.now();
        const statuses = await Promise.all(
          Array.from({ length: 3 }, async () => (await service.app.inject(withKey(KEY_A))).statusCode),
        );
        // Not the connection's 30 s stuck-command timeout: one deadline, then the local count.
        expect(performance.now() - started).toBeLessThan(1_500);
        expect(statuses).toEqual([200, 200, 200]);
      } finally {
        redis.thaw();
        await service.close();
        await redis.stop();
      }
    },
  );
});

describe("CORS and security headers", () => {
  it("sends no CORS headers unless origins are configured", async () => {
    const service = await startTestService();
    const response = await service.app.inject({
      url: "/indicators",
      headers: { origin: "https://app.example" },
    });
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
    await service.close();
  });

  it("answers preflight for configured origins only", async () => {
    const service = await startTestService({ CORS_ORIGINS: "https://app.example" });
    const preflight = (origin: string) =>
      service.app.inject({
        method: "OPTIONS",
        url: "/indicators/calculate",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
    const allowed = await preflight("https://app.example");
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect((await preflight("https://evil.example")).headers["access-control-allow-origin"]).toBeUndefined();
    await service.close();
  });

  it("logs no request line for probes and metrics, and one for everything else", async () => {
    const { lines, logger } = captureLog("info");
    const quiet = await startTestService({}, logger);
    for (const url of ["/health", "/health/live", "/health/ready?x=1", "/metrics"])
      await quiet.app.inject({ url });
    expect(lines.filter((line) => line.includes("incoming request"))).toEqual([]);
    await quiet.app.inject({ url: "/indicators" });
    await quiet.app.inject({ url: "/no-such-route" });
    const logged = lines
      .filter((line) => line.includes("incoming request"))
      .map((line) => JSON.parse(line).req?.url);
    expect(logged).toEqual(["/indicators", "/no-such-route"]);
    await quiet.close();
  });

  it("sets JSON-API security headers on every response", async () => {
    const service = await startTestService();
    for (const request of [{ url: "/health" }, calculateRequest(body), { url: "/nope" }]) {
      const response = await service.app.inject(request);
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
      expect(response.headers["x-frame-options"]).toBe("DENY");
      expect(response.headers["referrer-policy"]).toBe("no-referrer");
      expect(response.headers["content-security-policy"]).toContain("default-src 'none'");
    }
    await service.close();
  });
});
