import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { z } from "zod";
import type { SmartScheduler } from "../../scheduler/scheduler.js";
import { type PlanOptions, planCalculation } from "../calculate/plan.js";
import { renderCalculation } from "../calculate/render.js";
import { calculateBodySchema, type RequestLimits } from "../schemas/request.js";
import { CalculateResponseSchema, problemResponses } from "../schemas/responses.js";

export interface CalculateDependencies {
  readonly scheduler: SmartScheduler;
  readonly limits: RequestLimits;
  readonly plan: PlanOptions;
}

export function calculateRoutes(
  app: FastifyInstance,
  { scheduler, limits, plan: planOptions }: CalculateDependencies,
): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/indicators/calculate",
    {
      schema: {
        operationId: "calculateIndicators",
        summary: "Compute indicators over candles",
        description:
          "Each requested indicator is one unit of work, content-addressed by indicator, params and the candle columns it reads; identical units are computed once across the fleet. `source` in each result says where it came from.",
        tags: ["indicators"],
        body: calculateBodySchema(limits),
        response: {
          200: CalculateResponseSchema,
          ...problemResponses(400, 401, 413, 415, 422, 429, 500, 503),
        },
      },
    },
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
      // Rendered JSON text (cached fragments spliced in) of exactly this schema: fastify sends
      // strings as they are, so the response is not serialized a second time.
      return reply.type("application/json").send(body as unknown as z.infer<typeof CalculateResponseSchema>);
    },
  );
}
