import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { describeWarmup, implementationsOf } from "../../compute/catalog/definition.js";
import { INDICATORS } from "../../compute/catalog/index.js";
import { priceScaleOutputs } from "../../compute/price-scale.js";
import { CatalogSchema, problemResponses } from "../schemas/responses.js";

let catalog: ReturnType<typeof buildCatalog> | undefined;

/** The catalog as clients see it; built once per process (probing the price scale takes ~0.3 s), it never changes while the process runs. */
export function catalogDocument() {
  catalog ??= buildCatalog();
  return catalog;
}

function buildCatalog() {
  return {
    count: INDICATORS.length,
    indicators: INDICATORS.map((definition) => ({
      name: definition.name,
      aliases: definition.aliases,
      category: definition.category,
      description: definition.description,
      reads: definition.reads,
      params: z.toJSONSchema(definition.params, { io: "input", unrepresentable: "any" }),
      outputs: definition.outputs.map((output) => output.name),
      priceScale: priceScaleOutputs(definition),
      implementations: implementationsOf(definition),
      warmup: describeWarmup(definition),
      warmups: Object.fromEntries(
        implementationsOf(definition).map((implementation) => [
          implementation,
          describeWarmup(definition, implementation),
        ]),
      ),
      talibParams: definition.talib?.paramAliases ?? {},
      ...(definition.tradingSignals?.difference
        ? { talibDifference: definition.tradingSignals.difference }
        : {}),
    })),
  };
}

export function indicatorRoutes(app: FastifyInstance): void {
  const body = JSON.stringify(catalogDocument());
  app.get(
    "/indicators",
    {
      schema: {
        operationId: "listIndicators",
        summary: "The indicator catalog",
        description:
          "Every indicator with its aliases, the candle columns it reads, its params as JSON Schema (defaults and bounds), its outputs, how warm-up is determined and where it differs from TA-Lib.",
        tags: ["indicators"],
        response: { 200: CatalogSchema, ...problemResponses(401, 429, 500, 503) },
      },
    },
    async (_request, reply) => reply.type("application/json").send(body),
  );
}
