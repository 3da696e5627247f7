import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { SmartScheduler } from "../../scheduler/scheduler.js";
import { type PlanOptions, planCalculation } from "../calculate/plan.js";
import { renderCalculation } from "../calculate/render.js";
import { calculateBodySchema, type RequestLimits } from "../schemas/request.js";

export interface CalculateDependencies {
  readonly scheduler: SmartScheduler;
  readonly limits: RequestLimits;
  readonly plan: PlanOptions;
}

export function calculateRoutes(
  app: FastifyInstance,
  { scheduler, limits, plan: planOptions }: CalculateDependencies,
): void {
  app
    .withTypeProvider<ZodTypeProvider>()
    .post(
      "/indicators/calculate",
      { schema: { body: calculateBodySchema(limits) } },
      async (request, reply) => {
        const plan = planCalculation(request.body, planOptions);
        const scheduled = await scheduler.runAll(plan.results.map((result) => result.unit));
        const body = renderCalculation(plan.results, scheduled, plan.presentation, {
          symbol: request.body.symbol,
          interval: request.body.interval,
          candles: plan.candles.length,
          mode: scheduler.coordinator.mode,
          elapsedMs: performance.now() - request.receivedAt,
        });
        return reply.type("application/json").send(body);
      },
    );
}
