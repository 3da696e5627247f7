import { once } from "node:events";
import { PassThrough } from "node:stream";
import type { FastifyReply } from "fastify";
import type { WebSocket } from "ws";
import type { JobEvent, JobStore } from "../../jobs/model.js";

export interface FollowOptions {
  readonly store: JobStore;
  readonly jobId: string;
  readonly after: string | undefined;
  readonly heartbeatMs: number;
  /** Called with each event as it is written to the client (the event-lag metric). */
  readonly onEvent?: (event: JobEvent) => void;
}

/** A WebSocket's buffered bytes beyond which the follower waits for the client to read. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * The job's events as Server-Sent Events. The stream ends after the job's final event, or when
 * the client goes away (its follower stops and frees its Redis connection). Writes wait for a slow
 * client to read: events stay in the store, not in this process's memory.
 */
export function sendEventStream(reply: FastifyReply, options: FollowOptions): FastifyReply {
  const stream = new PassThrough();
  const stop = new AbortController();
  reply.raw.on("close", () => stop.abort());
  const write = async (text: string) => {
    if (!stream.write(text)) await once(stream, "drain", { signal: stop.signal });
  };
  const heartbeat = setInterval(() => stream.write(": heartbeat\n\n"), options.heartbeatMs);
  // The client's reconnection delay, and a first write so that proxies pass the headers on at once.
  stream.write("retry: 1000\n\n");
  void (async () => {
    try {
      for await (const event of options.store.follow(options.jobId, options.after, stop.signal)) {
        options.onEvent?.(event);
        await write(`id: ${event.id}\nevent: ${event.type}\ndata: ${event.data}\n\n`);
      }
    } catch (error) {
      if (!stop.signal.aborted) {
        const detail = error instanceof Error ? error.message : String(error);
        stream.write(`event: error\ndata: ${JSON.stringify({ detail })}\n\n`);
      }
    } finally {
      clearInterval(heartbeat);
      stream.end();
    }
  })();
  return reply
    .header("content-type", "text/event-stream; charset=utf-8")
    .header("cache-control", "no-cache, no-transform")
    .header("x-accel-buffering", "no")
    .send(stream);
}

/**
 * The same events over a WebSocket, one JSON message each: `{"id", "event", "data"}`. A client
 * resumes by connecting with `?lastEventId=` or by sending `{"lastEventId": "..."}` at any time,
 * which restarts the stream after that id. The server closes with 1000 after the final event.
 */
export function followOverWebSocket(
  socket: WebSocket,
  options: FollowOptions,
  validId: (id: string) => boolean,
): void {
  let current: AbortController | undefined;
  const heartbeat = setInterval(() => socket.ping(), options.heartbeatMs);
  const follow = async (after: string | undefined) => {
    current?.abort();
    const stop = new AbortController();
    current = stop;
    try {
      for await (const event of options.store.follow(options.jobId, after, stop.signal)) {
        while (socket.bufferedAmount > MAX_BUFFERED_BYTES && !stop.signal.aborted) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        if (stop.signal.aborted) return;
        options.onEvent?.(event);
        socket.send(`{"id":${JSON.stringify(event.id)},"event":"${event.type}","data":${event.data}}`);
      }
      if (!stop.signal.aborted) socket.close(1000, "job ended");
    } catch (error) {
      if (stop.signal.aborted) return;
      const detail = error instanceof Error ? error.message : String(error);
      socket.send(JSON.stringify({ event: "error", data: { detail } }));
      socket.close(1011, "event stream failed");
    }
  };
  socket.on("message", (message) => {
    let after: unknown;
    try {
      after = (JSON.parse(String(message)) as { lastEventId?: unknown }).lastEventId;
    } catch {
      after = undefined;
    }
    if (typeof after !== "string" || !validId(after)) {
      socket.send(
        JSON.stringify({
          event: "error",
          data: { detail: 'Send {"lastEventId": "<id of the last event seen>"}.' },
        }),
      );
      return;
    }
    void follow(after);
  });
  socket.on("close", () => {
    clearInterval(heartbeat);
    current?.abort();
  });
  void follow(options.after);
}
