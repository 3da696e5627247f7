import secureJson from "secure-json-parse";
import { problem } from "../errors/registry.js";

/**
 * Parses JSON text a client sent, keeping the distinctions a client needs: empty text, a syntax
 * error (with the parser's position), and valid JSON carrying a prototype-polluting key, refused
 * on purpose. `path` names where the text came from when it is not the whole body.
 */
export function parseClientJson(text: string, path?: string): unknown {
  const where = path ?? "The body";
  const fail = (code: "MALFORMED_JSON" | "BAD_REQUEST", message: string) => {
    const options = path ? { issues: [{ path, message }] } : {};
    return code === "MALFORMED_JSON"
      ? problem(code, { where, problem: message }, options)
      : problem(code, { reason: `${where} ${message}` }, options);
  };
  if (text.trim() === "") throw fail("MALFORMED_JSON", "is empty; send a JSON object.");
  try {
    return secureJson.parse(text, null, { protoAction: "error", constructorAction: "error" });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw /forbidden prototype property/.test(message)
      ? fail("BAD_REQUEST", "contains a forbidden __proto__ or constructor.prototype key.")
      : fail("MALFORMED_JSON", `is not valid JSON: ${message}`);
  }
}
