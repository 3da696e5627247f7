import underPressure from "@fastify/under-pressure";
import type { FastifyInstance } from "fastify";
import { problem } from "../errors/registry.js";
import { sendProblem } from "./problem.js";
import { operationalRole } from "./route-roles.js";

export interface OverloadLimits {
  readonly maxEventLoopDelayMs: number;
  readonly maxEventLoopUtilization: number;
  readonly maxHeapUsedBytes: number;
  readonly sampleIntervalMs: number;
}

/**
 * Load shedding on the process's own measures (event-loop delay and utilization, heap), never
 * on Redis health: a Redis outage is degraded mode, not overload.
 */
export function registerOverloadProtection(app: FastifyInstance, limits: OverloadLimits): void {
  let lastLogged = 0;
  app.register(underPressure, {
    maxEventLoopDelay: limits.maxEventLoopDelayMs,
    maxEventLoopUtilization: limits.maxEventLoopUtilization,
    eventLoopUtilizationMode: "interval",
    maxHeapUsedBytes: limits.maxHeapUsedBytes,
    sampleInterval: limits.sampleIntervalMs,
    pressureHandler: (request, reply, type, value) => {
      // Probes and metrics answer under load: shedding them would restart or blind a replica that is merely busy.
      if (operationalRole(request) !== undefined) return;
      const retryAfterSeconds = Math.max(1, Math.ceil(limits.sampleIntervalMs / 1_000));
      // At most one line a second: logging every shed request adds I/O to an overloaded process.
      const now = Date.now();
      if (now - lastLogged >= 1_000) {
        lastLogged = now;
        request.log.warn({ type, value }, "shedding load");
      }
      sendProblem(
        reply,
        problem("OVERLOADED", { reason: `The replica is overloaded (${type})`, retryAfterSeconds }),
      );
    },
  });
}
