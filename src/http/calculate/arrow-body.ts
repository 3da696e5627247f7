import type { FastifyInstance } from "fastify";
import type { CalculationRequest } from "../../calculation/plan.js";
import type { calculateBodySchema, RequestLimits } from "../../calculation/request-schema.js";
import { zodRefusal } from "../../errors/zod-issues.js";
import { decodeArrowCandles, REQUEST_METADATA_KEY } from "../../wire/arrow-request.js";
import { parseClientJson } from "../../wire/client-json.js";
import { ARROW_STREAM_MEDIA_TYPE } from "../../wire/media-types.js";
import { ValidatedBody } from "../validation.js";

const METADATA_PATH = `metadata.${REQUEST_METADATA_KEY}`;

/**
 * Arrow request bodies: the candles are the stream's columns, the rest of the request is the
 * JSON under the schema's `request` metadata, checked against the JSON body's own schema
 * without `candles` (one schema, so the two formats cannot drift apart). The parser hands the
 * validator a ValidatedBody, and the candles never become JavaScript arrays.
 */
export function registerArrowBodyParser(
  app: FastifyInstance,
  bodySchema: ReturnType<typeof calculateBodySchema>,
  { maxCandles }: RequestLimits,
): void {
  const requestSchema = bodySchema.omit({ candles: true });
  app.addContentTypeParser(ARROW_STREAM_MEDIA_TYPE, { parseAs: "buffer" }, (_request, body, done) => {
    try {
      const { candles, requestJson } = decodeArrowCandles(body as Buffer, maxCandles);
      const parsed = requestSchema.safeParse(parseClientJson(requestJson, METADATA_PATH));
      if (!parsed.success) throw zodRefusal(parsed.error.issues, METADATA_PATH);
      const request: CalculationRequest = { ...parsed.data, candles };
      done(null, new ValidatedBody(request));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
