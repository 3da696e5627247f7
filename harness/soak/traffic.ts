/**
 * What the soak sends: valid requests over repeated and unique series with several indicator
 * mixes, and malformed requests that must come back as 4xx problem+json. Every request is a
 * small descriptor (seed, length, mix, form, options) from which the body, and for valid
 * requests the expected result, are derived deterministically, so references are cached by
 * descriptor rather than by megabytes of body.
 */
import { createHash } from "node:crypto";
import { planCalculation } from "../../src/calculation/plan.js";
import { calculateBodySchema } from "../../src/calculation/request-schema.js";
import { valuesJson } from "../../src/compute/serialize.js";
import { computeTask } from "../../src/compute/task.js";
import { randomOhlcv, seededRandom } from "../series.js";

export interface IndicatorMix {
  readonly name: string;
  /** Send open/high/low/volume too (and sometimes time), not only close. */
  readonly ohlcv: boolean;
  readonly indicators: readonly object[];
}

/** Single- and multi-output indicators, close-only and OHLCV, aliases and custom ids. */
export const MIXES: readonly IndicatorMix[] = [
  {
    name: "close/single",
    ohlcv: false,
    indicators: [
      { name: "SMA", params: { period: 20 } },
      { name: "EMA", params: { period: 50 } },
      { name: "RSI", params: { period: 14 } },
    ],
  },
  {
    name: "close/multi",
    ohlcv: false,
    indicators: [
      { name: "MACD" },
      { name: "BollingerBands", params: { period: 20, stdDev: 2 } },
      { name: "KAMA" },
    ],
  },
  {
    name: "ohlcv/single",
    ohlcv: true,
    indicators: [
      { name: "ATR", params: { period: 14 } },
      { name: "OBV" },
      { name: "MFI", params: { period: 14 } },
      { name: "ADX" },
    ],
  },
  {
    name: "ohlcv/multi",
    ohlcv: true,
    indicators: [
      { name: "STOCH" },
      { name: "AROON", params: { period: 25 } },
      { name: "BBANDS", id: "bands" },
    ],
  },
  {
    name: "ohlcv/eight",
    ohlcv: true,
    indicators: [
      { name: "SMA", params: { period: 20 } },
      { name: "EMA", params: { period: 20 } },
      { name: "RSI", params: { period: 14 } },
      { name: "MACD", params: { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 } },
      { name: "BBANDS", params: { period: 20, stdDev: 2 } },
      { name: "ATR", params: { period: 14 } },
      { name: "STOCH" },
      { name: "ADX", params: { period: 14 } },
    ],
  },
  {
    name: "close/one",
    ohlcv: false,
    indicators: [{ name: "rsi", params: { period: 7 }, id: "fast-rsi" }],
  },
];

export const LENGTHS = [500, 1_000, 2_500, 5_000] as const;

/** Presentation options; each changes the expected values, none changes the units. */
const OPTION_VARIANTS: readonly (object | undefined)[] = [
  undefined,
  undefined,
  undefined,
  { precision: 4 },
  { tail: 100 },
  { tail: 50, precision: 2 },
];

/**
 * `hot`: a small fixed pool (memory and shared cache hits); `burst`: one series per 500 ms
 * window, requested by every loop at once on every replica (locks, waiters, joins); `unique`:
 * a new series every request (computations).
 */
export type SeriesKind = "hot" | "burst" | "unique";

export interface ValidRequest {
  readonly kind: "valid";
  readonly series: SeriesKind;
  readonly seed: number;
  readonly length: number;
  readonly mix: number;
  readonly rows: boolean;
  readonly withTime: boolean;
  readonly options: object | undefined;
}

export interface MalformedCase {
  readonly name: string;
  readonly status: number;
  readonly code: string;
  readonly contentType: string;
  readonly body: string;
}

export interface MalformedRequest {
  readonly kind: "malformed";
  readonly case: MalformedCase;
}

export type SoakRequest = ValidRequest | MalformedRequest;

function small(seed: number) {
  const { high, low, close, volume } = randomOhlcv(60, seed);
  return { high, low, close, volume };
}

