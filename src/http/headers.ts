import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";

/**
 * Security headers that mean something for a JSON API: no MIME sniffing, no framing, no
 * referrer leaks, and a CSP that forbids everything (API responses are never documents).
 * HSTS is left to the TLS-terminating proxy, which knows whether HTTPS is in use.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "no-referrer");
    // Swagger UI is a document with scripts and styles; everything else is data.
    const path = request.url.split("?")[0] ?? "";
    if (!(path === "/docs" || path.startsWith("/docs/")) && !reply.hasHeader("content-security-policy")) {
      reply.header("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
    }
  });
}

/** CORS is off unless origins are configured: `*` for any, or a comma-separated list. */
export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  app.register(cors, {
    origin: origins.includes("*") ? "*" : [...origins],
    methods: ["GET", "POST"],
    allowedHeaders: ["content-type", "authorization", "x-request-id"],
    exposedHeaders: [
      "x-request-id",
      "retry-after",
      "x-ratelimit-limit",
      "x-ratelimit-remaining",
      "x-ratelimit-reset",
    ],
    maxAge: 600,
  });
}
