import { describe, expect, it } from "vitest";
import { parseCandleBody } from "../../src/calculation/candle-scan.js";
import { calculateBodySchema } from "../../src/calculation/request-schema.js";
import { ServiceError } from "../../src/errors/registry.js";

const limits = { maxCandles: 5, maxIndicators: 4 };
const schema = calculateBodySchema(limits);
const indicators = [{ name: "SMA", params: { period: 2 } }];

/** What each path answers: the parsed body, or the refusal's issues. */
function outcome(parse: () => ReturnType<typeof schema.safeParse>) {
  try {
    const result = parse();
    return result.success ? { data: result.data } : { issues: result.error.issues };
  } catch (error) {
    if (error instanceof ServiceError) return { refused: error.issues };
    throw error;
  }
}

describe("parseCandleBody", () => {
  // Each body is parsed both ways; the typed pass must never change what zod would answer.
  const bodies: Record<string, unknown> = {
    columnar: { candles: { close: [1, 2, 3], high: [2, 3, 4], time: [1, 2, 3] }, indicators },
    rows: {
      candles: [
        { close: 1, high: 2 },
        { close: 2, high: 3 },
      ],
      indicators,
      symbol: "X",
    },
    "an empty column": { candles: { close: [] }, indicators },
    "more candles than the limit": { candles: { close: [1, 2, 3, 4, 5, 6] }, indicators },
    "more rows than the limit": { candles: Array.from({ length: 6 }, () => ({ close: 1 })), indicators },
    "no rows": { candles: [], indicators },
    "an unknown column": { candles: { close: [1], closing: [1] }, indicators },
    "a column that is not an array": { candles: { close: [1], high: 3 }, indicators },
    "no close": { candles: { high: [1] }, indicators },
    "a bad symbol and an unknown member": { candles: { close: [1, 2] }, indicators, symbol: 7, extra: 1 },
    "candles that are a string": { candles: "1,2,3", indicators },
    "no candles": { indicators },
  };
  for (const [name, body] of Object.entries(bodies)) {
    it(`answers as zod does for ${name}`, () => {
      const expected = outcome(() => schema.safeParse(body));
      expect(outcome(() => parseCandleBody(body, schema, limits))).toEqual(expected);
    });
  }

  it("refuses a bad value through the typed pass, before zod", () => {
    const body = { candles: { close: [1, "2", 3] }, indicators };
    expect(outcome(() => parseCandleBody(body, schema, limits))).toEqual({
      refused: [expect.objectContaining({ path: "candles.close[1]" })],
    });
  });

  it("hands back the client's arrays, which zod would have copied", () => {
    const close = [1, 2, 3];
    const parsed = parseCandleBody({ candles: { close }, indicators }, schema, limits);
    expect(parsed.success && parsed.data.candles).toEqual({ close });
    expect(parsed.success && (parsed.data.candles as { close: number[] }).close).toBe(close);
  });
});
