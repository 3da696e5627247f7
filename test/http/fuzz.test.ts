import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calculateRequest, startTestService } from "../../harness/service.js";
import { INDICATORS } from "../../src/compute/catalog/index.js";
import type { Service } from "../../src/service.js";

let service: Service;
beforeAll(async () => {
  service = await startTestService({ MAX_CANDLES: 500, MAX_INDICATORS: 8 });
});
afterAll(async () => {
  await service.close();
});

async function expectNoServerError(payload: string): Promise<void> {
  const response = await service.app.inject(calculateRequest(payload));
  if (response.statusCode >= 500)
    throw new Error(`${response.statusCode} for ${payload.slice(0, 500)}: ${response.body}`);
  if (response.statusCode !== 200) {
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(response.json()).toHaveProperty("code");
  }
}

const names = INDICATORS.flatMap((definition) => [definition.name, ...definition.aliases]);
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -5, max: 60 }),
  fc.constantFrom(0, -0, 1e308, -1e308, 5e-324),
);
const anyValue = fc.oneof(fc.jsonValue(), number);
const column = fc.oneof(fc.array(number, { minLength: 0, maxLength: 80 }), anyValue);
const candles = fc.oneof(
  fc.record(
    { time: column, open: column, high: column, low: column, close: column, volume: column },
    { requiredKeys: [] },
  ),
  fc.array(
    fc.record(
      {
        time: number,
        open: number,
        high: number,
        low: number,
        close: number,
        volume: number,
        extra: anyValue,
      },
      { requiredKeys: [] },
    ),
    { maxLength: 60 },
  ),
  anyValue,
);
const params = fc.oneof(
  fc.dictionary(
    fc.constantFrom(
      "period",
      "fastPeriod",
      "slowPeriod",
      "signalPeriod",
      "stdDev",
      "kPeriod",
      "dPeriod",
      "multiplier",
      "x",
    ),
    fc.oneof(number, anyValue),
  ),
  anyValue,
);
const indicator = fc.record(
  { name: fc.oneof(fc.constantFrom(...names), fc.string()), params, id: fc.oneof(fc.string(), anyValue) },
  { requiredKeys: ["name"] },
);
const body = fc.record(
  {
    symbol: anyValue,
    interval: anyValue,
    candles,
    indicators: fc.oneof(fc.array(indicator, { maxLength: 10 }), anyValue),
    options: fc.oneof(fc.record({ tail: number, precision: number }, { requiredKeys: [] }), anyValue),
  },
  { requiredKeys: [] },
);

describe("property: no request body produces a server error", () => {
  it("arbitrary JSON values", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), (value) => expectNoServerError(JSON.stringify(value))),
      { numRuns: 1_500 },
    );
  });

  it("structured bodies with arbitrary candles, names, params and options", async () => {
    await fc.assert(
      fc.asyncProperty(body, (value) => expectNoServerError(JSON.stringify(value))),
      { numRuns: 2_500 },
    );
  });

  it("valid candles with every catalog indicator and arbitrary params", async () => {
    const series = fc.array(fc.double({ min: 0.01, max: 1e6, noNaN: true }), {
      minLength: 1,
      maxLength: 120,
    });
    await fc.assert(
      fc.asyncProperty(series, fc.constantFrom(...INDICATORS), params, async (close, definition, p) => {
        const candles = {
          open: close,
          high: close.map((c) => c * 1.01),
          low: close.map((c) => c * 0.99),
          close,
          volume: close,
        };
        await expectNoServerError(
          JSON.stringify({ candles, indicators: [{ name: definition.name, params: p }] }),
        );
      }),
      { numRuns: 1_500 },
    );
  });

  it("truncated and corrupted JSON text", async () => {
    const valid = JSON.stringify({
      candles: { close: [1, 2, 3, 4] },
      indicators: [{ name: "SMA", params: { period: 2 } }],
    });
    await fc.assert(
      fc.asyncProperty(fc.nat(valid.length), fc.string({ maxLength: 3 }), (cut, junk) =>
        expectNoServerError(valid.slice(0, cut) + junk + valid.slice(cut + junk.length)),
      ),
      { numRuns: 1_000 },
    );
  });
});
