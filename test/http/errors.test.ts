import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calculateRequest, captureLog, startTestService } from "../../harness/service.js";
import type { ComputeExecutor } from "../../src/compute/executor.js";
import { buildApp } from "../../src/http/app.js";
import { Lifecycle } from "../../src/lifecycle.js";
import { SmartScheduler } from "../../src/scheduler/scheduler.js";
import type { Service } from "../../src/service.js";

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: Array<{ path: string; message: string }>;
}

let service: Service;
beforeAll(async () => {
  service = await startTestService({ MAX_CANDLES: 50, MAX_INDICATORS: 3, BODY_LIMIT_BYTES: 4_096 });
});
afterAll(async () => {
  await service.close();
});

const close = [10, 11, 12, 11, 10, 12, 13];
const valid = { candles: { close }, indicators: [{ name: "SMA", params: { period: 3 } }] };

async function problem(request: InjectOptions, status: number): Promise<Problem> {
  const response = await service.app.inject(request);
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const body = response.json<Problem>();
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^urn:indicator-service:problem:/) });
  expect(body.requestId).toBe(response.headers["x-request-id"]);
  expect(response.body).not.toMatch(/at .*\.(ts|js):\d+/);
  return body;
}

const paths = (body: Problem) => body.errors?.map((e) => e.path) ?? [];

describe("validation errors name the offending field", () => {
  it.each([
    ["a non-number price", { ...valid, candles: { close: [1, "2", 3] } }, "candles.close[1]"],
    [
      "an infinite price (1e400)",
      '{"candles":{"close":[1,1e400]},"indicators":[{"name":"SMA"}]}',
      "candles.close[1]",
    ],
    ["a missing close", { ...valid, candles: { open: close } }, "candles.close"],
    ["no indicators", { ...valid, indicators: [] }, "indicators"],
    [
      "too many indicators",
      { ...valid, indicators: [1, 2, 3, 4].map(() => ({ name: "SMA" })) },
      "indicators",
    ],
    ["too many candles", { ...valid, candles: { close: Array(51).fill(1) } }, "candles.close"],
    ["an unknown top-level field", { ...valid, indicator: [] }, "(root)"],
    ["an unknown option", { ...valid, options: { tial: 3 } }, "options"],
    ["precision out of range", { ...valid, options: { precision: 16 } }, "options.precision"],
    ["an over-long symbol", { ...valid, symbol: "X".repeat(65) }, "symbol"],
    [
      "a period below its bound",
      { ...valid, indicators: [{ name: "SMA", params: { period: 0 } }] },
      "indicators[0].params.period",
    ],
    [
      "a fractional period",
      { ...valid, indicators: [{ name: "SMA", params: { period: 2.5 } }] },
      "indicators[0].params.period",
    ],
    [
      "a misspelled param",
      { ...valid, indicators: [{ name: "SMA", params: { periods: 5 } }] },
      "indicators[0].params",
    ],
    [
      "fast >= slow",
      { ...valid, indicators: [{ name: "MACD", params: { fastPeriod: 30 } }] },
      "indicators[0].params.fastPeriod",
    ],
    ["unequal column lengths", { ...valid, candles: { close, open: [1, 2] } }, "candles.open"],
    ["low above high", { ...valid, candles: { close: [1, 2], high: [2, 2], low: [1, 3] } }, "candles.low[1]"],
    ["negative volume", { ...valid, candles: { close: [1, 2], volume: [1, -1] } }, "candles.volume[1]"],
    ["time not increasing", { ...valid, candles: { close: [1, 2, 3], time: [1, 3, 3] } }, "candles.time[2]"],
    [
      "a row missing a column others have",
      { ...valid, candles: [{ close: 1, high: 2 }, { close: 1 }] },
      "candles[1].high",
    ],
    ["a row with a wrong type", { ...valid, candles: [{ close: 1 }, { close: null }] }, "candles[1].close"],
    ["candles of the wrong shape", { ...valid, candles: "abc" }, "candles"],
    ["a duplicate id", { ...valid, indicators: [{ name: "SMA" }, { name: "sma" }] }, "indicators[1].id"],
  ])("%s", async (_label, body, path) => {
    const result = await problem(calculateRequest(body), 400);
    expect(result.code).toBe("VALIDATION_FAILED");
    expect(paths(result)).toContain(path);
    expect(result.detail.length).toBeGreaterThan(0);
  });

  it("says which indicator needs which missing column", async () => {
    const result = await problem(
      calculateRequest({ candles: { close }, indicators: [{ name: "ATR" }] }),
      400,
    );
    expect(paths(result)).toEqual(["candles.high", "candles.low"]);
    expect(result.errors?.[0]?.message).toContain("ATR");
  });

  it("lists close matches for an unknown indicator", async () => {
    const result = await problem(calculateRequest({ ...valid, indicators: [{ name: "SMAA" }] }), 400);
    expect(result.code).toBe("UNKNOWN_INDICATOR");
    expect(paths(result)).toEqual(["indicators[0].name"]);
    expect(result.errors?.[0]?.message).toMatch(/Did you mean .*SMA/);
  });

  it("reports all problems of a request at once", async () => {
    const result = await problem(
      calculateRequest({
        candles: { close },
        indicators: [{ name: "nope" }, { name: "RSI", params: { period: -1 } }],
      }),
      400,
    );
    expect(paths(result)).toEqual(["indicators[0].name", "indicators[1].params.period"]);
  });
});

