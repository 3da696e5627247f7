import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  candlesFromCsv,
  candlesFromJson,
  candlesToCsv,
  InputError,
  parseCandles,
  parseCsv,
  sampleCandles,
  seriesFromCsv,
} from "../../console/src/candles.js";
import { curlCommand } from "../../console/src/curl.js";
import { formatValue } from "../../console/src/format.js";
import { resultsToCsv } from "../../console/src/results-csv.js";
import { startTestService } from "../../harness/service.js";
import type { Service } from "../../src/service.js";

describe("console candles", () => {
  it("splits CSV with quotes, CRLF, blank lines and the delimiter the header uses, keeping line numbers", () => {
    expect(parseCsv('a,b\r\n"x, ""y""",2\n\n3, "4,5"\n"multi\nline",6\n7,8')).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ['x, "y"', "2"] },
      { line: 4, fields: ["3", "4,5"] },
      { line: 5, fields: ["multi\nline", "6"] },
      { line: 7, fields: ["7", "8"] },
    ]);
    expect(parseCsv("a;b\n1,5;2").map((row) => row.fields)).toEqual([
      ["a", "b"],
      ["1,5", "2"],
    ]);
    expect(parseCsv("a\tb\n1\t2\n").map((row) => row.fields)).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(() => candlesFromCsv("close\n1\n\n\nx")).toThrow(/^Line 5: close "x"/);
  });

  it("reads header aliases, ISO dates and epoch seconds into the API's columns", () => {
    const candles = candlesFromCsv(
      "Date,Open,High,Low,Close,Vol\n2024-01-02,1,3,0.5,2,10\n2024-01-03,2,4,1,3,20\n",
    );
    expect(candles).toEqual({
      time: [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)],
      open: [1, 2],
      high: [3, 4],
      low: [0.5, 1],
      close: [2, 3],
      volume: [10, 20],
    });
    expect(candlesFromCsv("timestamp,close\n1704153600,1\n1704153660,2").time).toEqual([
      1_704_153_600_000, 1_704_153_660_000,
    ]);
    expect(candlesFromCsv("time,close\n1704153600000,1").time).toEqual([1_704_153_600_000]);
    // Dates and times without an offset are UTC, whatever the browser's zone; compact dates are dates.
    expect(candlesFromCsv("time,close\n2024-01-02 09:30,1\n2024-01-02T09:31:15,2\n20240103,3").time).toEqual([
      Date.UTC(2024, 0, 2, 9, 30),
      Date.UTC(2024, 0, 2, 9, 31, 15),
      Date.UTC(2024, 0, 3),
    ]);
    expect(candlesFromCsv("time,close\n2024-01-02T09:30:00+02:00,1").time).toEqual([
      Date.UTC(2024, 0, 2, 7, 30),
    ]);
  });

  it("names the line and the value it cannot read", () => {
    expect(() => candlesFromCsv("time,close\n2024-01-02,1\n2024-01-03,abc")).toThrow(
      new InputError('Line 3: close "abc" is not a number.'),
    );
    expect(() => candlesFromCsv("time,close\nyesterday,1")).toThrow(/Line 2: time "yesterday"/);
    expect(() => candlesFromCsv("time,open\n1,2")).toThrow(/Line 1: the header needs a close column/);
    expect(() => candlesFromCsv("close\n")).toThrow(/no candles/);
  });

  it("groups a many-series CSV by key or symbol, in order of first appearance", () => {
    const series = seriesFromCsv(
      "symbol,time,close\nB,1000000000000,1\nA,1000000000000,5\nB,1000000060000,2\n",
    );
    expect(series).toEqual([
      { key: "B", candles: { time: [1_000_000_000_000, 1_000_000_060_000], close: [1, 2] } },
      { key: "A", candles: { time: [1_000_000_000_000], close: [5] } },
    ]);
    expect(() => seriesFromCsv("time,close\n1,2")).toThrow(/key or symbol column/);
    expect(() => seriesFromCsv("key,close\n ,2")).toThrow(/Line 2: the key is empty/);
  });

  it("reads JSON rows, columns and whole calculate bodies", () => {
    const columns = { time: ["2024-01-02", "2024-01-03"], close: [1, 2] };
    expect(candlesFromJson(JSON.stringify(columns))).toEqual({
      time: [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)],
      close: [1, 2],
    });
    expect(
      parseCandles(
        JSON.stringify({
          candles: [
            { close: 1, volume: 3 },
            { close: 2, volume: 4 },
          ],
        }),
      ),
    ).toEqual({
      close: [1, 2],
      volume: [3, 4],
    });
    expect(() => candlesFromJson("[1]")).toThrow(/Candle 0 is not an object/);
    expect(() => candlesFromJson('[{"open":1,"close":1},{"close":2}]')).toThrow(
      "Candle 1 has no open, candle 0 has.",
    );
    expect(() => candlesFromJson("{")).toThrow(/does not parse/);
  });

  it("generates valid, repeatable OHLCV that survives a CSV round trip", () => {
    const sample = sampleCandles(500, 7);
    expect(sampleCandles(500, 7)).toEqual(sample);
    expect(sampleCandles(500, 8).close).not.toEqual(sample.close);
    for (let i = 0; i < 500; i++) {
      const [open, high, low, close] = [sample.open[i], sample.high[i], sample.low[i], sample.close[i]] as [
        number,
        number,
        number,
        number,
      ];
      expect(high).toBeGreaterThanOrEqual(Math.max(open, close, low));
      expect(low).toBeLessThanOrEqual(Math.min(open, close));
      if (i > 0) expect(sample.time[i]).toBeGreaterThan(sample.time[i - 1] as number);
    }
    expect(parseCandles(candlesToCsv(sample))).toEqual(sample);
    const intraday = { time: [Date.UTC(2024, 0, 2, 9, 30), Date.UTC(2024, 0, 2, 9, 31)], close: [1, 2] };
    expect(parseCandles(candlesToCsv(intraday))).toEqual(intraday);
  });
});

