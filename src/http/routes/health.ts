import type { FastifyInstance } from "fastify";
import type { Coordinator } from "../../coordination/types.js";
import { ServiceError } from "../../errors/registry.js";
import type { Lifecycle } from "../../lifecycle.js";
import { SERVICE_VERSION } from "../../version.js";
import { sendProblem } from "../problem.js";

export interface HealthDependencies {
  readonly lifecycle: Lifecycle;
  readonly coordinator: Coordinator;
}

export function healthRoutes(app: FastifyInstance, { lifecycle, coordinator }: HealthDependencies): void {
  // 200 in degraded mode too: the replica still serves, it just does not share work.
  app.get("/health", async () => {
    const mode = coordinator.mode;
    const redis = coordinator.redisHealth();
    return {
      status: mode === "degraded" ? "degraded" : "ok",
      mode,
      version: SERVICE_VERSION,
      uptimeSeconds: Math.round((Date.now() - lifecycle.startedAt) / 1_000),
      ...(redis ? { redis } : {}),
    };
  });

  // Liveness looks at nothing but the process: a Redis blip must not restart every replica.
  app.get("/health/live", async () => ({ status: "ok" }));

  // Degraded is still ready: taking the replica out of the balancer would not bring Redis back.
  app.get("/health/ready", async (_request, reply) => {
    if (lifecycle.phase !== "ready") {
      return sendProblem(
        reply,
        new ServiceError("NOT_READY", `The service is ${lifecycle.phase}.`, {
          headers: { "retry-after": "1" },
        }),
      );
    }
    return { status: "ready" };
  });
}
