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
    ["CACHE_MAX_BYTES", " "],
    ["CACHE_MAX_BYTES", "1e9"],
    ["REDIS_URL", "http://localhost:6379"],
    ["REDIS_COMMAND_TIMEOUT_MS", "5"],
    ["LOCK_LEASE_MS", "50"],
    ["COORDINATION_MIN_COST_MS", "sometimes"],
    ["RATE_LIMIT_MAX", "many"],
    ["RATE_LIMIT_WINDOW_MS", "10"],
    ["SHUTDOWN_DRAIN_MS", "-1"],
    ["OVERLOAD_MAX_EVENT_LOOP_UTILIZATION", "1.5"],
    ["METRICS_REQUIRE_API_KEY", "perhaps"],
  ])("rejects %s=%s naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}=`));
  });

  it.each([
    [
      { REDIS_LOCK_URLS: "redis://a:1,http://b:2", REDIS_URL: "redis://a:1" },
      /REDIS_LOCK_URLS contains "http:\/\/b:2"/,
    ],
    [{ REDIS_LOCK_URLS: "redis://a:1" }, /REDIS_LOCK_URLS is set but REDIS_URL is not/],
    [{ REDIS_TLS_CA_FILE: "/no/such/ca.pem" }, /REDIS_TLS_CA_FILE="\/no\/such\/ca.pem": no such file/],
    [{ API_KEYS: "long-enough-key-0001,short" }, /API_KEYS: every key must be at least 16 characters/],
    [{ API_KEYS: "long-enough key-0001" }, /without whitespace/],
    [{ API_KEYS: " , " }, /API_KEYS is set but lists no key/],
    [{ SHUTDOWN_DRAIN_MS: "60000", SHUTDOWN_TIMEOUT_MS: "30000" }, /SHUTDOWN_DRAIN_MS must be shorter/],
    [{ LOCK_WAIT_TIMEOUT_MS: "20000" }, /LOCK_WAIT_TIMEOUT_MS must be shorter than REQUEST_DEADLINE_MS/],
    [
      { SHUTDOWN_TIMEOUT_MS: "20000" },
      /REQUEST_DEADLINE_MS \+ SHUTDOWN_DRAIN_MS must not exceed SHUTDOWN_TIMEOUT_MS/,
    ],
  ])("rejects inconsistent settings with one line: %o", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("never echoes a secret in a configuration error", () => {
    // The message of the error each must throw: `.not.toThrow(pattern)` alone passes when nothing throws.
    const rejection = (env: Record<string, string>): string => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error(`loadConfig accepted ${Object.keys(env).join(", ")}`);
    };
    const redis = rejection({ REDIS_URL: "http://user:s3cretpass@redis:6379" });
    expect(redis).toMatch(/\/\/\*\*\*@redis/);
    expect(redis).not.toMatch(/s3cretpass/);
    const keys = rejection({ API_KEYS: "a-secret-key-but-short x" });
    expect(keys).toMatch(/API_KEYS/);
    expect(keys).not.toMatch(/a-secret-key/);
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