describe("console formatting and results CSV", () => {
  it("shows six significant digits without exponents", () => {
    expect(formatValue(83.200512345)).toBe("83.2005");
    expect(formatValue(-0.000123456789)).toBe("-0.000123457");
    expect(formatValue(1_234_567.89)).toBe("1234568");
    expect(formatValue(12_345.678)).toBe("12345.7");
    expect(formatValue(0)).toBe("0");
    expect(formatValue(null)).toBe("–");
  });

  it("turns NDJSON results into one row per candle, columns named as the Arrow results name them", () => {
    const ndjson = [
      {
        key: 'a,"1"',
        results: [
          { id: "SMA(2)", values: [null, 1.5] },
          { id: "B", values: { up: [1, 2], low: [0, null] } },
        ],
      },
      { key: "b", error: { code: "X", detail: "no" } },
      {
        key: "c",
        results: [
          { id: "SMA(2)", values: [null] },
          { id: "B", values: { up: [3], low: [4] } },
        ],
      },
    ]
      .map((line) => JSON.stringify(line))
      .join("\n");
    expect(resultsToCsv(ndjson)).toBe(
      'key,index,SMA(2),B.up,B.low\n"a,""1""",0,,1,0\n"a,""1""",1,1.5,2,\nc,0,,3,4\n',
    );
  });
});

const KEY = "console-test-key-0001";

describe("console curl command", () => {
  let service: Service;
  beforeAll(async () => {
    service = await startTestService({ API_KEYS: KEY });
    await service.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await service.close();
  });

  it("sends the same request when pasted into a shell, the key read from $API_KEY", async () => {
    const address = service.app.server.address() as { port: number };
    const body = {
      candles: { close: [1, 2, 3, 4] },
      indicators: [{ name: "SMA", params: { period: 2 } }],
      symbol: "it's",
    };
    const command = curlCommand(`http://127.0.0.1:${address.port}/indicators/calculate`, body, true);
    expect(command).not.toContain(KEY);
    const { stdout } = await promisify(execFile)("sh", ["-c", command], {
      env: { ...process.env, API_KEY: KEY },
    });
    const response = JSON.parse(stdout);
    expect(response.symbol).toBe("it's");
    expect(response.results[0].values).toEqual([null, 1.5, 2.5, 3.5]);
  });
});
