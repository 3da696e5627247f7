import { z } from "zod";
import { IMPLEMENTATIONS } from "../compute/catalog/definition.js";

export interface RequestLimits {
  readonly maxCandles: number;
  readonly maxIndicators: number;
}

export const MAX_PRECISION = 15;

export const ARROW_REQUEST_DESCRIPTION =
  "One Arrow IPC stream (not the file format). Its columns are the candles under the columnar names: `open`, `high`, `low`, `close` (required), `volume` as Float64, `time` as Int64, Float64 or Timestamp(ms) epoch milliseconds; no nulls. Several record batches are one series in stream order. Everything else of the request (`indicators`, `options`, `symbol`, `interval`) is JSON in the schema metadata under `request`, validated as in a JSON body.";

const label = (what: string) => z.string().min(1).max(64).describe(`${what}: a free label, echoed back.`);
const price = z.number().describe("Finite number.");
const epochMs = z.number().int().min(0).describe("Epoch milliseconds; strictly increasing when given.");

/** What one value of each candle field must be, in either shape. */
export const CANDLE_VALUE_SCHEMAS = {
  time: epochMs,
  open: price,
  high: price,
  low: price,
  close: price,
  volume: price,
} as const;

export const CANDLE_ROW_SCHEMA = z.strictObject({
  time: epochMs.optional(),
  open: price.optional(),
  high: price.optional(),
  low: price.optional(),
  close: price,
  volume: price.optional(),
});

export function candlesSchema({ maxCandles }: RequestLimits) {
  const column = (schema: z.ZodNumber) => z.array(schema).min(1).max(maxCandles);
  const columnar = z
    .strictObject({
      time: column(epochMs).optional(),
      open: column(price).optional(),
      high: column(price).optional(),
      low: column(price).optional(),
      close: column(price),
      volume: column(price).optional(),
    })
    .describe("Columnar candles: one array per field, all the same length.");
  const rows = z.array(CANDLE_ROW_SCHEMA).min(1).max(maxCandles).describe("Candles as rows, oldest first.");
  return z.union([columnar, rows]);
}

export function calculateBodySchema(limits: RequestLimits) {
  const convention = z
    .enum(IMPLEMENTATIONS)
    .describe(
      "`talib` (default): TA-Lib-exact kernels where the indicator has one, trading-signals otherwise; `trading-signals`: the library's own conventions.",
    );
  const indicator = z.strictObject({
    name: z
      .string()
      .min(1)
      .max(64)
      .describe("Indicator name or alias, case-insensitive (see GET /indicators)."),
    params: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "Indicator parameters; checked against the indicator's own schema, defaults filled in. TA-Lib's names for them (`timeperiod`, `fastperiod`, `fastk_period`, ...) are accepted too: GET /indicators lists each indicator's `talibParams`.",
      ),
    id: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe("Result id, unique in the request. Default: name and params, e.g. `MACD(12,26,9)`."),
    convention: convention
      .optional()
      .describe("This indicator's implementation; `talib` is an error where the indicator has no kernel."),
  });
  const options = z.strictObject({
    tail: z
      .number()
      .int()
      .min(1)
      .max(limits.maxCandles)
      .optional()
      .describe("Return only the last N values of each series."),
    precision: z.number().int().min(0).max(MAX_PRECISION).optional().describe("Round values to N decimals."),
    convention: convention
      .optional()
      .describe("Default implementation for every indicator of the request (`talib` where a kernel exists)."),
  });
  return z
    .strictObject({
      symbol: label("Instrument").optional(),
      interval: label("Bar interval").optional(),
      candles: candlesSchema(limits),
      indicators: z.array(indicator).min(1).max(limits.maxIndicators),
      options: options.optional(),
    })
    .meta({
      examples: [
        {
          symbol: "AAPL",
          interval: "1d",
          candles: {
            close: [10, 11, 12, 11, 10],
            high: [10.5, 11.4, 12.2, 11.8, 10.6],
            low: [9.6, 10.5, 11.4, 10.8, 9.7],
          },
          indicators: [
            { name: "SMA", params: { period: 3 }, id: "fast" },
            { name: "BBANDS", params: { period: 3, stdDev: 2 } },
          ],
          options: { precision: 4 },
        },
      ],
    });
}

export type CalculateBody = z.infer<ReturnType<typeof calculateBodySchema>>;
