import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generateOpenApi } from "../../scripts/openapi.js";

const committed = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("openapi.yaml", () => {
  it("is exactly what the route schemas generate, and so is the client's typing (run `npm run openapi`)", async () => {
    const { yaml, types } = await generateOpenApi();
    expect(committed("openapi.yaml")).toBe(yaml);
    expect(committed("test/contract/api.generated.ts")).toBe(types);
  });

  it("has what clients and linters need on every operation", () => {
    const document = parse(committed("openapi.yaml")) as {
      openapi: string;
      info: { license?: { name: string } };
      paths: Record<
        string,
        Record<
          string,
          {
            operationId?: string;
            summary?: string;
            responses: Record<string, { content?: Record<string, { example?: unknown }> }>;
          }
        >
      >;
    };
    expect(document.openapi).toBe("3.1.0");
    expect(document.info.license?.name).toBeTruthy();
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    expect(operations.length).toBeGreaterThanOrEqual(6);
    for (const operation of operations) {
      expect(operation.operationId).toBeTruthy();
      expect(operation.summary).toBeTruthy();
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400)
          expect(Object.keys(response.content ?? {})).toEqual(["application/problem+json"]);
      }
    }
    const calculate = document.paths["/indicators/calculate"]?.post as unknown as {
      requestBody: { content: { "application/json": { example: unknown } } };
      responses: Record<string, { content: Record<string, { example: unknown }> }>;
    };
    expect(calculate.requestBody.content["application/json"].example).toBeTruthy();
    expect(calculate.responses["200"]?.content["application/json"]?.example).toBeTruthy();
  });
});
