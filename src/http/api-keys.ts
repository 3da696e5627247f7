import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { problem } from "../errors/registry.js";
import { LocalWindowCounters } from "./fixed-windows.js";
import { sendProblem } from "./problem.js";
import { operationalRole } from "./route-roles.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Short digest of the caller's API key (never the key): the rate-limit identity. */
    apiKeyId: string | null;
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

export interface ApiKeyOptions {
  readonly keys: readonly string[];
  /** Whether /metrics needs a key too (scrapers often cannot send one). */
  readonly protectMetrics: boolean;
  /** Failed authentications an address may make per window before it gets 429 (0: no limit). */
  readonly failureLimit: number;
  readonly failureWindowMs: number;
}

/**
 * Failed authentications per client address in fixed windows, on this replica. It runs before
 * the key check, so guessing keys costs a client its address's window, not just a 401 each.
 */
class FailureCounter {
  readonly #windows = new LocalWindowCounters();
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Milliseconds until the address may try again; 0 when it may now. */
  blockedForMs(address: string, now: number): number {
    const { count, ttlMs } = this.#windows.peek(address, now);
    return count >= this.#limit ? ttlMs : 0;
  }

  fail(address: string, now: number): void {
    this.#windows.increment(address, this.#windowMs, now);
  }
}

/**
 * Optional bearer API keys. Keys are compared as SHA-256 digests with timingSafeEqual against
 * every configured key (no early exit), so neither the length nor the position of a match
 * leaks through timing. The key itself is never stored on the request or logged.
 */
export function registerApiKeys(
  app: FastifyInstance,
  { keys, protectMetrics, failureLimit, failureWindowMs }: ApiKeyOptions,
): void {
  app.decorateRequest("apiKeyId", null);
  if (keys.length === 0) return;
  const known = keys.map((key) => digest(key));
  const failures = failureLimit > 0 ? new FailureCounter(failureLimit, failureWindowMs) : null;
  app.addHook("onRequest", async (request, reply) => {
    const role = operationalRole(request);
    if (role === "probe" || (role === "metrics" && !protectMetrics) || request.routeOptions.config?.public)
      return;
    const now = Date.now();
    const blockedMs = failures?.blockedForMs(request.ip, now) ?? 0;
    if (blockedMs > 0) {
      return sendProblem(
        reply,
        problem("TOO_MANY_REQUESTS", {
          reason: "Too many failed authentications from this address",
          retryAfterSeconds: Math.ceil(blockedMs / 1_000),
        }),
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
    const given = match ? digest(match[1] as string) : null;
    let found = false;
    for (const key of known) if (given !== null && timingSafeEqual(key, given)) found = true;
    if (!found || given === null) {
      failures?.fail(request.ip, now);
      return sendProblem(reply, problem("UNAUTHORIZED", { keyGiven: given !== null }));
    }
    request.apiKeyId = given.toString("hex").slice(0, 16);
  });
}
