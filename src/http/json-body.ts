import type { FastifyInstance } from "fastify";
import type { ServiceError } from "../errors/registry.js";
import { parseClientJson } from "../wire/client-json.js";

/** Where bodies of at least `minBytes` are parsed instead of the event loop (a worker pool). */
export interface BodyOffload {
  readonly minBytes: number;
  readonly parse: (body: Buffer) => Promise<unknown>;
}

/**
 * A body parser for `mediaType` that reads bodies of at least `offload.minBytes` there (whole, as
 * bytes) and smaller ones with `inline` on the event loop, where a thread hop would cost more
 * than it saves.
 */
export function registerBytesParser(
  app: FastifyInstance,
  mediaType: string,
  inline: (bytes: Buffer) => unknown,
  offload?: BodyOffload,
): void {
  // Replaces the parser a parent scope registered (fastify's own for JSON, calculate's for Arrow).
  if (app.hasContentTypeParser(mediaType)) app.removeContentTypeParser(mediaType);
  app.addContentTypeParser(mediaType, { parseAs: "buffer" }, (_request, body, done) => {
    const bytes = body as Buffer;
    if (offload && bytes.length >= offload.minBytes) {
      offload.parse(bytes).then(
        (parsed) => done(null, parsed),
        (error: Error) => done(error, undefined),
      );
      return;
    }
    try {
      done(null, inline(bytes));
    } catch (error) {
      done(error as ServiceError, undefined);
    }
  });
}

/** Fastify's own JSON parser reports every failure as the same "invalid JSON" error; this one does not. */
export function registerJsonBodyParser(app: FastifyInstance, offload?: BodyOffload): void {
  registerBytesParser(app, "application/json", (bytes) => parseClientJson(bytes.toString("utf8")), offload);
}
