import type { FastifySchemaCompiler } from "fastify";
import type { z } from "zod";
import { IssueList } from "../errors/registry.js";
import { addZodIssues } from "./zod-issues.js";

/**
 * Validates with zod and fails with our own coded error, so every validation problem reaches
 * the client as problem+json with field paths (`indicators[0].name`), not fastify's format.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const issues = new IssueList();
    addZodIssues(result.error.issues, issues, httpPart === "body" ? "" : (httpPart ?? ""));
    return { error: issues.toError() };
  };
