import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { parseCandleBody } from "../../calculation/candle-scan.js";
import { type CalculationRequest, type PlanOptions, planCalculation } from "../../calculation/plan.js";
import { checkArrowColumnNames, renderCalculation } from "../../calculation/render.js";
import { calculateBodySchema, type RequestLimits } from "../../calculation/request-schema.js";
import { zodRefusal } from "../../errors/zod-issues.js";
import type { FleetStatus } from "../../scheduler/coordinator.js";
import type { SmartScheduler } from "../../scheduler/scheduler.js";
import {
  ARROW_STREAM_MEDIA_TYPE,
  JSON_MEDIA_TYPE,
  MEDIA_TYPE_OF,
  negotiateResponseFormat,
} from "../../wire/media-types.js";
import { type AdmissionOptions, admitBody, withinDeadline } from "../admission.js";
import { registerArrowBodyParser } from "../calculate/arrow-body.js";
import type { JsonBodyWorkers } from "../calculate/json-body-pool.js";
import { registerJsonBodyParser } from "../json-body.js";
import {
  ARROW_RESPONSE_DESCRIPTION,
  CalculateResponseSchema,
  problemResponses,
} from "../schemas/responses.js";
import { sendBytes } from "../send-bytes.js";
import { ValidatedBody } from "../validation.js";

export interface CalculateDependencies {
  readonly scheduler: SmartScheduler;
  readonly fleet: FleetStatus;
  readonly limits: RequestLimits;
  readonly plan: PlanOptions;
  /** Absent: no admission control and no deadline (tests of other concerns, benchmarks of the floor). */
  readonly admission?: AdmissionOptions;
  /** Absent: every JSON body is parsed on the event loop. */
  readonly jsonBodies?: JsonBodyWorkers;
}

export function calculateRoutes(
  app: FastifyInstance,
  { scheduler, fleet, limits, plan: planOptions, admission, jsonBodies }: CalculateDependencies,
): void {
  const bodySchema = calculateBodySchema(limits);
  registerArrowBodyParser(app, bodySchema, limits);
  if (jsonBodies) {
    const { pool, minBytes } = jsonBodies;
    registerJsonBodyParser(app, { minBytes, parse: (body) => pool.parse(body, limits) });
  }
  app.withTypeProvider<ZodTypeProvider>().post(
    "/indicators/calculate",
    {
      schema: {
        operationId: "calculateIndicators",
        summary: "Compute indicators over candles",
        description:
          "Each requested indicator is one unit of work, content-addressed by indicator, params and the candle columns it reads; identical units are computed once across the fleet. `source` in each result says where it came from.",
        tags: ["indicators"],
        consumes: [JSON_MEDIA_TYPE, ARROW_STREAM_MEDIA_TYPE],
        body: bodySchema,
        response: {
          200: {
            description: "OK",
            content: {
              [JSON_MEDIA_TYPE]: { schema: CalculateResponseSchema },
              [ARROW_STREAM_MEDIA_TYPE]: {
                schema: z.string().meta({ format: "binary", description: ARROW_RESPONSE_DESCRIPTION }),
              },
            },
          },
          ...problemResponses(400, 401, 406, 413, 415, 422, 429, 500, 503, 504),
        },
      },
      ...(admission ? { preParsing: admitBody(admission) } : {}),
      // Bodies read in a worker or from Arrow arrive validated; the route's validator passes them.
      preValidation: async (request) => {
        if (request.body instanceof ValidatedBody) return;
        const parsed = parseCandleBody(request.body, bodySchema, limits);
        if (!parsed.success) throw zodRefusal(parsed.error.issues);
        request.body = new ValidatedBody(parsed.data) as never;
      },
    },
    async (request, reply) => {
      // Before any work: a client that cannot read the answer should not pay for it.
      const format = negotiateResponseFormat(request.headers.accept);
      reply.header("vary", "Accept");
      // The Arrow parser hands over decoded candles; the type provider knows only the JSON shape.
      const plan = planCalculation(request.body as CalculationRequest, planOptions);
      if (format === "arrow") checkArrowColumnNames(plan.results);
      const units = plan.results.map((result) => result.unit);
      request.admission?.holdPlan(units, scheduler.pendingCostMs(units));
      const work = scheduler.runAll(units);
      const scheduled = admission
        ? await withinDeadline(request.admission?.holdWhile(work) ?? work, request.receivedAt, admission)
        : await work;
      const parts = renderCalculation(format, plan.results, scheduled, plan.presentation, {
        symbol: request.body.symbol,
        interval: request.body.interval,
        candles: plan.candles.length,
        mode: fleet.mode,
        elapsedMs: performance.now() - request.receivedAt,
      });
      // Rendered bytes of exactly the response schema (cached values included as they are):
      // fastify sends a Buffer or a stream as it is, so nothing is serialized a second time.
      return sendBytes(reply, parts, MEDIA_TYPE_OF[format]);
    },
  );
}
