import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sample } from "../../harness/metrics.js";
import { calculateRequest, startTestService } from "../../harness/service.js";
import type { Service } from "../../src/service.js";

let service: Service;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service.close();
});

async function scrape(): Promise<string> {
  const response = await service.app.inject({ url: "/metrics" });
  expect(response.statusCode).toBe(200);
  expect(response.headers["content-type"]).toMatch(/^text\/plain; version=0.0.4/);
  return response.body;
}

describe("GET /metrics", () => {
  it("exposes process, HTTP and scheduler metrics that move under requests", async () => {
    const body = {
      candles: { close: Array.from({ length: 300 }, (_, i) => 100 + Math.sin(i)) },
      indicators: [{ name: "SMA" }],
    };
    const before = await scrape();
    expect(before).toContain("process_cpu_seconds_total");
    expect(before).toContain("nodejs_eventloop_lag_seconds");
    expect(sample(before, "indicator_coordination_mode", { mode: "standalone" })).toBe(1);

    await service.app.inject(calculateRequest(body));
    await service.app.inject(calculateRequest(body));
    await service.app.inject(calculateRequest("{bad"));
    const after = await scrape();

    const route = { route: "/indicators/calculate", method: "POST" };
    expect(sample(after, "http_requests_total", { ...route, status_code: "200" })).toBe(2);
    expect(sample(after, "http_requests_total", { ...route, status_code: "400" })).toBe(1);
    expect(sample(after, "http_request_duration_seconds_count", { ...route, status_code: "200" })).toBe(2);
    expect(sample(after, "indicator_computations_total", { indicator: "SMA" })).toBe(1);
    expect(sample(after, "indicator_cache_hits_total", { indicator: "SMA", tier: "memory" })).toBe(1);
    expect(sample(after, "indicator_memory_cache_entries")).toBe(1);
    expect(sample(after, "indicator_memory_cache_bytes")).toBeGreaterThan(300 * 8);
  });

  it("labels unmatched paths by a fixed value, not by the raw URL", async () => {
    await service.app.inject({ url: "/random/abc123" });
    const text = await scrape();
    expect(text).not.toContain("abc123");
    expect(sample(text, "http_requests_total", { route: "unmatched", status_code: "404" })).toBeGreaterThan(
      0,
    );
  });

  it("is absent when METRICS_ENABLED=false", async () => {
    const off = await startTestService({ METRICS_ENABLED: false });
    expect((await off.app.inject({ url: "/metrics" })).statusCode).toBe(404);
    await off.close();
  });
});