/** Malformed requests and the problem each must produce: never a 5xx, never a 200. */
export const MALFORMED: readonly MalformedCase[] = (() => {
  const candles = small(7);
  const json = "application/json";
  const cases: MalformedCase[] = [
    {
      name: "bad JSON",
      status: 400,
      code: "MALFORMED_JSON",
      contentType: json,
      body: `{"candles":{"close":[1,2,3`,
    },
    { name: "empty body", status: 400, code: "MALFORMED_JSON", contentType: json, body: "" },
    {
      name: "unknown indicator",
      status: 400,
      code: "UNKNOWN_INDICATOR",
      contentType: json,
      body: JSON.stringify({ candles: { close: candles.close }, indicators: [{ name: "SMAA" }] }),
    },
    {
      name: "close as strings",
      status: 400,
      code: "VALIDATION_FAILED",
      contentType: json,
      body: JSON.stringify({
        candles: { close: candles.close.map(String) },
        indicators: [{ name: "SMA" }],
      }),
    },
    {
      name: "period as string",
      status: 400,
      code: "VALIDATION_FAILED",
      contentType: json,
      body: JSON.stringify({
        candles: { close: candles.close },
        indicators: [{ name: "RSI", params: { period: "14" } }],
      }),
    },
    {
      name: "indicators not an array",
      status: 400,
      code: "VALIDATION_FAILED",
      contentType: json,
      body: JSON.stringify({ candles: { close: candles.close }, indicators: { name: "SMA" } }),
    },
    {
      name: "missing column",
      status: 400,
      code: "VALIDATION_FAILED",
      contentType: json,
      body: JSON.stringify({ candles: { close: candles.close }, indicators: [{ name: "ATR" }] }),
    },
    {
      name: "low above high",
      status: 400,
      code: "VALIDATION_FAILED",
      contentType: json,
      body: JSON.stringify({
        candles: { ...candles, low: candles.high, high: candles.low },
        indicators: [{ name: "ATR" }],
      }),
    },
    {
      name: "misspelled option",
      status: 400,
      code: "VALIDATION_FAILED",
      contentType: json,
      body: JSON.stringify({
        candles: { close: candles.close },
        indicators: [{ name: "SMA" }],
        options: { precison: 2 },
      }),
    },
    {
      name: "__proto__ key",
      status: 400,
      code: "BAD_REQUEST",
      contentType: json,
      body: `{"candles":{"close":[1,2,3]},"indicators":[{"name":"SMA"}],"__proto__":{"x":1}}`,
    },
    {
      name: "text/plain body",
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      contentType: "text/plain",
      body: JSON.stringify({ candles: { close: candles.close }, indicators: [{ name: "SMA" }] }),
    },
  ];
  return cases;
})();

/** The traffic one client loop sends: seeded, so a run's request sequence reproduces. */
export class TrafficGenerator {
  readonly #random: () => number;
  readonly #startedAt: number;
  #uniqueSeed: number;

