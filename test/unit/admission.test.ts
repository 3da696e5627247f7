import { describe, expect, it } from "vitest";
import { randomOhlcv, toColumns } from "../../harness/series.js";
import { PoolExecutor, PoolQueueFullError } from "../../src/compute/executor.js";
import { AdmissionBudget, type RefusalReason } from "../../src/scheduler/admission.js";

describe("AdmissionBudget", () => {
  it("admits within both bounds, refuses beyond either, and frees on release", () => {
    const refusals: RefusalReason[] = [];
    let admitted = 0;
    const budget = new AdmissionBudget({ maxBytes: 100, maxComputeMs: 50 });
    budget.listen({ onAdmitted: () => admitted++, onRefused: (reason) => refusals.push(reason) });
    const first = budget.admit(60, 10);
    expect(typeof first).toBe("object");
    expect(budget.admit(50, 0)).toBe("bytes");
    const second = budget.admit(40, 40);
    expect(typeof second).toBe("object");
    expect(budget.admit(0, 1)).toBe("compute");
    expect([budget.bytes, budget.computeMs, budget.tickets]).toEqual([100, 50, 2]);
    if (typeof first === "string" || typeof second === "string") throw new Error("refused");
    first.release();
    first.release();
    expect([budget.bytes, budget.computeMs, budget.tickets]).toEqual([40, 40, 1]);
    expect(refusals).toEqual(["bytes", "compute"]);
    expect(admitted).toBe(2);
  });

  it("always admits a request alone, however large, so a request within its own limits never starves", () => {
    const budget = new AdmissionBudget({ maxBytes: 10, maxComputeMs: 10 });
    const alone = budget.admit(1_000, 1_000);
    if (typeof alone === "string") throw new Error("refused");
    expect(alone.resize(5_000, 5_000)).toBeNull();
    expect(budget.admit(1, 0)).toBe("bytes");
    alone.release();
    expect(typeof budget.admit(1, 0)).toBe("object");
  });

  it("refuses growing a ticket beyond the bound and keeps its holding unchanged", () => {
    const budget = new AdmissionBudget({ maxBytes: 100, maxComputeMs: 100 });
    const other = budget.admit(50, 0);
    const ticket = budget.admit(10, 0);
    if (typeof ticket === "string" || typeof other === "string") throw new Error("refused");
    expect(ticket.resize(60, 0)).toBe("bytes");
    expect(budget.bytes).toBe(60);
    expect(ticket.resize(40, 101)).toBe("compute");
    expect(ticket.resize(40, 50)).toBeNull();
    expect([budget.bytes, budget.computeMs]).toEqual([90, 50]);
    ticket.release();
    expect([budget.bytes, budget.computeMs]).toEqual([50, 0]);
  });
});

describe("PoolExecutor queue bound", () => {
  it("refuses a unit with PoolQueueFullError while the queue is full, and runs the rest", async () => {
    const pool = new PoolExecutor({ maxThreads: 1, maxQueue: 1 });
    try {
      const task = {
        indicator: "BBANDS",
        implementation: "talib" as const,
        params: { period: 20, stdDev: 2 },
        columns: toColumns(randomOhlcv(20_000, 4)),
      };
      const settled = await Promise.allSettled(Array.from({ length: 6 }, () => pool.compute(task)));
      const refused = settled.filter((s) => s.status === "rejected");
      expect(refused.length).toBeGreaterThan(0);
      for (const s of refused) expect((s as PromiseRejectedResult).reason).toBeInstanceOf(PoolQueueFullError);
      expect(settled.some((s) => s.status === "fulfilled")).toBe(true);
      expect(pool.queued).toBe(0);
      await expect(pool.compute(task)).resolves.toHaveProperty("valuesBytes");
    } finally {
      await pool.close();
    }
  });
});
