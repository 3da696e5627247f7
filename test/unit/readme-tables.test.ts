import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_REGISTRY } from "../../src/errors/registry.js";
import { JobMetrics } from "../../src/metrics/job-metrics.js";
import { ServiceMetrics } from "../../src/metrics/metrics.js";
import { AdmissionBudget } from "../../src/scheduler/admission.js";
import { StandaloneCoordinator } from "../../src/scheduler/coordinator.js";
import { MemoryCache } from "../../src/scheduler/memory-cache.js";
import { SchedulerStats } from "../../src/scheduler/stats.js";

/** The rows of the first Markdown table after `heading`: one array of cells per row, backticks dropped. */
function tableAfter(heading: string): string[][] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const lines = readme.split("\n");
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README has no ${heading}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("#")) break;
    if (!line.startsWith("|")) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(
      line
        .slice(1, -1)
        .split("|")
        .map((cell) => cell.trim().replaceAll("`", "")),
    );
  }
  // The header row and the |---| row.
  return rows.slice(2);
}

describe("the README", () => {
  it("lists every error code of the registry with its status, in the registry's order, and no other", () => {
    const rows = tableAfter("### Errors").map(([code, status]) => [code, Number(status)]);
    expect(rows).toEqual(Object.entries(ERROR_REGISTRY).map(([code, { status }]) => [code, status]));
  });

  it("lists every metric family the service registers with its type and labels, and no other", async () => {
    const metrics = new ServiceMetrics({
      stats: new SchedulerStats(),
      coordinator: new StandaloneCoordinator(),
      cache: new MemoryCache({ maxBytes: 1_024, ttlMs: 1_000 }),
      admission: new AdmissionBudget({ maxBytes: 1_024, maxComputeMs: 1_000 }),
      poolQueued: () => 0,
    });
    new JobMetrics(metrics.registry);
    const registered = new Map<string, string>();
    for (const family of await metrics.registry.getMetricsAsJSON()) {
      // prom-client's default process and Node.js metrics, which the README names by prefix.
      if (/^(process|nodejs)_/.test(family.name)) continue;
      const metric = metrics.registry.getSingleMetric(family.name) as unknown as { labelNames?: string[] };
      registered.set(family.name, `${family.type} | ${(metric.labelNames ?? []).join(", ")}`);
    }
    const documented = new Map<string, string>();
    for (const [names, type, labels] of tableAfter("## Metrics"))
      for (const name of (names as string).split(", ")) documented.set(name, `${type} | ${labels}`);
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(registered));
  });
});
