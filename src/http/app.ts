import { randomUUID } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { serializerCompiler } from "fastify-type-provider-zod";
import type { PlanOptions } from "../calculation/plan.js";
import type { RequestLimits } from "../calculation/request-schema.js";
import type { Lifecycle } from "../lifecycle.js";
import type { ServiceMetrics } from "../metrics/metrics.js";
import { type FleetStatus, StandaloneCoordinator } from "../scheduler/coordinator.js";
import type { SmartScheduler } from "../scheduler/scheduler.js";
import type { AdmissionOptions } from "./admission.js";
import { registerApiKeys } from "./api-keys.js";
import type { JsonBodyWorkers } from "./calculate/json-body-pool.js";
import { registerCors, registerSecurityHeaders } from "./headers.js";
import { registerJsonBodyParser } from "./json-body.js";
import { openApiRoute, registerOpenApi } from "./openapi.js";
import { type OverloadLimits, registerOverloadProtection } from "./overload.js";
import { registerProblemHandlers, sendProblem, toServiceError } from "./problem.js";
import { type RateLimitOptions, registerRateLimit } from "./rate-limit.js";
import { operationalRole } from "./route-roles.js";
import { calculateRoutes } from "./routes/calculate.js";
import { consoleRoutes } from "./routes/console.js";
import { healthRoutes } from "./routes/health.js";
import { indicatorRoutes } from "./routes/indicators.js";
import { type JobRouteDependencies, jobRoutes } from "./routes/jobs.js";
import { metricsRoute, registerRequestMetrics } from "./routes/metrics.js";
import { zodValidatorCompiler } from "./validation.js";

export interface AccessOptions {
  readonly apiKeys: readonly string[];
  readonly protectMetrics: boolean;
  readonly authFailureLimit: number;
  readonly authFailureWindowMs: number;
  readonly corsOrigins: readonly string[];
  readonly rateLimit: RateLimitOptions;
}

export interface AppDependencies {
  readonly scheduler: SmartScheduler;
  /** Absent: a standalone replica. */
  readonly fleet?: FleetStatus;
  readonly lifecycle: Lifecycle;
  readonly limits: RequestLimits;
  readonly bodyLimitBytes: number;
  /** Fastify's trustProxy: which proxies' X-Forwarded-For to believe (none by default). */
  readonly trustProxy?: string[];
  readonly plan?: PlanOptions;
  /** Absent: open access, no CORS, no rate limit. */
  readonly access?: AccessOptions;
  /** Absent: no load shedding. */
  readonly overload?: OverloadLimits;
  /** Absent: calculations are neither admitted by budget nor bounded by a deadline. */
  readonly admission?: AdmissionOptions;
  /** Absent: every JSON body is parsed on the event loop. */
  readonly jsonBodies?: JsonBodyWorkers;
  /** Absent: no /jobs routes. */
  readonly jobs?: Omit<JobRouteDependencies, "limits" | "plan" | "jsonBodies">;
  /** Null: no /metrics route and no request metrics. */
  readonly metrics?: ServiceMetrics | null;
  readonly log: FastifyBaseLogger;
}

/** A client-supplied id is kept when it is short and plain, so logs can be joined across services. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module "fastify" {
  interface FastifyRequest {
    /** performance.now() when the request arrived, for `meta.elapsedMs` (parsing included). */
    receivedAt: number;
  }
}

export function buildApp(deps: AppDependencies): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log,
    bodyLimit: deps.bodyLimitBytes,
    // Behind a balancer every request comes from its address; only the proxies named here may
    // say otherwise, so a client cannot pick its own rate-limit bucket with a forged header.
    trustProxy: deps.trustProxy && deps.trustProxy.length > 0 ? deps.trustProxy : false,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Errors raised before routing (a malformed URL) get problem+json like every other error.
    frameworkErrors: (error, _request, reply) => sendProblem(reply, toServiceError(error)),
    // Probes and scrapes arrive every few seconds from every balancer and Prometheus: logging
    // each would drown the log. Their outcomes are in the metrics.
    logController: new LogController({
      disableRequestLogging: (request) => operationalRole(request) !== undefined,
    }),
    // Large bodies arrive in many chunks; the default 0 (no timeout) lets a slow client hold a socket forever.
    requestTimeout: 60_000,
  });
  // JSON only: a text/plain body would otherwise reach validation as a string and get a confusing 400.
  app.removeContentTypeParser("text/plain");
  registerJsonBodyParser(app);
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest("receivedAt", 0);
  app.decorateRequest("admission", null);
  app.addHook("onRequest", async (request) => {
    request.receivedAt = performance.now();
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    // While draining, no keep-alive: an idle kept-alive socket would hold shutdown for the
    // keep-alive timeout, and the client's next request should go to another replica anyway.
    if (deps.lifecycle.phase === "draining") reply.header("connection", "close");
  });
  registerProblemHandlers(app);
  registerSecurityHeaders(app);
  if (deps.access) {
    registerCors(app, deps.access.corsOrigins);
    registerApiKeys(app, {
      keys: deps.access.apiKeys,
      protectMetrics: deps.access.protectMetrics,
      failureLimit: deps.access.authFailureLimit,
      failureWindowMs: deps.access.authFailureWindowMs,
    });
    registerRateLimit(app, deps.access.rateLimit);
  }
  if (deps.overload) registerOverloadProtection(app, deps.overload);
  registerOpenApi(app);
  const metrics = deps.metrics;
  if (metrics) registerRequestMetrics(app, metrics);
  // Routes go in a plugin registered after the ones above: plugins such as the rate limiter
  // attach to routes as they are added, so routes added before them would be missed.
  const fleet = deps.fleet ?? new StandaloneCoordinator();
  app.register(async (routes) => {
    openApiRoute(routes);
    if (metrics) metricsRoute(routes, metrics);
    healthRoutes(routes, { lifecycle: deps.lifecycle, fleet });
    indicatorRoutes(routes);
    consoleRoutes(routes);
    calculateRoutes(routes, {
      scheduler: deps.scheduler,
      fleet,
      limits: deps.limits,
      plan: deps.plan ?? {},
      admission: deps.admission,
      jsonBodies: deps.jsonBodies,
    });
    const jobs = deps.jobs;
    // Its own scope: job bodies have their own parser and size limit.
    if (jobs)
      routes.register((scope) =>
        jobRoutes(scope, {
          ...jobs,
          limits: deps.limits,
          plan: deps.plan ?? {},
          jsonBodies: deps.jsonBodies,
        }),
      );
  });
  return app;
}
