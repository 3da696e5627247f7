import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EventStreamParser,
  followEvents,
  type StreamEvent,
  StreamRefused,
} from "../../console/src/event-stream.js";
import { FaultProxy } from "../../harness/fault-proxy.js";
import { followSse, jobBody, submitJob, TERMINAL_EVENTS } from "../../harness/jobs.js";
import { seededRandom } from "../../harness/series.js";
import { startTestService } from "../../harness/service.js";
import type { Service } from "../../src/service.js";

const isFinal = (event: StreamEvent) => TERMINAL_EVENTS.includes(event.event);

describe("the console's event-stream parser", () => {
  it("gives the same events however the text is split, with CRLF, comments and multi-line data", () => {
    const text =
      ': heartbeat\r\nid: 1-0\r\nevent: progress\r\ndata: {"done":1}\r\n\r\n' +
      "id: 1-1\nevent: series\ndata: line one\ndata: line two\n\n" +
      "data: no id or type\n\n: another comment\n\nid: 2-0\nevent: completed\ndata:{}\n\n";
    const expected = [
      { id: "1-0", event: "progress", data: '{"done":1}' },
      { id: "1-1", event: "series", data: "line one\nline two" },
      { id: "1-1", event: "message", data: "no id or type" },
      { id: "2-0", event: "completed", data: "{}" },
    ];
    const random = seededRandom(3);
    for (let round = 0; round < 200; round++) {
      const parser = new EventStreamParser();
      const events: StreamEvent[] = [];
      for (let at = 0; at < text.length; ) {
        const size = 1 + Math.floor(random() * 12);
        events.push(...parser.push(text.slice(at, at + size)));
        at += size;
      }
      expect(events).toEqual(expected);
    }
  });
});

describe("followEvents against the service", () => {
  let service: Service;
  let base: string;
  let proxy: FaultProxy;

  beforeAll(async () => {
    service = await startTestService({ JOB_CONCURRENCY: 1, JOB_CHUNK_SERIES: 5 });
    await service.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = service.app.server.address() as { port: number };
    base = `http://127.0.0.1:${port}`;
    proxy = await FaultProxy.start({ port });
  });
  afterAll(async () => {
    await proxy.close();
    await service.close();
  });

  it("resumes after cut connections with neither a lost nor a repeated event", async () => {
    const { json } = await submitJob(
      base,
      jobBody(120, 2_000, [{ name: "SMA" }, { name: "RSI" }, { name: "MACD" }]),
    );
    const received: StreamEvent[] = [];
    let reconnects = 0;
    await followEvents(`http://127.0.0.1:${proxy.port}${json.links.events}`, {
      isFinal,
      retryMs: 20,
      onEvent: (event) => {
        received.push(event);
        // Three cuts at different points of the stream, while the job is still running.
        if (received.length === 3 || received.length === 40 || received.length === 90) proxy.cutConnections();
      },
      onReconnecting: () => {
        reconnects++;
      },
    });
    expect(reconnects).toBeGreaterThanOrEqual(3);
    const everything = await followSse(`${base}${json.links.events}`);
    expect(received.map((event) => event.id)).toEqual(everything.map((event) => event.id));
    expect(received.map((event) => JSON.parse(event.data))).toEqual(everything.map((event) => event.data));
    expect(received.filter((event) => event.event === "series")).toHaveLength(120);
  });

  it("ends with what the handler throws instead of reconnecting", async () => {
    const { json } = await submitJob(base, jobBody(3, 50, [{ name: "SMA" }]));
    let calls = 0;
    const failure = await followEvents(`${base}${json.links.events}`, {
      isFinal,
      onEvent: () => {
        calls++;
        throw new RangeError("the page could not show it");
      },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RangeError);
    expect(calls).toBe(1);
  });

  it("stops with the API's refusal instead of retrying a 404", async () => {
    const failure = await followEvents(`${base}/jobs/no-such-job/events`, {
      isFinal,
      onEvent: () => {},
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StreamRefused);
    const refused = failure as StreamRefused;
    expect(refused.response.status).toBe(404);
    expect(JSON.parse(refused.body).code).toBe("JOB_NOT_FOUND");
  });
});
