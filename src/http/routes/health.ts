import type { FastifyInstance } from "fastify";
import { problem } from "../../errors/registry.js";
import type { Lifecycle } from "../../lifecycle.js";
import type { FleetStatus } from "../../scheduler/coordinator.js";
import { SERVICE_VERSION } from "../../version.js";
import { sendProblem } from "../problem.js";
import { HealthSchema, LiveSchema, problemResponses, ReadySchema } from "../schemas/responses.js";

export interface HealthDependencies {
  readonly lifecycle: Lifecycle;
  readonly fleet: FleetStatus;
}

export function healthRoutes(app: FastifyInstance, { lifecycle, fleet }: HealthDependencies): void {
  // 200 in degraded mode too: the replica still serves, it just does not share work.
  app.get(
    "/health",
    {
      config: { operational: "probe" },
      schema: {
        operationId: "getHealth",
        summary: "Status, coordination mode and Redis state",
        description: "HTTP 200 in degraded mode too (the replica still serves); `status` says `degraded`.",
        tags: ["operations"],
        response: { 200: HealthSchema, ...problemResponses(500) },
      },
    },
    async () => {
      const mode = fleet.mode;
      const redis = fleet.redisHealth();
      return {
        status: mode === "degraded" ? "degraded" : "ok",
        mode,
        version: SERVICE_VERSION,
        uptimeSeconds: Math.round((Date.now() - lifecycle.startedAt) / 1_000),
        ...(redis ? { redis } : {}),
      };
    },
  );

  // Liveness looks at nothing but the process: a Redis blip must not restart every replica.
  app.get(
    "/health/live",
    {
      config: { operational: "probe" },
      schema: {
        operationId: "getLiveness",
        summary: "Liveness: the process answers",
        tags: ["operations"],
        response: { 200: LiveSchema },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  // Degraded is still ready: taking the replica out of the balancer would not bring Redis back.
  app.get(
    "/health/ready",
    {
      config: { operational: "probe" },
      schema: {
        operationId: "getReadiness",
        summary: "Readiness: 503 while starting or draining",
        tags: ["operations"],
        response: { 200: ReadySchema, ...problemResponses(503) },
      },
    },
    async (_request, reply) => {
      if (lifecycle.phase !== "ready") {
        return sendProblem(reply, problem("NOT_READY", { phase: lifecycle.phase, retryAfterSeconds: 1 }));
      }
      return { status: "ready" as const };
    },
  );
}
