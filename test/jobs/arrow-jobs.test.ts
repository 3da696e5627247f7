import { tableFromArrays, tableFromIPC, tableToIPC, utf8 } from "@uwdata/flechette";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arrowBody } from "../../harness/arrow.js";
import { followSse, jobBody, resultLines, submitJob } from "../../harness/jobs.js";
import { RedisServer, requireRedisBinary } from "../../harness/redis.js";
import { startTestService } from "../../harness/service.js";
import type { Config } from "../../src/config/config.js";
import type { Service } from "../../src/service.js";

/**
 * Arrow jobs over real HTTP, both engines: bodies written by flechette (an Arrow implementation
 * independent of the service's apache-arrow) in long form, results read back by it.
 */

const ARROW = "application/vnd.apache.arrow.stream";
const INDICATORS = [{ name: "SMA", params: { period: 5 } }, { name: "MACD" }, { name: "ATR" }];
type Series = ReturnType<typeof jobBody>["series"][number];

/** The job's series in long form, as a data frame library writes it: one row per candle, `key` first. */
function longForm(series: readonly Series[], request: unknown, maxBatchRows?: number): Buffer {
  const column = (name: "high" | "low" | "close" | "volume") =>
    Float64Array.from(series.flatMap((s) => s.candles[name]));
  const table = tableFromArrays(
    {
      key: series.flatMap((s) => s.candles.close.map(() => s.key)),
      high: column("high"),
      low: column("low"),
      close: column("close"),
      volume: column("volume"),
    },
    { types: { key: utf8() }, ...(maxBatchRows ? { maxBatchRows } : {}) },
  );
  table.schema.metadata = new Map([["request", JSON.stringify(request)]]);
  return Buffer.from(tableToIPC(table, { format: "stream" }) as Uint8Array);
}

async function postArrow(base: string, body: Uint8Array) {
  const response = await fetch(`${base}/jobs`, {
    method: "POST",
    headers: { "content-type": ARROW },
    body,
  });
  return { response, json: (await response.json()) as Record<string, unknown> };
}

type Problem = { code: string; errors: { path: string; message: string }[] };

async function refusal(base: string, body: Uint8Array): Promise<{ status: number; problem: Problem }> {
  const { response, json } = await postArrow(base, body);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  return { status: response.status, problem: json as unknown as Problem };
}

/** The NDJSON lines' values as the Arrow results name their columns, one map per series. */
function expectedColumns(lines: Awaited<ReturnType<typeof resultLines>>["lines"]) {
  return lines.map((line) => {
    const columns = new Map<string, (number | null)[]>();
    for (const result of line.results ?? []) {
      const values = result.values as (number | null)[] | Record<string, (number | null)[]>;
      if (Array.isArray(values)) columns.set(result.id as string, values);
      else for (const [output, list] of Object.entries(values)) columns.set(`${result.id}.${output}`, list);
    }
    return { key: line.key, columns };
  });
}

