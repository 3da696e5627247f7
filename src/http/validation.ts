import type { FastifySchemaCompiler } from "fastify";
import type { z } from "zod";
import { describeIssues, MAX_REPORTED_ISSUES, ServiceError } from "../errors/registry.js";
import { toFieldIssues } from "./zod-issues.js";

/**
 * Validates with zod and fails with our own coded error, so every validation problem reaches
 * the client as problem+json with field paths (`indicators[0].name`), not fastify's format.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const issues = toFieldIssues(result.error.issues, httpPart === "body" ? "" : (httpPart ?? ""));
    // One malformed column of 100k candles is 100k issues; the first few say what is wrong.
    const shown = issues.slice(0, MAX_REPORTED_ISSUES);
    const detail =
      issues.length > shown.length
        ? `${issues.length} problems in the request; the first ${shown.length} are listed.`
        : describeIssues(shown);
    return { error: new ServiceError("VALIDATION_FAILED", detail, { issues: shown }) };
  };
