import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  ERROR_REGISTRY,
  type ErrorCode,
  type FieldIssue,
  problemType,
  ServiceError,
} from "../errors/registry.js";
import { ARROW_STREAM_MEDIA_TYPE, JSON_MEDIA_TYPE } from "../wire/media-types.js";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldIssue[];
}

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
      return new ServiceError("BAD_REQUEST", "The URL is not validly percent-encoded.");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ServiceError("BODY_TOO_LARGE", "The body is larger than BODY_LIMIT_BYTES allows.");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ServiceError(
        "UNSUPPORTED_MEDIA_TYPE",
        `Send the body as ${JSON_MEDIA_TYPE} or ${ARROW_STREAM_MEDIA_TYPE}.`,
      );
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's remaining client errors (bad URL encoding, forbidden __proto__ keys, ...).
    return new ServiceError(status === 415 ? "UNSUPPORTED_MEDIA_TYPE" : "BAD_REQUEST", error.message);
  }
  return new ServiceError(
    "INTERNAL",
    "The service failed to handle this request; the request id is logged.",
    {
      cause: error,
    },
  );
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const problem = toServiceError(error);
    if (problem.status >= 500) request.log.error({ err: error }, "request failed");
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? request.url;
    const allowed = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter(
      (method) => method !== request.method && app.hasRoute({ method, url: path }),
    );
    if (allowed.length > 0) {
      return sendProblem(
        reply,
        new ServiceError(
          "METHOD_NOT_ALLOWED",
          `${request.method} is not allowed on ${path}; use ${allowed.join(", ")}.`,
          {
            headers: { allow: allowed.join(", ") },
          },
        ),
      );
    }
    return sendProblem(reply, new ServiceError("NOT_FOUND", `No route ${request.method} ${path}.`));
  });
}
