import { EventSource } from "eventsource";
import { WebSocket } from "ws";
import { randomOhlcv } from "./series.js";

export interface ReceivedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

export const TERMINAL_EVENTS = ["completed", "failed", "cancelled"];
const EVENT_TYPES = ["progress", "series", ...TERMINAL_EVENTS];

/** A job body of `count` seeded OHLCV series of `length` candles each. */
export function jobBody(count: number, length: number, indicators: object[], seed = 1) {
  return {
    series: Array.from({ length: count }, (_, i) => {
      const series = randomOhlcv(length, seed + i);
      return {
        key: `S${i}`,
        candles: { high: series.high, low: series.low, close: series.close, volume: series.volume },
      };
    }),
    indicators,
  };
}

export async function submitJob(base: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { id: string; links: { events: string; results: string } } & Record<
    string,
    unknown
  >;
  return { response, json };
}

export interface FollowOptions {
  readonly after?: string;
  readonly headers?: Record<string, string>;
  /** Close after this many events (a client that goes away mid-job). */
  readonly stopAfter?: number;
  readonly timeoutMs?: number;
}

/**
 * Reads a job's events with the `eventsource` package (what a Node or browser client uses):
 * until the final event, or `stopAfter` events. `Last-Event-ID` is sent as EventSource itself
 * sends it on a reconnection.
 */
export function followSse(url: string, options: FollowOptions = {}): Promise<ReceivedEvent[]> {
  const events: ReceivedEvent[] = [];
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers, ...(options.after ? { "Last-Event-ID": options.after } : {}) };
    const source = new EventSource(url, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }),
    });
    const timer = setTimeout(() => {
      source.close();
      reject(new Error(`no final event after ${events.length} events`));
    }, options.timeoutMs ?? 20_000);
    const finish = () => {
      clearTimeout(timer);
      source.close();
      resolve(events);
    };
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (message) => {
        events.push({ id: message.lastEventId, type, data: JSON.parse(message.data) });
        if (TERMINAL_EVENTS.includes(type) || events.length === options.stopAfter) finish();
      });
    }
    source.onerror = (error) => {
      // The server ends the stream after the final event; EventSource would reconnect.
      if (events.some((event) => TERMINAL_EVENTS.includes(event.type))) return finish();
      clearTimeout(timer);
      source.close();
      reject(new Error(`EventSource error: ${error.message ?? error.code}`));
    };
  });
}

/** The same over the WebSocket route with the `ws` client: until the server closes. */
export function followWebSocket(
  url: string,
  options: FollowOptions & { resumeWith?: string } = {},
): Promise<{ events: ReceivedEvent[]; closeCode: number }> {
  const events: ReceivedEvent[] = [];
  return new Promise((resolve, reject) => {
    const query = options.after ? `?lastEventId=${encodeURIComponent(options.after)}` : "";
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}${query}`, { headers: options.headers });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no close after ${events.length} events`));
    }, options.timeoutMs ?? 20_000);
    socket.on("open", () => {
      if (options.resumeWith) socket.send(JSON.stringify({ lastEventId: options.resumeWith }));
    });
    socket.on("message", (raw) => {
      const message = JSON.parse(String(raw)) as { id: string; event: string; data: Record<string, unknown> };
      events.push({ id: message.id, type: message.event, data: message.data });
      if (events.length === options.stopAfter) socket.close();
    });
    socket.on("unexpected-response", (_request, response) => {
      clearTimeout(timer);
      reject(
        Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode }),
      );
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", (code) => {
      clearTimeout(timer);
      resolve({ events, closeCode: code });
    });
  });
}

/** Compares stream ids (`ms-seq`) numerically. */
export function compareEventIds(a: string, b: string): number {
  const [ams = 0, aseq = 0] = a.split("-").map(Number);
  const [bms = 0, bseq = 0] = b.split("-").map(Number);
  return ams - bms || aseq - bseq;
}

export async function resultLines(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return {
    response,
    lines: text
      .split("\n")
      .filter((line) => line !== "")
      .map(
        (line) =>
          JSON.parse(line) as {
            key: string;
            results?: { id: string; source: string; values: unknown }[];
            error?: unknown;
          },
      ),
  };
}
