import type { FastifySchemaCompiler } from "fastify";
import type { z } from "zod";
import { zodRefusal } from "../errors/zod-issues.js";

/**
 * A body its content-type parser has already validated, with the route schema's own parts
 * where they apply (an Arrow body's `request` metadata against the body schema without
 * candles, its columns in one typed pass): the validator passes `value` through. A class, so
 * no parsed JSON can pass for one.
 */
export class ValidatedBody<T> {
  constructor(readonly value: T) {}
}

/**
 * Validates with zod and fails with our own coded error, so every validation problem reaches
 * the client as problem+json with field paths (`indicators[0].name`), not fastify's format.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    if (data instanceof ValidatedBody) return { value: data.value };
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    return { error: zodRefusal(result.error.issues, httpPart === "body" ? "" : (httpPart ?? "")) };
  };
