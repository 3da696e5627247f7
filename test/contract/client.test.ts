import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { type ServerProcess, startServerProcess } from "../../harness/process.js";
import type { components, paths } from "./api.generated.js";

/** The calculate route also answers in Arrow; this client reads JSON: its answers and problem+json errors. */
type JsonMedia = `application/${string}json`;

/**
 * A client generated from openapi.yaml by openapi-typescript, driven by openapi-fetch against
 * the running built server. `npm run typecheck` compiles this file, so a change to the API that
 * breaks the published contract breaks the build, and these calls check the runtime agrees.
 */
describe("generated OpenAPI client against the running service", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
  });

  it("calculates with a typed request and reads a typed response", async () => {
    const client = createClient<paths, JsonMedia>({ baseUrl: server.url });
    const { data, error, response } = await client.POST("/indicators/calculate", {
      body: {
        symbol: "CONTRACT",
        candles: { close: [10, 11, 12, 11, 10, 12] },
        indicators: [
          { name: "SMA", params: { period: 3 }, id: "fast" },
          { name: "BBANDS", params: { period: 3 } },
        ],
        options: { precision: 4 },
      },
    });
    expect(response.status).toBe(200);
    expect(error).toBeUndefined();
    expectTypeOf(data).toEqualTypeOf<components["schemas"]["CalculateResponse"] | undefined>();
    expect(data?.symbol).toBe("CONTRACT");
    expect(data?.results.map((result) => result.id)).toEqual(["fast", "BBANDS(3,2)"]);
    expect(data?.results[0]?.values).toEqual([null, null, 11, 11.3333, 11, 11]);
    expect(data?.meta.mode).toBe("standalone");
  });

  it("gets problem+json errors typed as Problem", async () => {
    const client = createClient<paths, JsonMedia>({ baseUrl: server.url });
    const { data, error, response } = await client.POST("/indicators/calculate", {
      body: { candles: { close: [1, 2, 3] }, indicators: [{ name: "NOPE" }] },
    });
    expect(response.status).toBe(400);
    expect(data).toBeUndefined();
    expect(error?.code).toBe("UNKNOWN_INDICATOR");
    expect(error?.errors?.[0]?.path).toBe("indicators[0].name");
  });

  it("reads the catalog and health", async () => {
    const client = createClient<paths, JsonMedia>({ baseUrl: server.url });
    const catalog = await client.GET("/indicators");
    expect(catalog.data?.indicators.find((indicator) => indicator.name === "MACD")?.outputs).toEqual([
      "macd",
      "signal",
      "histogram",
    ]);
    const health = await client.GET("/health");
    expect(health.data?.status).toBe("ok");
    const ready = await client.GET("/health/ready");
    expect(ready.data?.status).toBe("ready");
  });
});
