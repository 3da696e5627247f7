import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { ERROR_REGISTRY, problem, problemType, ServiceError } from "../errors/registry.js";
import { ARROW_STREAM_MEDIA_TYPE, JSON_MEDIA_TYPE } from "../wire/media-types.js";
import type { ProblemSchema } from "./schemas/responses.js";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export type ProblemBody = z.infer<typeof ProblemSchema>;

export function problemBody(error: ServiceError, requestId: string): ProblemBody {
  const body: ProblemBody = {
    type: problemType(error.code),
    title: ERROR_REGISTRY[error.code].title,
    status: error.status,
    detail: error.message,
    code: error.code,
    requestId,
  };
  if (error.issues.length > 0) body.errors = [...error.issues];
  return body;
}

export function sendProblem(reply: FastifyReply, error: ServiceError): FastifyReply {
  return (
    reply
      .code(error.status)
      // Also here, not only in the onSend hook: errors raised before routing skip the hooks.
      .header("x-request-id", String(reply.request.id))
      .headers(error.headers)
      .type(PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problemBody(error, String(reply.request.id))))
  );
}

/** Fastify's own errors (body parsing, limits, bad URLs) mapped to our registry; anything else is internal. */
export function toServiceError(error: FastifyError | Error): ServiceError {
  if (error instanceof ServiceError) return error;
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case "FST_ERR_BAD_URL":
      return problem("BAD_REQUEST", { reason: "The URL is not validly percent-encoded." });
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return problem("BODY_TOO_LARGE", undefined);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return problem("UNSUPPORTED_MEDIA_TYPE", { accepted: [JSON_MEDIA_TYPE, ARROW_STREAM_MEDIA_TYPE] });
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's remaining client errors (bad URL encoding, forbidden __proto__ keys, ...).
    return status === 415
      ? problem("UNSUPPORTED_MEDIA_TYPE", { accepted: [JSON_MEDIA_TYPE, ARROW_STREAM_MEDIA_TYPE] })
      : problem("BAD_REQUEST", { reason: error.message });
  }
  return problem("INTERNAL", {}, { cause: error });
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const refusal = toServiceError(error);
    if (refusal.status >= 500) request.log.error({ err: error }, "request failed");
    return sendProblem(reply, refusal);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? request.url;
    const allowed = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter(
      (method) => method !== request.method && app.hasRoute({ method, url: path }),
    );
    if (allowed.length > 0) {
      return sendProblem(reply, problem("METHOD_NOT_ALLOWED", { method: request.method, path, allowed }));
    }
    return sendProblem(reply, problem("NOT_FOUND", { missing: `route ${request.method} ${path}` }));
  });
}
