import type { FastifyInstance } from "fastify";
import { ServiceError } from "../../errors/registry.js";
import type { Lifecycle } from "../../lifecycle.js";
import { SERVICE_VERSION } from "../../version.js";
import { sendProblem } from "../problem.js";

export interface HealthDependencies {
  readonly lifecycle: Lifecycle;
  /** The coordination mode: `standalone` until a shared store is configured. */
  readonly mode: () => string;
}

export function healthRoutes(app: FastifyInstance, { lifecycle, mode }: HealthDependencies): void {
  app.get("/health", async () => ({
    status: "ok",
    mode: mode(),
    version: SERVICE_VERSION,
    uptimeSeconds: Math.round((Date.now() - lifecycle.startedAt) / 1_000),
  }));

  // Liveness looks at nothing but the process: a dependency blip must not restart replicas.
  app.get("/health/live", async () => ({ status: "ok" }));

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
