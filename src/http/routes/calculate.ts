import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { z } from "zod";
import type { SmartScheduler } from "../../scheduler/scheduler.js";
import { type AdmissionOptions, admitBody, withinDeadline } from "../admission.js";
import { rejectBadCandleValues } from "../calculate/candle-scan.js";
import { type PlanOptions, planCalculation } from "../calculate/plan.js";
import { renderCalculation } from "../calculate/render.js";
import { calculateBodySchema, type RequestLimits } from "../schemas/request.js";
import { CalculateResponseSchema, problemResponses } from "../schemas/responses.js";

export interface CalculateDependencies {
  readonly scheduler: SmartScheduler;
  readonly limits: RequestLimits;
  readonly plan: PlanOptions;
  /** Absent: no admission control and no deadline (tests of other concerns, benchmarks of the floor). */
  readonly admission?: AdmissionOptions;
}

export function calculateRoutes(
  app: FastifyInstance,
  { scheduler, limits, plan: planOptions, admission }: CalculateDependencies,
): void {
  const bodySchema = calculateBodySchema(limits);
  app.withTypeProvider<ZodTypeProvider>().post(
    "/indicators/calculate",
    {
      schema: {
        operationId: "calculateIndicators",
        summary: "Compute indicators over candles",
        description:
          "Each requested indicator is one unit of work, content-addressed by indicator, params and the candle columns it reads; identical units are computed once across the fleet. `source` in each result says where it came from.",
        tags: ["indicators"],
        body: bodySchema,
        response: {
          200: CalculateResponseSchema,
          ...problemResponses(400, 401, 413, 415, 422, 429, 500, 503, 504),
        },
      },
      ...(admission ? { preParsing: admitBody(admission) } : {}),
      preValidation: async (request) => rejectBadCandleValues(request.body, bodySchema),
    },
    async (request, reply) => {
      const plan = planCalculation(request.body, planOptions);
      const units = plan.results.map((result) => result.unit);
      request.admission?.holdPlan(units, scheduler.pendingCostMs(units));
      const work = scheduler.runAll(units);
      const scheduled = admission
        ? await withinDeadline(request.admission?.holdWhile(work) ?? work, request.receivedAt, admission)
        : await work;
      const body = renderCalculation(plan.results, scheduled, plan.presentation, {
        symbol: request.body.symbol,
        interval: request.body.interval,
        candles: plan.candles.length,
        mode: scheduler.coordinator.mode,
        elapsedMs: performance.now() - request.receivedAt,
      });
      // Rendered JSON bytes (cached values included as they are) of exactly this schema: fastify
      // sends a Buffer as it is, so the response is not serialized a second time.
      return reply.type("application/json").send(body as unknown as z.infer<typeof CalculateResponseSchema>);
    },
  );
}
