import { describe, expect, it } from "vitest";
import { IssueList, problem } from "../../src/errors/registry.js";

describe("the error registry words every detail", () => {
  it("from the throw site's arguments, with the code's status", () => {
    const error = problem("JOB_NOT_FOUND", { id: "j-1" });
    expect(error.status).toBe(404);
    expect(error.message).toBe("No job j-1; jobs expire JOB_TTL_SECONDS after they were created.");
    expect(error.headers).toEqual({});
  });

  it("sets Retry-After from the same number the detail states", () => {
    const error = problem("OVERLOADED", { reason: "The replica is busy", retryAfterSeconds: 7 });
    expect(error.message).toBe("The replica is busy; retry in 7 s.");
    expect(error.headers).toEqual({ "retry-after": "7" });
  });

  it("adds a code's own headers", () => {
    const error = problem("METHOD_NOT_ALLOWED", { method: "PUT", path: "/jobs", allowed: ["GET", "POST"] });
    expect(error.message).toBe("PUT is not allowed on /jobs; use GET, POST.");
    expect(error.headers).toEqual({ allow: "GET, POST" });
    expect(problem("UNAUTHORIZED", { keyGiven: false }).headers["www-authenticate"]).toMatch(/^Bearer/);
  });

  it("words an issue list's refusal as its summary, also under a code with a template of its own", () => {
    const issues = new IssueList();
    issues.add("series[3]", "estimated 9000 ms");
    issues.add("series[8]", "estimated 8000 ms");
    const costly = issues.toError("REQUEST_TOO_COSTLY");
    expect([costly.code, costly.status, costly.message]).toEqual([
      "REQUEST_TOO_COSTLY",
      422,
      "2 problems in the request; see errors.",
    ]);
    expect(costly.issues).toHaveLength(2);
    expect(issues.toError().code).toBe("VALIDATION_FAILED");
  });
});
