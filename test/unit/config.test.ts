import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, ConfigSchema, loadConfig } from "../../src/config/config.js";

describe("configuration", () => {
  it("has documented defaults for a first run", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      MAX_CANDLES: 100_000,
      MAX_INDICATORS: 64,
      CACHE_ENABLED: true,
      CACHE_TTL_SECONDS: 3_600,
      SCHEDULER_MODE: "parallel",
      SCHEDULER_MAX_WORKERS: 4,
    });
  });

  it("parses numbers and booleans from strings and treats empty values as unset", () => {
    const config = loadConfig({ PORT: "9000", CACHE_ENABLED: "false", LOG_LEVEL: "" });
    expect(config.PORT).toBe(9000);
    expect(config.CACHE_ENABLED).toBe(false);
    expect(config.LOG_LEVEL).toBe("info");
  });

  it.each([
    ["PORT", "70000"],
    ["PORT", "eighty"],
    ["MAX_CANDLES", "0"],
    ["MAX_INDICATORS", "1.5"],
    ["CACHE_ENABLED", "maybe"],
    ["SCHEDULER_MODE", "turbo"],
    ["LOG_LEVEL", "loud"],
    ["SCHEDULER_MAX_WORKERS", "0"],
  ])("rejects %s=%s naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}=`));
  });

  it("is documented in the README config table, every variable with its default", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const defaults = loadConfig({});
    for (const name of Object.keys(ConfigSchema.shape)) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${name}\``));
      expect(row, `${name} row`).toBeDefined();
      const value = defaults[name as keyof typeof defaults];
      expect(row, `${name} default`).toContain(value === undefined ? "(unset)" : `\`${String(value)}\``);
    }
  });
});
