import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { sample } from "../../harness/metrics.js";
import { randomOhlcv } from "../../harness/series.js";
import { startTestService } from "../../harness/service.js";
import type { Config } from "../../src/config/config.js";
import type { Service } from "../../src/service.js";

/** Over real sockets: admission is released when the response's socket side closes. */
async function listening(overrides: Partial<Config>): Promise<{ service: Service; url: string }> {
  const service = await startTestService(overrides);
  await service.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = service.app.server.address() as AddressInfo;
  return { service, url: `http://127.0.0.1:${port}` };
}

let running: Service | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const series = randomOhlcv(5_000, 3);
const body = (period: number) =>
  JSON.stringify({
    candles: series,
    indicators: [{ name: "SMA", params: { period } }],
  });

async function post(url: string, payload: string) {
  const response = await fetch(`${url}/indicators/calculate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: payload,
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    retryAfter: response.headers.get("retry-after"),
    json: JSON.parse(text) as { code?: string; detail?: string; results?: Array<{ source: string }> },
  };
}

async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sample(await (await fetch(`${url}/metrics`)).text(), name, labels);
}

describe("admission control", () => {
  it("refuses a flood beyond MAX_INFLIGHT_BYTES with 503 and Retry-After at once, then serves normally", async () => {
    const { service, url } = await listening({
      MAX_INFLIGHT_BYTES: 4 * 1024 * 1024,
      DEBUG_COMPUTE_DELAY_MS: 400,
    });
    running = service;
    const payload = body(10);
    // ~0.34 MB bodies held 3x plus their results: a few fit in 4 MiB, twelve do not.
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => post(url, body(10 + i))));
    const statuses = answers.map((answer) => answer.status);
    expect(new Set(statuses)).toEqual(new Set([200, 503]));
    for (const refused of answers.filter((answer) => answer.status === 503)) {
      expect(refused.type).toMatch(/^application\/problem\+json/);
      expect(refused.json.code).toBe("OVERLOADED");
      expect(refused.json.detail).toContain("MAX_INFLIGHT_BYTES");
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await metric(url, "indicator_refused_requests_total", { reason: "bytes" })).toBe(
      statuses.filter((status) => status === 503).length,
    );
    // Everything admitted was released once answered: the budget is empty, and service is normal.
    expect(await metric(url, "indicator_admitted_bytes")).toBe(0);
    expect(await metric(url, "indicator_admitted_requests")).toBe(0);
    expect((await post(url, payload)).status).toBe(200);
  });

  it("refuses work beyond MAX_INFLIGHT_COMPUTE_MS but serves cached units without counting them", async () => {
    // DEBUG_COMPUTE_DELAY_MS adds 600 ms to every unit's estimate: one fits in 1000 ms, two do not.
    const { service, url } = await listening({ MAX_INFLIGHT_COMPUTE_MS: 1_000, DEBUG_COMPUTE_DELAY_MS: 600 });
    running = service;
    const first = post(url, body(20));
    await sleep(100);
    const second = await post(url, body(21));
    expect(second.status).toBe(503);
    expect(second.json.detail).toContain("MAX_INFLIGHT_COMPUTE_MS");
    expect((await first).status).toBe(200);
    // The same request again is a memory hit: no compute to admit, so it passes while another runs.
    const busy = post(url, body(22));
    await sleep(100);
    const cached = await post(url, body(20));
    expect(cached.status).toBe(200);
    expect(cached.json.results?.[0]?.source).toBe("memory");
    expect((await busy).status).toBe(200);
  });

  it("answers 504 after REQUEST_DEADLINE_MS while the work goes on into the cache", async () => {
    const { service, url } = await listening({ REQUEST_DEADLINE_MS: 300, DEBUG_COMPUTE_DELAY_MS: 800 });
    running = service;
    const started = performance.now();
    const late = await post(url, body(30));
    expect(late.status).toBe(504);
    expect(late.type).toMatch(/^application\/problem\+json/);
    expect(late.json.code).toBe("DEADLINE_EXCEEDED");
    expect(performance.now() - started).toBeLessThan(800);
    // The work still holds its budget until it settles, then lands in the memory cache.
    expect(await metric(url, "indicator_admitted_requests")).toBe(1);
    // (A pool thread's first start under tsx takes a while: wait for the work, not a fixed time.)
    let held = 1;
    for (let i = 0; i < 100 && held > 0; i++) {
      await sleep(100);
      held = await metric(url, "indicator_admitted_requests");
    }
    expect(held).toBe(0);
    const retried = await post(url, body(30));
    expect(retried.status).toBe(200);
    expect(retried.json.results?.[0]?.source).toBe("memory");
  });

  it("refuses before reading the body: a declared body too big for the budget costs no parsing", async () => {
    const { service, url } = await listening({
      MAX_INFLIGHT_BYTES: 1024 * 1024,
      DEBUG_COMPUTE_DELAY_MS: 500,
    });
    running = service;
    const held = post(url, body(40));
    await sleep(100);
    const refused = await post(url, body(41));
    expect(refused.status).toBe(503);
    expect(await metric(url, "indicator_admitted_requests_total")).toBe(1);
    expect((await held).status).toBe(200);
  });
});
