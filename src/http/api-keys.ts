import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { ServiceError } from "../errors/registry.js";
import { sendProblem } from "./problem.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Short digest of the caller's API key (never the key): the rate-limit identity. */
    apiKeyId: string | null;
  }
}

const PROBES = new Set(["/health", "/health/live", "/health/ready"]);

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

export interface ApiKeyOptions {
  readonly keys: readonly string[];
  /** Whether /metrics needs a key too (scrapers often cannot send one). */
  readonly protectMetrics: boolean;
}

/**
 * Optional bearer API keys. Keys are compared as SHA-256 digests with timingSafeEqual against
 * every configured key (no early exit), so neither the length nor the position of a match
 * leaks through timing. The key itself is never stored on the request or logged.
 */
export function registerApiKeys(app: FastifyInstance, { keys, protectMetrics }: ApiKeyOptions): void {
  app.decorateRequest("apiKeyId", null);
  if (keys.length === 0) return;
  const known = keys.map((key) => digest(key));
  app.addHook("onRequest", async (request, reply) => {
    const route = request.routeOptions.url ?? "";
    if (PROBES.has(route) || (route === "/metrics" && !protectMetrics)) return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
    const given = match ? digest(match[1] as string) : null;
    let found = false;
    for (const key of known) if (given !== null && timingSafeEqual(key, given)) found = true;
    if (!found || given === null) {
      return sendProblem(
        reply,
        new ServiceError(
          "UNAUTHORIZED",
          given === null ? "Send an API key as Authorization: Bearer <key>." : "The API key is not valid.",
          { headers: { "www-authenticate": 'Bearer realm="indicator-service"' } },
        ),
      );
    }
    request.apiKeyId = given.toString("hex").slice(0, 16);
  });
}
