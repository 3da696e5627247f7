import type { AddressInfo } from "node:net";
import { tableFromIPC as independentTableFromIPC } from "@uwdata/flechette";
import {
  Dictionary,
  Float64,
  Int32,
  makeData,
  makeVector,
  TimestampMillisecond,
  tableFromIPC,
  Uint8,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARROW, arrowBody, ohlcvColumns } from "../../harness/arrow.js";
import { randomOhlcv } from "../../harness/series.js";
import { startTestService } from "../../harness/service.js";
import type { Service } from "../../src/service.js";

interface JsonResult {
  id: string;
  name: string;
  warmup: number | null;
  source: string;
  elapsedMs: number;
  values: Array<number | null> | Record<string, Array<number | null>>;
}
interface JsonResponse {
  symbol?: string;
  results: JsonResult[];
  meta: { candles: number; mode: string; elapsedMs: number };
}

let service: Service;
let baseUrl: string;
beforeAll(async () => {
  service = await startTestService({ MAX_CANDLES: 5_000 });
  await service.app.listen({ port: 0, host: "127.0.0.1" });
  baseUrl = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await service.close();
});

const series = randomOhlcv(600, 7);
const indicators = [
  { name: "SMA", params: { period: 20 }, id: "fast" },
  { name: "MACD" },
  { name: "BBANDS", params: { period: 10 } },
  { name: "ATR" },
  { name: "OBV" },
  { name: "RSI", convention: "trading-signals" },
];