  constructor(seed: number, loop: number, startedAt: number) {
    this.#random = seededRandom(seed * 1_000 + loop);
    this.#startedAt = startedAt;
    this.#uniqueSeed = 1_000_000 + seed * 100_000 + loop * 10_000_000;
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)] as T;
  }

  /** Any of MIXES, with one random draw as #pick. */
  #mixIndex(): number {
    return Math.floor(this.#random() * MIXES.length);
  }

  next(): SoakRequest {
    const roll = this.#random();
    if (roll < 0.1) return { kind: "malformed", case: this.#pick(MALFORMED) };
    const options = this.#pick(OPTION_VARIANTS);
    const rows = this.#random() < 0.15;
    if (roll < 0.4) {
      const hot = Math.floor(this.#random() * 4);
      return this.#valid("hot", 100 + hot, LENGTHS[hot] as number, this.#mixIndex(), rows, options);
    }
    if (roll < 0.75) {
      const bucket = Math.floor((performance.now() - this.#startedAt) / 500);
      return this.#valid(
        "burst",
        500_000 + bucket,
        LENGTHS[bucket % LENGTHS.length] as number,
        bucket % MIXES.length,
        rows,
        options,
      );
    }
    return this.#valid("unique", this.#uniqueSeed++, this.#pick(LENGTHS), this.#mixIndex(), rows, options);
  }

  #valid(
    series: SeriesKind,
    seed: number,
    length: number,
    mix: number,
    rows: boolean,
    options: object | undefined,
  ): ValidRequest {
    return { kind: "valid", series, seed, length, mix, rows, withTime: seed % 2 === 0, options };
  }
}

export function describeRequest(request: SoakRequest): string {
  if (request.kind === "malformed") return `malformed "${request.case.name}"`;
  const mix = MIXES[request.mix] as IndicatorMix;
  return [
    `${request.series} series seed ${request.seed}`,
    `${request.length} candles`,
    `mix ${mix.name}`,
    request.rows ? "rows" : "columns",
    request.options ? `options ${JSON.stringify(request.options)}` : "no options",
  ].join(", ");
}

function descriptorKey(request: ValidRequest): string {
  return [
    request.seed,
    request.length,
    request.mix,
    request.rows ? "r" : "c",
    request.withTime ? "t" : "",
    JSON.stringify(request.options ?? {}),
  ].join("|");
}

/** The JSON body of a valid request. */
export function validBody(request: ValidRequest): string {
  const mix = MIXES[request.mix] as IndicatorMix;
  const series = randomOhlcv(request.length, request.seed);
  const columns: Record<string, number[]> = mix.ohlcv
    ? {
        ...(request.withTime ? { time: series.time } : {}),
        open: series.open,
        high: series.high,
        low: series.low,
        close: series.close,
        volume: series.volume,
      }
    : { close: series.close };
  const names = Object.keys(columns);
  const candles = request.rows
    ? Array.from({ length: request.length }, (_, i) =>
        Object.fromEntries(names.map((name) => [name, (columns[name] as number[])[i]])),
      )
    : columns;
  return JSON.stringify({
    symbol: "SOAK",
    interval: "1m",
    candles,
    indicators: mix.indicators,
    ...(request.options ? { options: request.options } : {}),
  });
}

export interface ExpectedResult {
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the expected `values` JSON (kept as a digest so the cache stays small). */
  readonly digest: string;
}

export function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64");
}

/** The `values` JSON of every result, computed here without the service's scheduler or Redis. */
export function referenceValues(body: string): { id: string; name: string; valuesJson: string }[] {
  const parsed = calculateBodySchema({ maxCandles: 100_000, maxIndicators: 64 }).parse(JSON.parse(body));
  const plan = planCalculation(parsed);
  return plan.results.map((planned) => ({
    id: planned.id,
    name: planned.definition.name,
    valuesJson: valuesJson(computeTask(planned.unit).series, plan.presentation),
  }));
}

/** A small FIFO map: bounded memory whatever the run's length. */
class BoundedMap<V> {
  readonly #map = new Map<string, V>();
  readonly #limit: number;
  constructor(limit: number) {
    this.#limit = limit;
  }
  get(key: string): V | undefined {
    return this.#map.get(key);
  }
  set(key: string, value: V): void {
    this.#map.set(key, value);
    if (this.#map.size > this.#limit) {
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
    }
  }
}

/** Bodies and expected results, cached by descriptor for the repeated series. */
export class ReferenceBook {
  readonly #bodies = new BoundedMap<string>(96);
  readonly #expected = new BoundedMap<ExpectedResult[]>(1_024);
  computed = 0;
  cacheHits = 0;

  body(request: SoakRequest): string {
    if (request.kind === "malformed") return request.case.body;
    if (request.series === "unique") return validBody(request);
    const key = descriptorKey(request);
    let body = this.#bodies.get(key);
    if (body === undefined) {
      body = validBody(request);
      this.#bodies.set(key, body);
    }
    return body;
  }

  expected(request: ValidRequest, body: string): ExpectedResult[] {
    const key = descriptorKey(request);
    const cached = request.series === "unique" ? undefined : this.#expected.get(key);
    if (cached) {
      this.cacheHits++;
      return cached;
    }
    this.computed++;
    const expected = referenceValues(body).map(({ id, name, valuesJson }) => ({
      id,
      name,
      digest: digest(valuesJson),
    }));
    if (request.series !== "unique") this.#expected.set(key, expected);
    return expected;
  }
}
