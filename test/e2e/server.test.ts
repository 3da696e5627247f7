import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  postCalculate,
  runServerToExit,
  type ServerProcess,
  startServerProcess,
} from "../../harness/process.js";
import { randomOhlcv } from "../../harness/series.js";

describe("the built server as a child process", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
  });

  it("computes over real HTTP, pooling a large unit, and serves the repeat from memory", async () => {
    const series = randomOhlcv(100_000, 3);
    const body = JSON.stringify({
      symbol: "E2E",
      candles: { high: series.high, low: series.low, close: series.close },
      indicators: [{ name: "BBANDS" }, { name: "ATR" }, { name: "SMA", params: { period: 50 } }],
      options: { tail: 5 },
    });
    const post = () => postCalculate(server.url, body);
    const first = await post();
    expect(first.status).toBe(200);
    expect(first.headers.get("x-request-id")).toBeTruthy();
    const json = (await first.json()) as {
      symbol: string;
      results: Array<{ source: string; values: unknown }>;
    };
    expect(json.symbol).toBe("E2E");
    expect(json.results.map((r) => r.source)).toEqual(["computed", "computed", "computed"]);
    const sma = json.results[2]?.values as number[];
    const expected = series.close.slice(-50).reduce((a, b) => a + b, 0) / 50;
    expect(sma).toHaveLength(5);
    expect(sma[4]).toBeCloseTo(expected, 8);

    const second = (await (await post()).json()) as typeof json;
    expect(second.results.map((r) => r.source)).toEqual(["memory", "memory", "memory"]);
    expect(second.results.map((r) => r.values)).toEqual(json.results.map((r) => r.values));
  });

  it("answers bad input with problem+json over HTTP", async () => {
    const response = await postCalculate(server.url, "{not json");
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  it("logs structured JSON lines carrying request ids, but not the probes", async () => {
    await fetch(`${server.url}/indicators`, { headers: { "x-request-id": "trace-me-1" } });
    await fetch(`${server.url}/health/live`, { headers: { "x-request-id": "probe-1" } });
    await sleep(100);
    const lines = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { reqId?: string; level: number });
    expect(lines.some((line) => line.reqId === "trace-me-1")).toBe(true);
    // Probes come every few seconds from every balancer: not logged.
    expect(lines.some((line) => line.reqId === "probe-1")).toBe(false);
  });
});

describe("configuration at start-up", () => {
  it("stops with one clear line and a non-zero code on an invalid value", async () => {
    const { code, output } = await runServerToExit({ MAX_CANDLES: "lots", SCHEDULER_MODE: "fast" });
    expect(code).not.toBe(0);
    const lines = output.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: .*MAX_CANDLES="lots".*SCHEDULER_MODE="fast"/);
  });
});
