import type { z } from "zod";
import { IssueList, type ServiceError } from "./registry.js";

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
 * Adds zod issues to `into` as `{ path, message }`. For a union (the two candle shapes) it
 * reports the branch the client evidently meant: the one whose failure is not "wrong type at
 * the top". Past the list's cap issues are only counted, never formatted.
 */
export function addZodIssues(issues: readonly z.core.$ZodIssue[], into: IssueList, prefix = ""): void {
  for (const issue of issues) {
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const here = formatPath(issue.path, prefix);
      const meant = issue.errors.filter(
        (branch) => !branch.some((inner) => inner.path.length === 0 && inner.code === "invalid_type"),
      );
      if (meant.length === 1) {
        addZodIssues(meant[0] as z.core.$ZodIssue[], into, here === "(root)" ? prefix : here);
        continue;
      }
      into.add(here, issue.message);
    } else if (into.full) into.count(1);
    else into.add(formatPath(issue.path, prefix), issue.message);
  }
}

/** The refusal of a body zod found `issues` in: VALIDATION_FAILED with their paths under `prefix`. */
export function zodRefusal(issues: readonly z.core.$ZodIssue[], prefix = ""): ServiceError {
  const list = new IssueList();
  addZodIssues(issues, list, prefix);
  return list.toError();
}
