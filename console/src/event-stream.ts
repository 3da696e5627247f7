/**
 * Server-Sent Events read with fetch, not EventSource: EventSource cannot send an Authorization
 * header. It resumes as EventSource would, with `Last-Event-ID` set to the last event received,
 * so a reconnection neither loses nor repeats an event (the service replays exactly what follows
 * that id, on any replica). Pure enough for Node: the unit tests cut its connection for real.
 */

export interface StreamEvent {
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

/** Incremental text/event-stream parser (the WHATWG rules the service's stream uses). */
export class EventStreamParser {
  #buffer = "";
  #id = "";
  #event = "";
  #data: string[] = [];

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): StreamEvent[] {
    this.#buffer += text;
    const events: StreamEvent[] = [];
    for (;;) {
      const end = this.#buffer.search(/\r\n|\r|\n/);
      // A CR that ends the text so far may be the first half of a CRLF: wait for the next chunk.
      if (end < 0 || (end === this.#buffer.length - 1 && this.#buffer[end] === "\r")) break;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + (this.#buffer.startsWith("\r\n", end) ? 2 : 1));
      if (line === "") {
        if (this.#data.length > 0)
          events.push({ id: this.#id, event: this.#event || "message", data: this.#data.join("\n") });
        this.#event = "";
        this.#data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + (line[colon + 1] === " " ? 2 : 1));
      if (field === "data") this.#data.push(value);
      else if (field === "event") this.#event = value;
      else if (field === "id") this.#id = value;
    }
    return events;
  }
}

/** An answer that retrying will not change: a problem+json the caller shows. */
export class StreamRefused extends Error {
  constructor(
    readonly response: Response,
    readonly body: string,
  ) {
    super(`HTTP ${response.status}`);
  }
}

export interface FollowOptions {
  /** Read at every connection: a key given or forgotten meanwhile applies to the next attempt. */
  readonly headers?: () => Record<string, string>;
  readonly signal?: AbortSignal;
  /** The stream's last event: following stops after it instead of reconnecting. */
  readonly isFinal: (event: StreamEvent) => boolean;
  readonly onEvent: (event: StreamEvent) => void;
  /** Told when the connection dropped and the next attempt is in `delayMs`. */
  readonly onReconnecting?: (delayMs: number) => void;
  /** First reconnection delay; doubles to 5 s while attempts keep failing. Default 250 ms. */
  readonly retryMs?: number;
}

const MAX_RETRY_MS = 5_000;
/** Answers worth retrying: the service is busy or restarting, not refusing. */
const TRANSIENT = new Set([429, 502, 503, 504]);

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The server's Retry-After in ms (seconds form), when it gives one. */
function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(60, seconds) * 1_000 : undefined;
}

/**
 * Reads one connection's events until the stream ends. Resolves with whether the final event
 * came and the delay the server asked for before the next attempt; rejects on network errors.
 */
async function readOnce(
  url: string,
  options: FollowOptions,
  lastEventId: string | undefined,
  received: (event: StreamEvent) => void,
): Promise<{ finished: boolean; retryAfterMs?: number }> {
  const response = await fetch(url, {
    headers: {
      accept: "text/event-stream",
      ...options.headers?.(),
      ...(lastEventId ? { "last-event-id": lastEventId } : {}),
    },
    signal: options.signal,
  });
  if (!response.ok) {
    const body = await response.text();
    if (!TRANSIENT.has(response.status)) throw new StreamRefused(response, body);
    return { finished: false, retryAfterMs: retryAfterMs(response) };
  }
  let finished = false;
  if (!response.body) return { finished };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new EventStreamParser();
  // The service ends the stream after the final event: reading to its end (rather than
  // cancelling) closes the request cleanly.
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { finished };
    for (const event of parser.push(value)) {
      received(event);
      if (options.isFinal(event)) finished = true;
    }
  }
}

/**
 * Follows `url` until the final event or the signal aborts; returns the last event id. Rejects
 * with StreamRefused on a non-transient error answer (401, 404, ...), and with what `onEvent`
 * throws. A dropped connection, a network error or a busy answer is retried with backoff.
 */
export async function followEvents(url: string, options: FollowOptions): Promise<string | undefined> {
  let lastEventId: string | undefined;
  const firstRetryMs = options.retryMs ?? 250;
  let retryMs = firstRetryMs;
  // What the caller's handler threw: that ends following, unlike a failure of the connection.
  let handlerFailure: { error: unknown } | undefined;
  const received = (event: StreamEvent) => {
    if (event.id) lastEventId = event.id;
    // Data arrived: the connection works, so the next drop retries quickly again.
    retryMs = firstRetryMs;
    try {
      options.onEvent(event);
    } catch (error) {
      handlerFailure = { error };
      throw error;
    }
  };
  while (!options.signal?.aborted) {
    let outcome: { finished: boolean; retryAfterMs?: number };
    try {
      outcome = await readOnce(url, options, lastEventId, received);
    } catch (error) {
      // Only the connection's own failures are retried; a refusal or a throwing handler ends here.
      if (error instanceof StreamRefused) throw error;
      if (handlerFailure) throw handlerFailure.error;
      if (options.signal?.aborted) break;
      outcome = { finished: false };
    }
    if (outcome.finished) break;
    const delayMs = outcome.retryAfterMs ?? retryMs;
    options.onReconnecting?.(delayMs);
    await wait(delayMs, options.signal);
    retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
  }
  return lastEventId;
}