async function post(body: Buffer | string, contentType: string, accept?: string) {
  const response = await fetch(`${baseUrl}/indicators/calculate`, {
    method: "POST",
    headers: { "content-type": contentType, ...(accept ? { accept } : {}) },
    body,
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** The JSON response's columns as the Arrow response must name them. */
function jsonColumns(response: JsonResponse): Map<string, Array<number | null>> {
  const columns = new Map<string, Array<number | null>>();
  for (const result of response.results) {
    if (Array.isArray(result.values)) columns.set(result.id, result.values);
    else
      for (const [output, values] of Object.entries(result.values))
        columns.set(`${result.id}.${output}`, values);
  }
  return columns;
}

/**
 * Arrow bytes read by flechette, an Arrow implementation written independently of the service's
 * apache-arrow (its own flatbuffer and bitmap decoding), so a shared misreading cannot hide.
 */
function independentColumns(bytes: Buffer): Map<string, unknown[]> {
  const table = independentTableFromIPC(bytes);
  return new Map(
    table.names.map((name) => [name, Array.from(table.getChild(name).toArray() as ArrayLike<unknown>)]),
  );
}

/** Bit for bit: the same doubles (Object.is tells -0 from 0) and null in the same places. */
function expectSameColumns(arrow: Map<string, unknown[]>, json: Map<string, Array<number | null>>): void {
  expect([...arrow.keys()]).toEqual([...json.keys()]);
  for (const [name, values] of json) {
    const got = arrow.get(name) as unknown[];
    expect(got.length, name).toBe(values.length);
    const mismatch = values.findIndex((value, i) => !Object.is(value, got[i]));
    expect(mismatch, `${name}[${mismatch}]: json ${values[mismatch]} arrow ${got[mismatch]}`).toBe(-1);
  }
}

function withoutTiming(response: Omit<JsonResponse, "results"> & { results: Partial<JsonResult>[] }) {
  return {
    ...response,
    results: response.results.map(
      ({ source: _source, elapsedMs: _elapsedMs, values: _values, ...rest }) => rest,
    ),
    meta: { ...response.meta, elapsedMs: 0 },
  };
}

describe("Arrow IPC over real HTTP", () => {
  it("answers an Arrow request in Arrow, equal bit for bit (read by an independent Arrow reader) to the JSON answer of the JSON request", async () => {
    const request = { symbol: "ARW", indicators, options: { tail: 500 } };
    const json = await post(JSON.stringify({ ...request, candles: series }), "application/json");
    expect(json.response.status).toBe(200);
    const jsonBody = JSON.parse(json.bytes.toString()) as JsonResponse;

    const arrow = await post(arrowBody(ohlcvColumns(series), request), ARROW, ARROW);
    expect(arrow.response.status, arrow.bytes.toString()).toBe(200);
    expect(arrow.response.headers.get("content-type")).toBe(ARROW);
    expect(arrow.response.headers.get("vary")).toMatch(/accept/i);
    expect(Number(arrow.response.headers.get("content-length"))).toBe(arrow.bytes.length);
    const columns = independentColumns(arrow.bytes);
    expectSameColumns(columns, jsonColumns(jsonBody));
    expect((columns.get("fast") as unknown[]).length).toBe(500);

    // The metadata is the JSON response without the values; the Arrow request found the JSON one's results.
    const table = tableFromIPC(arrow.bytes);
    const metadata = JSON.parse(table.schema.metadata.get("response") as string);
    expect(withoutTiming(metadata)).toEqual(withoutTiming(jsonBody));
    expect(metadata.results.every((result: JsonResult) => result.source === "memory")).toBe(true);
    expect(table.schema.fields.every((field) => String(field.type) === "Float64" && field.nullable)).toBe(
      true,
    );
  });

  it("converts in both directions: JSON in and Arrow out, Arrow in and JSON out, with precision", async () => {
    const request = { indicators, options: { precision: 3 } };
    const reference = JSON.parse(
      (await post(JSON.stringify({ ...request, candles: series }), "application/json")).bytes.toString(),
    ) as JsonResponse;

    const jsonToArrow = await post(
      JSON.stringify({ ...request, candles: series }),
      "application/json",
      ARROW,
    );
    expect(jsonToArrow.response.status).toBe(200);
    expectSameColumns(independentColumns(jsonToArrow.bytes), jsonColumns(reference));

    const arrowToJson = await post(arrowBody(ohlcvColumns(series), request), ARROW, "application/json");
    expect(arrowToJson.response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = JSON.parse(arrowToJson.bytes.toString()) as JsonResponse;
    expect(body.results.map((result) => result.values)).toEqual(
      reference.results.map((result) => result.values),
    );
  });

  it("reads several record batches as one series, and time as Int64, Float64 or Timestamp(ms)", async () => {
    const request = { indicators: [{ name: "EMA", params: { period: 9 } }, { name: "MFI" }] };
    const one = await post(arrowBody(ohlcvColumns(series), request), ARROW, ARROW);
    const many = await post(arrowBody(ohlcvColumns(series), request, { batches: 7 }), ARROW, ARROW);
    expect(many.response.status, many.bytes.toString()).toBe(200);
    expectSameColumns(
      independentColumns(many.bytes),
      independentColumns(one.bytes) as Map<string, Array<number | null>>,
    );

    for (const time of [
      vectorFromArray(Float64Array.from(series.time)),
      vectorFromArray(series.time, new TimestampMillisecond()),
    ]) {
      const answer = await post(arrowBody({ ...ohlcvColumns(series), time }, request), ARROW, ARROW);
      expect(answer.response.status, answer.bytes.toString()).toBe(200);
    }
  });

  it("builds one long, large response from the columns' own bytes (streamed, exact Content-Length)", async () => {
    const long = randomOhlcv(5_000, 9);
    const answer = await post(
      arrowBody(ohlcvColumns(long), {
        indicators: [{ name: "BBANDS" }, { name: "STOCH" }, { name: "MACD" }],
      }),
      ARROW,
      ARROW,
    );
    expect(answer.response.status).toBe(200);
    expect(Number(answer.response.headers.get("content-length"))).toBe(answer.bytes.length);
    const table = tableFromIPC(answer.bytes);
    expect(table.numRows).toBe(5_000);
    expect(table.numCols).toBe(8);
  });
});

describe("Accept negotiation", () => {
  const body = JSON.stringify({
    candles: { close: [1, 2, 3, 4] },
    indicators: [{ name: "SMA", params: { period: 2 } }],
  });
  it.each([
    [undefined, "application/json"],
    ["*/*", "application/json"],
    ["application/*", "application/json"],
    [`${ARROW}`, ARROW],
    [`${ARROW}, application/json`, ARROW],
    [`application/json, ${ARROW}`, "application/json"],
    [`application/json;q=0.5, ${ARROW}`, ARROW],
    [`${ARROW};q=0, */*`, "application/json"],
    [`text/html, ${ARROW};q=0.1`, ARROW],
  ])("Accept %s gets %s", async (accept, type) => {
    const { response } = await post(body, "application/json", accept);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")?.split(";")[0]).toBe(type);
  });

  it.each(["text/csv", "application/xml, text/*", `application/json;q=0, ${ARROW};q=0`])(
    "Accept %s gets a 406 problem before any work",
    async (accept) => {
      const { response, bytes } = await post(body, "application/json", accept);
      expect(response.status).toBe(406);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(bytes.toString()).code).toBe("NOT_ACCEPTABLE");
    },
  );
});

describe("Arrow bodies the service refuses", () => {
  const closes = series.close.slice(0, 50);
  const request = { indicators: [{ name: "SMA", params: { period: 5 } }] };
  const valid = arrowBody({ close: closes }, request);

  async function refusal(body: Buffer) {
    const response = await service.app.inject({
      method: "POST",
      url: "/indicators/calculate",
      headers: { "content-type": ARROW },
      payload: body,
    });
    expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
    expect(response.statusCode, response.body).toBeLessThan(500);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    return {
      status: response.statusCode,
      ...(response.json() as { code: string; detail: string; errors?: { path: string; message: string }[] }),
    };
  }
  const paths = (problem: { errors?: { path: string }[] }) => problem.errors?.map((issue) => issue.path);

  it.each([
    ["an empty body", Buffer.alloc(0), /empty/],
    ["text", Buffer.from("close\n1\n2\n"), /not a valid Arrow IPC stream/],
    [
      "JSON sent as Arrow",
      Buffer.from(JSON.stringify({ candles: { close: [1] } })),
      /not a valid Arrow IPC stream/,
    ],
    ["a truncated stream", valid.subarray(0, valid.length - 40), /not a valid Arrow IPC stream/],
    ["a stream cut inside its schema", valid.subarray(0, 60), /not a valid Arrow IPC stream/],
    ["the file format", arrowBody({ close: closes }, request, { format: "file" }), /file format/],
  ])("%s: MALFORMED_ARROW", async (_name, body, detail) => {
    const problem = await refusal(body);
    expect(problem.code).toBe("MALFORMED_ARROW");
    expect(problem.detail).toMatch(detail);
  });

  it.each([
    ["close as Utf8", { close: vectorFromArray(closes.map(String), new Utf8()) }, "candles.close", /Utf8/],
    [
      "close as Int32",
      { close: vectorFromArray(closes.map(Math.round), new Int32()) },
      "candles.close",
      /Int32/,
    ],
    [
      "dictionary-encoded close",
      {
        close: makeVector(
          makeData({
            type: new Dictionary(new Float64(), new Int32()),
            length: 3,
            data: new Int32Array([0, 1, 0]),
            dictionary: vectorFromArray([1.5, 2.5], new Float64()),
          }),
        ),
      },
      "candles.close",
      /dictionary/,
    ],
    ["a nested column", { close: closes, high: vectorFromArray([[1, 2], [3]]) }, "candles.high", /nested/],
    ["an unknown column", { close: closes, vwap: closes }, "candles.vwap", /not a candle column/],
    ["no close", { open: closes }, "candles.close", /missing/],
    ["time as Uint8", { close: [1, 2], time: vectorFromArray([1, 2], new Uint8()) }, "candles.time", /Uint8/],
  ])("%s: the column is named", async (_name, columns, path, message) => {
    const problem = await refusal(arrowBody(columns, request));
    expect(problem.code).toBe("VALIDATION_FAILED");
    expect(paths(problem)).toContain(path);
    expect(problem.errors?.find((issue) => issue.path === path)?.message).toMatch(message);
  });

  it("names nulls, NaN, Infinity, negative or fractional times by index, and computes nothing for them", async () => {
    const computedBefore = service.scheduler.stats.totals().computed;
    const withNull = vectorFromArray([1, 2, null, 4], new Float64());
    expect(paths(await refusal(arrowBody({ close: withNull }, request)))).toEqual(["candles.close[2]"]);
    const bad = await refusal(arrowBody({ close: [1, Number.NaN, 3, Number.POSITIVE_INFINITY] }, request));
    expect(paths(bad)).toEqual(["candles.close[1]", "candles.close[3]"]);
    const times = await refusal(
      arrowBody({ close: [1, 2, 3], time: vectorFromArray(new Float64Array([1, 2.5, -3])) }, request),
    );
    expect(paths(times)).toEqual(["candles.time[1]", "candles.time[2]"]);
    const order = await refusal(
      arrowBody({ close: [1, 2, 3], time: vectorFromArray(new BigInt64Array([5n, 4n, 6n])) }, request),
    );
    expect(paths(order)).toEqual(["candles.time[1]"]);
    const crossed = await refusal(arrowBody({ close: [1, 2], high: [2, 2], low: [1, 3] }, request));
    expect(paths(crossed)).toEqual(["candles.low[1]"]);
    expect(service.scheduler.stats.totals().computed).toBe(computedBefore);
  });

  it("refuses a column whose values are fewer than its batch's rows (unequal lengths)", async () => {
    const body = arrowBody({ close: [1, 2, 3, 4, 5], high: [6, 7, 8, 9, 10] }, request);
    // The header's BufferRegions (offset, length) of high: validity (40, 0), values (40, 40),
    // five doubles; the values' length becomes 24, three doubles.
    const regions = Buffer.alloc(32);
    for (const [i, value] of [40n, 0n, 40n, 40n].entries()) regions.writeBigInt64LE(value, i * 8);
    const at = body.indexOf(regions);
    expect(at).toBeGreaterThan(0);
    body.writeBigInt64LE(24n, at + 24);
    const problem = await refusal(body);
    expect(problem.code).toBe("MALFORMED_ARROW");
    expect(problem.detail).toMatch(/candles\.high has fewer values \(3\) than its batch's rows \(5\)/);
  });

  it("reads a column a writer padded with nulls as nulls, by index", async () => {
    const short = makeVector(makeData({ type: new Float64(), length: 3, data: new Float64Array(3) }));
    const problem = await refusal(arrowBody({ close: closes.slice(0, 5), high: short }, request));
    expect(paths(problem)).toEqual(["candles.high[3]"]);
  });

  it.each([
    ["missing", undefined, "metadata.request", /missing/],
    ["not JSON", "{indicators: [", "metadata.request", /not valid JSON/],
    [
      "of absurd size",
      JSON.stringify({ ...request, symbol: "x".repeat(300_000) }),
      "metadata.request",
      /limit/,
    ],
    ["without indicators", "{}", "metadata.request.indicators", /./],
    [
      "carrying candles too",
      JSON.stringify({ ...request, candles: { close: [1] } }),
      "metadata.request",
      /candles/,
    ],
    [
      "with an unknown indicator",
      JSON.stringify({ indicators: [{ name: "NOPE" }] }),
      "indicators[0].name",
      /Unknown/,
    ],
    [
      "with a bad param",
      JSON.stringify({ indicators: [{ name: "SMA", params: { period: 0 } }] }),
      "indicators[0].params.period",
      /./,
    ],
  ])("request metadata %s: named", async (_name, metadata, path, message) => {
    const problem = await refusal(arrowBody({ close: closes }, metadata));
    expect(paths(problem)).toContain(path);
    expect(problem.errors?.find((issue) => issue.path === path)?.message ?? problem.detail).toMatch(message);
  });

  it("refuses zero rows and more rows than MAX_CANDLES", async () => {
    expect(paths(await refusal(arrowBody({ close: [] }, request)))).toEqual(["candles"]);
    const many = await refusal(arrowBody({ close: new Float64Array(5_001).fill(1) }, request));
    expect(many.errors?.[0]).toMatchObject({
      path: "candles",
      message: expect.stringMatching(/5001 rows or more; the limit is 5000/),
    });
  });

  it("refuses, for an Arrow answer, ids whose columns would collide", async () => {
    const collide = JSON.stringify({
      candles: { close: closes },
      indicators: [
        { name: "MACD", id: "m" },
        { name: "SMA", id: "m.signal" },
      ],
    });
    const response = await service.app.inject({
      method: "POST",
      url: "/indicators/calculate",
      headers: { "content-type": "application/json", accept: ARROW },
      payload: collide,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toBe("indicators[1].id");
  });

  it("never answers random bytes or mutated streams with a 5xx", async () => {
    const mutated = fc
      .array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 6,
      })
      .map((edits) => {
        const copy = Buffer.from(valid);
        for (const [at, byte] of edits) copy[at] = byte;
        return copy;
      });
    const sliced = fc.nat({ max: valid.length }).map((end) => valid.subarray(0, end));
    const random = fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, sliced, random), async (body) => {
        const response = await service.app.inject({
          method: "POST",
          url: "/indicators/calculate",
          headers: { "content-type": ARROW, accept: ARROW },
          payload: body,
        });
        expect(response.statusCode, response.body).toBeLessThan(500);
        if (response.statusCode !== 200) expect(response.headers["content-type"]).toMatch(/problem\+json/);
      }),
      { numRuns: 400, seed: 20261207 },
    );
  });
});
