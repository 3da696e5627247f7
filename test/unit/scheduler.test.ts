import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { randomOhlcv, toColumns } from "../../harness/series.js";
import { type ComputeExecutor, InlineExecutor, PoolExecutor } from "../../src/compute/executor.js";
import { type EntryShape, encodeResult } from "../../src/compute/result-entry.js";
import type { ComputedResult, ComputeTask } from "../../src/compute/task.js";
import { InFlight } from "../../src/scheduler/in-flight.js";
import { MemoryCache } from "../../src/scheduler/memory-cache.js";
import { SmartScheduler } from "../../src/scheduler/scheduler.js";
import type { WorkUnit } from "../../src/scheduler/types.js";

/** Real computation, counted, optionally held until released so calls can overlap. */
class CountingExecutor implements ComputeExecutor {
  calls = 0;
  failNext = false;
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => {};
  readonly #inner = new InlineExecutor();

  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#open();
  }

  async compute(task: ComputeTask): Promise<ComputedResult> {
    this.calls++;
    await this.#gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error("computation failed");
    }
    return this.#inner.compute(task);
  }

  decode(shape: EntryShape, entry: Buffer): Promise<ComputedResult | null> {
    return this.#inner.decode(shape, entry);
  }

  async close(): Promise<void> {}
}

const columns = toColumns(randomOhlcv(300, 5));

function unit(period = 20, costMs = 0.01): WorkUnit {
  return {
    key: `calc:SMA:test-${period}`,
    indicator: "SMA",
    implementation: "trading-signals",
    params: { period },
    columns,
    length: columns.close.length,
    outputs: ["value"],
    costMs,
  };
}

function scheduler(
  executor: ComputeExecutor,
  cache: MemoryCache | null = null,
  pool: ComputeExecutor = executor,
) {
  return new SmartScheduler({ mode: "parallel", cache, inline: executor, pool, poolMinCostMs: 5 });
}

