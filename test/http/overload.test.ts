import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { calculateRequest, startTestService } from "../../harness/service.js";

function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: what a runaway synchronous computation does to a replica
  }
}

describe("load shedding (@fastify/under-pressure)", () => {
  it("answers 503 OVERLOADED with Retry-After while the event loop lags, but keeps probes and metrics up", async () => {
    const service = await startTestService({
      OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: 30,
      OVERLOAD_MAX_EVENT_LOOP_UTILIZATION: 0,
      OVERLOAD_SAMPLE_INTERVAL_MS: 100,
    });
    try {
      const request = calculateRequest({
        candles: { close: [1, 2, 3] },
        indicators: [{ name: "SMA", params: { period: 2 } }],
      });
      expect((await service.app.inject(request)).statusCode).toBe(200);

      // under-pressure compares the *mean* loop delay of a sample window with the limit: one long
      // stall must outweigh the window's normal samples, hence a full second.
      blockEventLoop(1_000);
      // The lag shows up at the next sample; shedding then lasts until a calm sample.
      let shed = await service.app.inject(request);
      for (let i = 0; i < 50 && shed.statusCode !== 503; i++) {
        await sleep(10);
        shed = await service.app.inject(request);
      }
      expect(shed.statusCode).toBe(503);
      expect(shed.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(shed.headers["retry-after"]).toBe("1");
      expect(shed.json()).toMatchObject({ code: "OVERLOADED" });
      for (const url of ["/health/live", "/health/ready", "/health", "/metrics"]) {
        expect((await service.app.inject({ url })).statusCode, url).toBe(200);
      }

      let recovered = false;
      for (let i = 0; i < 50 && !recovered; i++) {
        await sleep(20);
        recovered = (await service.app.inject(request)).statusCode === 200;
      }
      expect(recovered).toBe(true);
    } finally {
      await service.close();
    }
  });
});
