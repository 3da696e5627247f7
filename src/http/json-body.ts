import type { FastifyInstance } from "fastify";
import secureJson from "secure-json-parse";
import { ServiceError } from "../errors/registry.js";

/**
 * Fastify's own JSON parser reports every failure as the same "invalid JSON" error. This one
 * keeps the distinction a client needs: an empty body, a syntax error (with the parser's
 * position), and valid JSON carrying a prototype-polluting key, refused on purpose.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === "") {
      done(new ServiceError("MALFORMED_JSON", "The body is empty; send a JSON object."), undefined);
      return;
    }
    try {
      done(null, secureJson.parse(text, null, { protoAction: "error", constructorAction: "error" }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      done(
        /forbidden prototype property/.test(message)
          ? new ServiceError(
              "BAD_REQUEST",
              "The body contains a forbidden __proto__ or constructor.prototype key.",
            )
          : new ServiceError("MALFORMED_JSON", `The body is not valid JSON: ${message}`),
        undefined,
      );
    }
  });
}
