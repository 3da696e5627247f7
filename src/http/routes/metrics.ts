import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ServiceMetrics } from "../../metrics/metrics.js";
import { problemResponses } from "../schemas/responses.js";

export function metricsRoute(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.get(
    "/metrics",
    {
      config: { operational: "metrics" },
      schema: {
        operationId: "getMetrics",
        summary: "Prometheus metrics",
        description: "Prometheus text exposition format; the README lists the series.",
        tags: ["operations"],
        produces: ["text/plain"],
        // 401 only with METRICS_REQUIRE_API_KEY=true.
        response: { 200: z.string().describe("Prometheus text exposition."), ...problemResponses(401) },
      },
    },
    async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}

/** On the root instance, so unmatched routes and errors raised before routing are counted too. */
export function registerRequestMetrics(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.addHook("onResponse", async (request, reply) => {
    // The route pattern, not the raw URL: unmatched paths must not create unbounded label values.
    const route = request.routeOptions.url ?? "unmatched";
    metrics.observeRequest(
      { method: request.method, route, status_code: String(reply.statusCode) },
      (performance.now() - request.receivedAt) / 1_000,
    );
  });
}
