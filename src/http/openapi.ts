import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { ARROW_REQUEST_DESCRIPTION } from "../calculation/request-schema.js";
import { ERROR_REGISTRY, type ErrorCode, problemType } from "../errors/registry.js";
import { ARROW_JOB_DESCRIPTION } from "../jobs/validate.js";
import { SERVICE_VERSION } from "../version.js";
import { ARROW_STREAM_MEDIA_TYPE } from "../wire/media-types.js";

export const OPENAPI_INFO = {
  title: "Indicator service",
  description:
    "Technical indicators over OHLCV candles. Identical work is computed once across the fleet (memory cache, in-flight map, Redis shared cache, lock and wake-on-result). Errors are RFC 9457 problem+json with a stable `code`.",
  version: SERVICE_VERSION,
  license: { name: "MIT", url: "https://opensource.org/license/mit" },
};

/**
 * The OpenAPI 3.1 document is generated from the route schemas (zod) and served at
 * /openapi.json, with Swagger UI at /docs; `npm run openapi` writes the same document to
 * openapi.yaml, and a test fails when the committed file drifts from the code.
 */
export function registerOpenApi(app: FastifyInstance): void {
  app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: OPENAPI_INFO,
      servers: [{ url: "/", description: "The service that serves this document" }],
      tags: [
        { name: "indicators", description: "Compute indicators and list the catalog." },
        { name: "operations", description: "Health probes and metrics." },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            description: "Needed only when the deployment sets API_KEYS.",
          },
        },
      },
      // Either no credentials (API_KEYS unset) or a bearer key.
      security: [{}, { bearerAuth: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => finishDocument(jsonSchemaTransformObject(input) as OpenApiDocument),
  });
  app.register(swaggerUi, { routePrefix: "/docs" });
}

export function openApiRoute(app: FastifyInstance): void {
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}

type Json = Record<string, unknown>;
type OpenApiDocument = Json & {
  paths?: Record<string, Record<string, Json>>;
  components?: { schemas?: Json };
};

const problemTitleByStatus = new Map<string, string>();
const problemExampleByStatus = new Map<string, Json>();
for (const [code, { status, title }] of Object.entries(ERROR_REGISTRY)) {
  const key = String(status);
  problemTitleByStatus.set(
    key,
    problemTitleByStatus.has(key) ? `${problemTitleByStatus.get(key)}; ${title}` : title,
  );
  if (!problemExampleByStatus.has(key)) {
    problemExampleByStatus.set(key, {
      type: problemType(code as ErrorCode),
      title,
      status,
      detail: `${title}.`,
      code,
      requestId: "5f0c1c1e-7d2b-4a39-9a55-2b1f3e0b8c11",
    });
  }
}

function resolveRef(document: OpenApiDocument, schema: Json | undefined): Json | undefined {
  const ref = schema?.$ref;
  if (typeof ref !== "string") return schema;
  return document.components?.schemas?.[ref.replace("#/components/schemas/", "")] as Json | undefined;
}

function firstExample(document: OpenApiDocument, schema: Json | undefined): unknown {
  const examples = resolveRef(document, schema)?.examples;
  return Array.isArray(examples) ? examples[0] : undefined;
}

/**
 * What the route schemas cannot say on their own: error responses are
 * application/problem+json, each response has a real description, each operation shows an
 * example request and response (from the schemas' examples), and the input-side copies of
 * response schemas that zod emits but nothing references are dropped.
 */
function finishDocument(document: OpenApiDocument): OpenApiDocument {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const body = (operation.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
      // Fastify's `consumes` gives every request media type the JSON schema; an Arrow body is bytes.
      if (body?.[ARROW_STREAM_MEDIA_TYPE]) {
        const description =
          operation.operationId === "createJob" ? ARROW_JOB_DESCRIPTION : ARROW_REQUEST_DESCRIPTION;
        body[ARROW_STREAM_MEDIA_TYPE] = { schema: { type: "string", format: "binary", description } };
      }
      for (const [type, media] of Object.entries(body ?? {})) {
        if (type === ARROW_STREAM_MEDIA_TYPE) continue;
        const example = firstExample(document, media.schema as Json);
        if (example !== undefined) media.example = structuredClone(example);
      }
      const responses = (operation.responses ?? {}) as Record<string, Json>;
      for (const [status, response] of Object.entries(responses)) {
        const content = response.content as Record<string, Json> | undefined;
        // Errors are problem+json whatever the route produces otherwise (/metrics is text).
        const media =
          content?.["application/json"] ??
          (Number(status) >= 400 ? Object.values(content ?? {})[0] : undefined);
        if (Number(status) >= 400 && content && media) {
          for (const type of Object.keys(content)) delete content[type];
          // The 400 example (a validation failure, with field paths) comes from the schema;
          // other statuses get an example with their own code.
          content["application/problem+json"] = {
            ...media,
            example: structuredClone(
              status === "400"
                ? firstExample(document, media.schema as Json)
                : problemExampleByStatus.get(status),
            ),
          };
          response.description = problemTitleByStatus.get(status) ?? "Problem";
          continue;
        }
        if (response.description === "Default Response") response.description = "OK";
        for (const item of Object.values(content ?? {})) {
          const example = firstExample(document, item.schema as Json);
          if (example !== undefined) item.example = structuredClone(example);
        }
      }
    }
  }
  const schemas = document.components?.schemas;
  if (schemas) {
    const text = JSON.stringify(document.paths);
    for (const name of Object.keys(schemas)) {
      if (!text.includes(`"#/components/schemas/${name}"`)) delete schemas[name];
    }
  }
  return document;
}