async function arrowResults(url: string) {
  const response = await fetch(url, { headers: { accept: ARROW } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe(ARROW);
  return tableFromIPC(new Uint8Array(await response.arrayBuffer()), { useBigInt: true });
}

const engines: [string, boolean][] = [
  ["standalone", false],
  ["redis", true],
];
const redisEnabled = requireRedisBinary();

describe.each(engines)("Arrow jobs: %s", (_name, withRedis) => {
  let redis: RedisServer | undefined;
  let inline: { service: Service; base: string };
  let worker: { service: Service; base: string };
  const run = withRedis && !redisEnabled ? it.skip : it;

  async function listen(overrides: Partial<Config>) {
    const service = await startTestService({
      LOG_LEVEL: "silent",
      JOB_CHUNK_SERIES: 2,
      MAX_JOB_SERIES: 6,
      MAX_JOB_CANDLES: 3_000,
      ...(redis ? { REDIS_URL: redis.url } : {}),
      ...overrides,
    });
    return { service, base: await service.app.listen({ port: 0, host: "127.0.0.1" }) };
  }

  beforeAll(async () => {
    if (withRedis && !redisEnabled) return;
    redis = withRedis ? await RedisServer.start() : undefined;
    inline = await listen({ REDIS_KEY_PREFIX: "inline:" });
    // Every job body validated in a body worker.
    worker = await listen({ REDIS_KEY_PREFIX: "worker:", JSON_BODY_WORKER_MIN_BYTES: 0 });
  });

  afterAll(async () => {
    await inline?.service.close();
    await worker?.service.close();
    await redis?.stop();
  });

  run(
    "an Arrow job in long form gets the JSON job's results, as NDJSON and as Arrow read independently",
    async () => {
      const body = jobBody(4, 120, INDICATORS, 40);
      // Series of different lengths, split over batches that cut through series.
      body.series[1] = {
        ...body.series[1],
        candles: sliceCandles((body.series[1] as Series).candles, 70),
      } as Series;
      const json = await submitJob(inline.base, body);
      await followSse(`${inline.base}${json.json.links.events}`);
      const reference = await resultLines(`${inline.base}${json.json.links.results}`);

      for (const target of [inline, worker]) {
        const { response, json: accepted } = await postArrow(
          target.base,
          longForm(body.series, { indicators: INDICATORS }, 50),
        );
        expect(response.status, JSON.stringify(accepted)).toBe(202);
        expect(accepted).toMatchObject({ status: "queued", total: 4 });
        const links = accepted.links as { events: string; results: string };
        const events = await followSse(`${target.base}${links.events}`);
        expect(events.at(-1)).toMatchObject({ type: "completed", data: { done: 4, failed: 0 } });
        const ndjson = await resultLines(`${target.base}${links.results}`);
        expect(
          ndjson.lines.map(({ key, results }) => ({ key, results: results?.map((r) => r.values) })),
        ).toEqual(
          reference.lines.map(({ key, results }) => ({ key, results: results?.map((r) => r.values) })),
        );

        const table = await arrowResults(`${target.base}${links.results}`);
        const expected = expectedColumns(reference.lines);
        expect(table.names).toEqual(["key", ...(expected[0]?.columns.keys() ?? [])]);
        expect(table.getChild("key").data).toHaveLength(4);
        const keys = table.getChild("key").toArray() as string[];
        expect(keys).toEqual(
          expected.flatMap(({ key, columns }) => Array([...columns.values()][0]?.length).fill(key)),
        );
        const metadata = JSON.parse(table.schema.metadata?.get("response") as string) as {
          results: { id: string; name: string }[];
        };
        expect(metadata.results.map((result) => result.name)).toEqual(["SMA", "MACD", "ATR"]);
        for (const name of expected[0]?.columns.keys() ?? []) {
          const got = Array.from(table.getChild(name).toArray() as ArrayLike<number | null>);
          const want = expected.flatMap(({ columns }) => columns.get(name) ?? []);
          const mismatch = want.findIndex((value, i) => !Object.is(value, got[i]));
          expect(mismatch, `${name}[${mismatch}]`).toBe(-1);
        }

        const one = await arrowResults(`${target.base}${links.results}?key=S2`);
        expect(new Set(one.getChild("key").toArray() as string[])).toEqual(new Set(["S2"]));
        expect(one.numRows).toBe(120);
      }
    },
  );

  run("NDJSON stays the default; an Accept for neither format is a 406", async () => {
    const { json } = await submitJob(inline.base, jobBody(1, 50, INDICATORS, 90));
    await followSse(`${inline.base}${json.links.events}`);
    const url = `${inline.base}${json.links.results}`;
    for (const accept of ["application/x-ndjson", "application/json", "*/*"]) {
      const ndjson = await fetch(url, { headers: { accept } });
      expect(ndjson.status, accept).toBe(200);
      expect(ndjson.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    }
    const html = await fetch(url, { headers: { accept: "text/html" } });
    expect(html.status).toBe(406);

    // Ids that make one Arrow column twice: fine as NDJSON, refused as Arrow, naming the id.
    const colliding = [
      { id: "macd", name: "MACD" },
      { id: "macd.signal", name: "SMA", params: { period: 3 } },
    ];
    const clash = await submitJob(inline.base, { ...jobBody(1, 50, [], 91), indicators: colliding });
    await followSse(`${inline.base}${clash.json.links.events}`);
    const refused = await fetch(`${inline.base}${clash.json.links.results}`, { headers: { accept: ARROW } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Problem).errors[0]?.path).toBe("indicators[1].id");
    expect((await resultLines(`${inline.base}${clash.json.links.results}`)).lines).toHaveLength(1);
    // A result named like the series column would make two `key` columns.
    const named = await submitJob(inline.base, {
      ...jobBody(1, 50, [], 92),
      indicators: [{ id: "key", name: "RSI" }],
    });
    await followSse(`${inline.base}${named.json.links.events}`);
    const keyColumn = await fetch(`${inline.base}${named.json.links.results}`, {
      headers: { accept: ARROW },
    });
    expect(keyColumn.status).toBe(400);
    expect(((await keyColumn.json()) as Problem).errors[0]?.path).toBe("indicators[0].id");
  });

  run("every malformed Arrow job is a 4xx problem naming the field, before anything is queued", async () => {
    const good = jobBody(3, 60, INDICATORS, 70).series;
    const request = { indicators: INDICATORS };

    const garbage = await refusal(inline.base, Buffer.from("not arrow at all, just text"));
    expect([garbage.status, garbage.problem.code]).toEqual([400, "MALFORMED_ARROW"]);

    const file = tableFromArrays({ key: ["a"], close: Float64Array.of(1) }, { types: { key: utf8() } });
    const fileFormat = await refusal(inline.base, tableToIPC(file, { format: "file" }) as Uint8Array);
    expect(fileFormat.problem.code).toBe("MALFORMED_ARROW");

    // No key column: the calculate stream shape is not a job.
    const noKey = await refusal(inline.base, arrowBody({ close: [1, 2, 3] }, request));
    expect(noKey.status).toBe(400);
    expect(noKey.problem.errors.map((issue) => issue.path)).toContain("key");

    const numericKey = tableFromArrays({ key: Float64Array.of(1, 1), close: Float64Array.of(1, 2) });
    numericKey.schema.metadata = new Map([["request", JSON.stringify(request)]]);
    const badKey = await refusal(inline.base, tableToIPC(numericKey, { format: "stream" }) as Uint8Array);
    expect(badKey.problem.errors[0]).toMatchObject({ path: "key", message: expect.stringMatching(/Utf8/) });

    const noMetadata = longForm(good, request);
    const stripped = tableFromIPC(noMetadata);
    stripped.schema.metadata = new Map();
    const missing = await refusal(inline.base, tableToIPC(stripped, { format: "stream" }) as Uint8Array);
    expect(missing.problem.errors.map((issue) => issue.path)).toContain("metadata.request");

    const nan = good.map((s) => structuredClone(s));
    (nan[1] as Series).candles.close[3] = Number.NaN;
    const badValue = await refusal(inline.base, longForm(nan, request));
    expect(badValue.status).toBe(400);
    expect(badValue.problem.errors[0]?.path).toBe("series[1].candles.close[3]");

    const lowAboveHigh = good.map((s) => structuredClone(s));
    (lowAboveHigh[2] as Series).candles.low[5] = 1e9;
    const crossed = await refusal(worker.base, longForm(lowAboveHigh, request));
    expect(crossed.problem.errors[0]?.path).toMatch(/^series\[2\]\.candles\.(low|high)\[5\]$/);

    // A key met again after another series is a second series of the same name.
    const again = [good[0], good[1], { ...good[2], key: good[0]?.key }] as Series[];
    const duplicate = await refusal(inline.base, longForm(again, request));
    expect(duplicate.problem.errors[0]).toMatchObject({ path: "series[2].key" });

    const badIndicator = await refusal(
      inline.base,
      longForm(good, { indicators: [{ name: "SMA", params: { period: 0 } }] }),
    );
    expect(badIndicator.problem.errors[0]?.path).toBe("metadata.request.indicators[0].params.period");

    const unknownMember = await refusal(inline.base, longForm(good, { ...request, series: [] }));
    expect(unknownMember.problem.errors[0]?.path).toMatch(/^metadata\.request/);

    const tooManySeries = jobBody(7, 10, INDICATORS, 10).series;
    const overSeries = await refusal(worker.base, longForm(tooManySeries, request));
    expect([overSeries.status, overSeries.problem.code]).toEqual([422, "JOB_TOO_LARGE"]);

    // Keys that alternate row by row make a series per row: refused at the series limit, before
    // a series object is made for each of them.
    const alternating = tableFromArrays(
      {
        key: Array.from({ length: 2_000 }, (_, i) => (i % 2 === 0 ? "a" : "b")),
        close: Float64Array.from({ length: 2_000 }, (_, i) => 100 + i),
      },
      { types: { key: utf8() } },
    );
    alternating.schema.metadata = new Map([["request", JSON.stringify(request)]]);
    const perRow = await refusal(inline.base, tableToIPC(alternating, { format: "stream" }) as Uint8Array);
    expect([perRow.status, perRow.problem.code]).toEqual([422, "JOB_TOO_LARGE"]);
    expect(perRow.problem.errors[0]?.message).toMatch(/7 or more series.*MAX_JOB_SERIES/);

    const tooManyCandles = jobBody(2, 1_600, INDICATORS, 20).series;
    const overCandles = await refusal(inline.base, longForm(tooManyCandles, request));
    expect([overCandles.status, overCandles.problem.code]).toEqual([422, "JOB_TOO_LARGE"]);
    expect(overCandles.problem.errors[0]?.message).toMatch(/MAX_JOB_CANDLES/);
  });
});

function sliceCandles(candles: Series["candles"], length: number): Series["candles"] {
  return {
    high: candles.high.slice(0, length),
    low: candles.low.slice(0, length),
    close: candles.close.slice(0, length),
    volume: candles.volume.slice(0, length),
  };
}
