import { z } from "zod";
import { IMPLEMENTATIONS } from "../../compute/catalog/definition.js";
import { ERROR_CODES, MAX_REPORTED_ISSUES } from "../../errors/registry.js";
import { BREAKER_STATES, COORDINATION_MODES } from "../../scheduler/coordinator.js";
import { RESULT_SOURCES } from "../../scheduler/types.js";

/** Schemas of what the service sends. They document the API (openapi.yaml) and shape /health replies. */

export const ProblemSchema = z
  .object({
    type: z.string().describe("URI identifying the problem type: `urn:indicator-service:problem:<code>`."),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(ERROR_CODES).describe("Stable machine-readable code from the error registry."),
    requestId: z.string().describe("Also in the `x-request-id` header and in the service's log lines."),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe(
        `Field-level problems (at most ${MAX_REPORTED_ISSUES}), e.g. \`indicators[1].params.period\`.`,
      ),
  })
  .describe("RFC 9457 problem details, sent as application/problem+json.")
  .meta({
    id: "Problem",
    examples: [
      {
        type: "urn:indicator-service:problem:validation-failed",
        title: "The request is not valid",
        status: 400,
        detail: "indicators[0].params.period: Too small: expected number to be >=1",
        code: "VALIDATION_FAILED",
        requestId: "5f0c1c1e-7d2b-4a39-9a55-2b1f3e0b8c11",
        errors: [{ path: "indicators[0].params.period", message: "Too small: expected number to be >=1" }],
      },
    ],
  });

export const ARROW_RESPONSE_DESCRIPTION =
  "Sent when `Accept` asks for `application/vnd.apache.arrow.stream`: one Arrow IPC stream of one record batch, a nullable Float64 column per output named `{id}` for single-output results and `{id}.{output}` otherwise (`MACD(12,26,9).signal`), null exactly where the JSON response has null. The schema metadata `response` holds the JSON response without `values`.";

const series = z.array(z.number().nullable());

export const CalculateResponseSchema = z
  .object({
    symbol: z.string().optional(),
    interval: z.string().optional(),
    results: z.array(
      z.object({
        id: z.string(),
        name: z.string().describe("Canonical indicator name."),
        implementation: z
          .enum(IMPLEMENTATIONS)
          .describe("`talib` (TA-Lib-exact kernel) or `trading-signals` (the library's conventions)."),
        params: z.record(z.string(), z.unknown()).describe("Params with defaults filled in."),
        warmup: z.number().int().nullable().describe("Index of the first non-null value; null if none."),
        source: z.enum(RESULT_SOURCES),
        elapsedMs: z
          .number()
          .describe(
            "Milliseconds from this result's turn to its values: computing it, waiting for another computation of it, or reading a cache.",
          ),
        values: z
          .union([series, z.record(z.string(), series)])
          .describe("Aligned with the candles; an object of series for multi-output indicators."),
      }),
    ),
    meta: z.object({
      candles: z.number().int(),
      mode: z.enum(COORDINATION_MODES),
      elapsedMs: z.number(),
    }),
  })
  .meta({
    id: "CalculateResponse",
    examples: [
      {
        symbol: "AAPL",
        interval: "1d",
        results: [
          {
            id: "fast",
            name: "SMA",
            implementation: "talib",
            params: { period: 3 },
            warmup: 2,
            source: "computed",
            values: [null, null, 11, 11.3333, 11],
          },
          {
            id: "BBANDS(3,2)",
            name: "BBANDS",
            implementation: "talib",
            params: { period: 3, stdDev: 2 },
            warmup: 2,
            source: "memory",
            values: {
              upper: [null, null, 12.633, 12.276, 12.633],
              middle: [null, null, 11, 11.333, 11],
              lower: [null, null, 9.367, 10.391, 9.367],
            },
          },
        ],
        meta: { candles: 5, mode: "standalone", elapsedMs: 0.9 },
      },
    ],
  });

export const CatalogSchema = z
  .object({
    count: z.number().int(),
    indicators: z.array(
      z.object({
        name: z.string(),
        aliases: z.array(z.string()),
        category: z.enum(["trend", "momentum", "volatility", "volume"]),
        description: z.string(),
        reads: z.array(z.enum(["open", "high", "low", "close", "volume"])),
        params: z
          .record(z.string(), z.unknown())
          .describe("JSON Schema of the params, with defaults and bounds."),
        outputs: z.array(z.string()),
        priceScale: z
          .array(z.string())
          .describe(
            "The outputs that lie on the candles' price scale, for charts: drawn over the candles (SMA, BBANDS, SAR); the others (RSI, MACD, ATR, OBV) in a pane of their own. Found by computing each indicator with default params over a probe series.",
          ),
        implementations: z
          .array(z.enum(IMPLEMENTATIONS))
          .describe("How it can be computed, the default first (`options.convention` chooses)."),
        warmup: z
          .string()
          .describe(
            "Where the first value is with the default implementation (the first of `implementations`): an expression over the params, `no earlier than` where the data can delay it. Each result's `warmup` gives the actual index.",
          ),
        warmups: z
          .partialRecord(z.enum(IMPLEMENTATIONS), z.string())
          .describe("The same sentence for each of the indicator's implementations."),
        talibParams: z
          .record(z.string(), z.string())
          .describe(
            "TA-Lib's names of the params, as its Python wrapper spells them, and the param each stands for (`timeperiod`: `period`): a request may use either, not both.",
          ),
        talibDifference: z
          .string()
          .optional()
          .describe(
            "Where trading-signals' convention differs from TA-Lib's (what `talib` returns, where it is available).",
          ),
      }),
    ),
  })
  .meta({
    id: "Catalog",
    examples: [
      {
        count: 1,
        indicators: [
          {
            name: "SMA",
            aliases: ["SimpleMovingAverage"],
            category: "trend",
            description: "Simple moving average: the mean of the last `period` closes.",
            reads: ["close"],
            params: {
              type: "object",
              properties: {
                period: { type: "integer", minimum: 1, maximum: 10000, default: 20 },
                source: {
                  type: "string",
                  enum: ["close", "open", "high", "low", "volume", "hl2", "hlc3", "ohlc4"],
                  description:
                    "The series to compute over (default close): a column, or hl2, hlc3, ohlc4 of each candle.",
                },
              },
              additionalProperties: false,
            },
            outputs: ["value"],
            priceScale: ["value"],
            implementations: ["talib", "trading-signals"],
            warmup: "First value at index period - 1 (TA-Lib's lookback).",
            warmups: {
              talib: "First value at index period - 1 (TA-Lib's lookback).",
              "trading-signals": "First value at index period - 1.",
            },
            talibParams: { timeperiod: "period" },
          },
        ],
      },
    ],
  });

export const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    mode: z.enum(COORDINATION_MODES),
    version: z.string(),
    uptimeSeconds: z.number().int(),
    redis: z
      .object({
        connected: z.boolean(),
        since: z.string(),
        breaker: z.enum(BREAKER_STATES),
        roundTripMs: z.number(),
        lockMinCostMs: z.number(),
      })
      .optional(),
  })
  .meta({
    id: "Health",
    examples: [{ status: "ok", mode: "standalone", version: "0.1.0", uptimeSeconds: 42 }],
  });

export const LiveSchema = z.object({ status: z.literal("ok") }).meta({ examples: [{ status: "ok" }] });
export const ReadySchema = z.object({ status: z.literal("ready") }).meta({ examples: [{ status: "ready" }] });

/** problem+json responses an operation can produce, keyed by status. */
export function problemResponses(...statuses: number[]): Record<number, typeof ProblemSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemSchema]));
}