describe("protocol errors", () => {
  it("400 MALFORMED_JSON for a body that is not JSON", async () => {
    expect((await problem(calculateRequest('{"candles": [1,'), 400)).code).toBe("MALFORMED_JSON");
  });

  it("400 MALFORMED_JSON for an empty body", async () => {
    expect((await problem(calculateRequest(""), 400)).code).toBe("MALFORMED_JSON");
  });

  it("400 for a __proto__ key instead of polluting anything", async () => {
    const result = await problem(calculateRequest('{"__proto__":{"x":1},"candles":{"close":[1]}}'), 400);
    expect(result.code).toBe("BAD_REQUEST");
    expect(result.detail).toContain("__proto__");
  });

  it("400 BAD_REQUEST problem+json for a URL that is not validly percent-encoded", async () => {
    expect((await problem({ method: "GET", url: "/%zz" }, 400)).code).toBe("BAD_REQUEST");
  });

  it("caps the listed issues for a huge malformed column and says how many there were", async () => {
    const result = await problem(
      calculateRequest({ ...valid, candles: { close: Array(50).fill("1") } }),
      400,
    );
    expect(result.errors).toHaveLength(20);
    expect(result.detail).toMatch(/^50 problems/);
  });

  it("413 BODY_TOO_LARGE above BODY_LIMIT_BYTES", async () => {
    const big = { ...valid, candles: { close: Array(2_000).fill(1.2345) } };
    expect((await problem(calculateRequest(big), 413)).code).toBe("BODY_TOO_LARGE");
  });

  it("415 for a body that is not JSON by content type", async () => {
    const result = await problem(
      {
        method: "POST",
        url: "/indicators/calculate",
        headers: { "content-type": "text/plain" },
        payload: "x",
      },
      415,
    );
    expect(result.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("404 NOT_FOUND for an unknown route", async () => {
    expect((await problem({ method: "GET", url: "/nope" }, 404)).code).toBe("NOT_FOUND");
  });

  it("405 METHOD_NOT_ALLOWED with an Allow header for a known route", async () => {
    const response = await service.app.inject({ method: "GET", url: "/indicators/calculate" });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe("POST");
    expect(response.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED" });
  });

  it("echoes a plain client request id and replaces an unsafe one", async () => {
    const kept = await service.app.inject({ url: "/nope", headers: { "x-request-id": "abc-123" } });
    expect(kept.headers["x-request-id"]).toBe("abc-123");
    const replaced = await service.app.inject({ url: "/nope", headers: { "x-request-id": "a b\u0000" } });
    expect(replaced.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("limits on what one request may cost", () => {
  it("422 REQUEST_TOO_COSTLY when the estimated compute exceeds MAX_REQUEST_COMPUTE_MS, naming the costliest units", async () => {
    const strict = await startTestService({ MAX_REQUEST_COMPUTE_MS: 5 });
    try {
      const close = Array.from({ length: 20_000 }, (_, i) => 100 + Math.sin(i));
      const response = await strict.app.inject(
        calculateRequest({
          candles: { close },
          indicators: [{ name: "IQR", params: { period: 1_000 } }, { name: "SMA" }],
        }),
      );
      expect(response.statusCode).toBe(422);
      const body = response.json<Problem>();
      expect(body.code).toBe("REQUEST_TOO_COSTLY");
      expect(body.errors?.[0]?.path).toBe("indicators[0]");
    } finally {
      await strict.close();
    }
  });

  it("422 RESPONSE_TOO_LARGE when the response would exceed MAX_RESPONSE_VALUES, and tail fixes it", async () => {
    const strict = await startTestService({ MAX_RESPONSE_VALUES: 100 });
    try {
      const request = {
        candles: { close: Array.from({ length: 60 }, (_, i) => i + 1) },
        indicators: [{ name: "BBANDS" }],
      };
      const refused = await strict.app.inject(calculateRequest(request));
      expect(refused.statusCode).toBe(422);
      expect(refused.json<Problem>().code).toBe("RESPONSE_TOO_LARGE");
      const tailed = await strict.app.inject(calculateRequest({ ...request, options: { tail: 30 } }));
      expect(tailed.statusCode).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe("internal failures", () => {
  it("500 INTERNAL with a code, no stack trace, and a log line carrying the request id", async () => {
    const { lines, logger } = captureLog("error");
    const broken: ComputeExecutor = {
      compute: async () => {
        throw new Error("kernel exploded");
      },
      decode: async () => null,
      close: async () => {},
    };
    const app = buildApp({
      scheduler: new SmartScheduler({
        mode: "sync",
        cache: null,
        inline: broken,
        pool: broken,
        poolMinCostMs: 1,
      }),
      lifecycle: new Lifecycle(),
      limits: { maxCandles: 100, maxIndicators: 5 },
      bodyLimitBytes: 100_000,
      log: logger,
    });
    const response = await app.inject(calculateRequest(valid, { "x-request-id": "req-500" }));
    await app.close();
    expect(response.statusCode).toBe(500);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const body = response.json<Problem>();
    expect(body).toMatchObject({ code: "INTERNAL", requestId: "req-500" });
    expect(response.body).not.toContain("kernel exploded");
    const logged = lines.map((line) => JSON.parse(line) as { reqId?: string; err?: { message?: string } });
    expect(
      logged.some((entry) => entry.reqId === "req-500" && entry.err?.message === "kernel exploded"),
    ).toBe(true);
  });
});
