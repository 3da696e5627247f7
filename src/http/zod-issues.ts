import type { z } from "zod";
import type { FieldIssue } from "../errors/registry.js";

type Segment = PropertyKey;

/** `["indicators", 0, "params", "period"]` -> `indicators[0].params.period`. */
export function formatPath(segments: readonly Segment[], prefix = ""): string {
  let path = prefix;
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else path += path === "" ? String(segment) : `.${String(segment)}`;
  }
  return path === "" ? "(root)" : path;
}

/**
 * Flattens zod issues into `{ path, message }`. For a union (the two candle shapes) it reports
 * the branch the client evidently meant: the one whose failure is not "wrong type at the top".
 */
export function toFieldIssues(issues: readonly z.core.$ZodIssue[], prefix = ""): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const here = formatPath(issue.path, prefix);
      const meant = issue.errors.filter(
        (branch) => !branch.some((inner) => inner.path.length === 0 && inner.code === "invalid_type"),
      );
      if (meant.length === 1) {
        out.push(...toFieldIssues(meant[0] as z.core.$ZodIssue[], here === "(root)" ? prefix : here));
        continue;
      }
      out.push({ path: here, message: issue.message });
      continue;
    }
    out.push({ path: formatPath(issue.path, prefix), message: issue.message });
  }
  return out;
}