describe("SmartScheduler (standalone)", () => {
  it("computes N concurrent identical units once and shares the result", async () => {
    const executor = new CountingExecutor();
    const smart = scheduler(executor);
    executor.hold();
    const runs = Array.from({ length: 25 }, () => smart.run(unit()));
    executor.release();
    const results = await Promise.all(runs);
    expect(executor.calls).toBe(1);
    expect(results.filter((r) => r.source === "computed")).toHaveLength(1);
    expect(results.filter((r) => r.source === "joined")).toHaveLength(24);
    expect(new Set(results.map((r) => r.result)).size).toBe(1);
    expect(smart.stats.totals()).toMatchObject({ computed: 1, joins: 24 });
  });

  it("delivers a failure to every waiter and leaves no poisoned entry", async () => {
    const executor = new CountingExecutor();
    const smart = scheduler(executor);
    executor.hold();
    executor.failNext = true;
    const runs = Array.from({ length: 5 }, () => smart.run(unit()));
    executor.release();
    const settled = await Promise.allSettled(runs);
    expect(settled.every((s) => s.status === "rejected")).toBe(true);
    expect(executor.calls).toBe(1);
    const retry = await smart.run(unit());
    expect(retry.source).toBe("computed");
    expect(executor.calls).toBe(2);
  });

  it("serves a repeated unit from the memory cache without computing", async () => {
    const executor = new CountingExecutor();
    const smart = scheduler(executor, new MemoryCache({ maxBytes: 10_000_000, ttlMs: 60_000 }));
    const first = await smart.run(unit());
    const second = await smart.run(unit());
    expect(first.source).toBe("computed");
    expect(second.source).toBe("memory");
    expect(second.result).toBe(first.result);
    expect(executor.calls).toBe(1);
  });

  it("sends units at or above the cost threshold to the pool and the rest inline", async () => {
    const inline = new CountingExecutor();
    const pool = new CountingExecutor();
    const smart = scheduler(inline, null, pool);
    await smart.runAll([unit(10, 0.1), unit(11, 5), unit(12, 50)]);
    expect(inline.calls).toBe(1);
    expect(pool.calls).toBe(2);
    expect(smart.stats.totals().pooled).toBe(2);
  });

  it("treats the threshold as a per-request inline budget: cheap units beyond it go to the pool", async () => {
    const inline = new CountingExecutor();
    const pool = new CountingExecutor();
    const smart = scheduler(inline, null, pool);
    await smart.runAll([1, 2, 3, 4, 5, 6].map((period) => unit(period, 2)));
    expect(inline.calls).toBe(2);
    expect(pool.calls).toBe(4);
  });

  it("computes inline and in order in sync mode, whatever the cost", async () => {
    const inline = new CountingExecutor();
    const pool = new CountingExecutor();
    const smart = new SmartScheduler({ mode: "sync", cache: null, inline, pool, poolMinCostMs: 0 });
    const results = await smart.runAll([unit(10, 100), unit(11, 100)]);
    expect(results.map((r) => r.source)).toEqual(["computed", "computed"]);
    expect(pool.calls).toBe(0);
    expect(inline.calls).toBe(2);
  });

  it("gives identical numbers from the worker-thread pool and inline", async () => {
    const pool = new PoolExecutor({ maxThreads: 1, maxQueue: 16 });
    try {
      const big = toColumns(randomOhlcv(20_000, 9));
      const task = {
        indicator: "BBANDS",
        implementation: "trading-signals" as const,
        params: { period: 20, stdDev: 2 },
        columns: big,
      };
      const [pooled, inline] = await Promise.all([pool.compute(task), new InlineExecutor().compute(task)]);
      expect(pooled.valuesBytes).toBeInstanceOf(Buffer);
      expect(pooled.valuesBytes.toString()).toBe(inline.valuesBytes.toString());
      expect(pooled.series.warmup).toBe(19);
      expect(pooled.series.outputs.upper).toEqual(inline.series.outputs.upper);

      // A shared-cache entry read in the pool: the same result; an entry that owns its memory is
      // moved to the worker (detached here), a view into a larger buffer is copied first.
      const shape = { key: "k", outputs: ["upper", "middle", "lower"], length: 20_000 };
      const entry = encodeResult("k", inline);
      const owned = Buffer.from(new Uint8Array(entry).buffer);
      const view = Buffer.concat([Buffer.alloc(16), entry]).subarray(16);
      const [fromOwned, fromView] = await Promise.all([pool.decode(shape, owned), pool.decode(shape, view)]);
      expect(owned.buffer.byteLength).toBe(0);
      expect(view.length).toBe(entry.length);
      for (const decoded of [fromOwned, fromView]) {
        expect(decoded?.valuesBytes).toBeInstanceOf(Buffer);
        expect(decoded?.valuesBytes.toString()).toBe(inline.valuesBytes.toString());
      }
      await expect(pool.decode({ ...shape, key: "other" }, encodeResult("k", inline))).resolves.toBeNull();
    } finally {
      await pool.close();
    }
  });
});

describe("InFlight", () => {
  it("forgets a key once its work settles", async () => {
    const inFlight = new InFlight<number>();
    const work = inFlight.start("k", async () => 1);
    expect(inFlight.get("k")).toBe(work);
    await work;
    expect(inFlight.get("k")).toBeUndefined();
    expect(inFlight.size).toBe(0);
  });
});

describe("MemoryCache", () => {
  const computed = new InlineExecutor().compute({
    indicator: "SMA",
    implementation: "trading-signals",
    params: { period: 5 },
    columns,
  });

  it("stays within its byte bound by evicting the least recently used entries", async () => {
    const result = await computed;
    const entryBytes = result.valuesBytes.length + 300 * 8;
    const cache = new MemoryCache({ maxBytes: entryBytes * 3, ttlMs: 60_000 });
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, result);
    expect(cache.size).toBe(3);
    expect(cache.bytes).toBeLessThanOrEqual(entryBytes * 3);
    expect(cache.get("k0")).toBeUndefined();
    expect(cache.get("k9")).toBe(result);
  });

  it("does not store an entry larger than the whole bound", async () => {
    const cache = new MemoryCache({ maxBytes: 100, ttlMs: 60_000 });
    cache.set("big", await computed);
    expect(cache.get("big")).toBeUndefined();
  });

  it("expires entries after the TTL", async () => {
    const cache = new MemoryCache({ maxBytes: 10_000_000, ttlMs: 40 });
    cache.set("k", await computed);
    expect(cache.get("k")).toBeDefined();
    await sleep(80);
    expect(cache.get("k")).toBeUndefined();
  });
});
