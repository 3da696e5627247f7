import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One file at a time: many suites measure timing (wake-up latency, fault detection, load
    // shedding) or run replicas and redis-servers of their own, and two cores shared between
    // such suites turn their bounds into coin flips. The whole suite still takes a few minutes.
    fileParallelism: false,
  },
});
