import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../src/config/config.js";
import { commandPath, packageBin, parseDockerfile, ROOT, readRootFile, required, run } from "./helpers.js";

const source = readRootFile("docker-compose.yml");

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  command?: string[] | string;
  environment?: Record<string, string> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  deploy?: { replicas?: number };
  ports?: Array<string | { target?: number; published?: string | number }>;
  expose?: Array<string | number>;
  volumes?: Array<string | { source?: string; target?: string; read_only?: boolean }>;
  healthcheck?: { test?: string[] | string; interval?: string; timeout?: string; retries?: number };
  container_name?: string;
  stop_grace_period?: string;
}
const compose = parse(source) as { services: Record<string, Service> };
const services = compose.services;

function environment(service: Service | undefined): Record<string, string> {
  const env = service?.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(env.map((pair) => [pair.split("=")[0] ?? "", pair.slice(pair.indexOf("=") + 1)]));
}

/** host:container pairs of a service's published ports (short syntax; IP prefix allowed). */
function published(service: Service | undefined): Array<{ host: string; container: string }> {
  return (service?.ports ?? []).map((port) => {
    if (typeof port !== "string")
      return { host: String(port.published ?? ""), container: String(port.target) };
    const parts = port.split(":");
    return { host: parts.at(-2) ?? "", container: parts.at(-1) ?? "" };
  });
}

const haproxyCfg = readRootFile("deploy/haproxy.cfg");

describe("docker-compose.yml", () => {
  it("runs Redis without persistence and with a redis-cli ping healthcheck", () => {
    const redis = services.redis;
    expect(redis?.image).toMatch(/^redis:7(\.|-|$)/);
    const command = Array.isArray(redis?.command) ? redis.command : (redis?.command ?? "").split(/\s+/);
    expect(command.join(" ")).toContain("--appendonly no");
    expect(command[command.indexOf("--save") + 1]).toBe("");
    expect(redis?.volumes ?? []).toEqual([]);
    expect(redis?.ports ?? []).toEqual([]);
    const test = Array.isArray(redis?.healthcheck?.test)
      ? redis.healthcheck.test
      : [redis?.healthcheck?.test];
    expect(test.join(" ")).toMatch(/redis-cli.*ping/);
    expect(redis?.healthcheck?.interval).toBeDefined();
  });

  it("runs three replicas of the service, built from the Dockerfile, each on Redis once it is healthy", () => {
    const indicator = services.indicator;
    expect(indicator?.deploy?.replicas).toBe(3);
    const build = typeof indicator?.build === "string" ? { context: indicator.build } : indicator?.build;
    expect(build?.context).toBe(".");
    expect(existsSync(join(ROOT, build?.dockerfile ?? "Dockerfile"))).toBe(true);
    expect(environment(indicator).REDIS_URL).toBe("redis://redis:6379");
    expect(indicator?.depends_on).toMatchObject({ redis: { condition: "service_healthy" } });
  });

  it("can be scaled unchanged: no fixed host port and no container name on the service", () => {
    const indicator = services.indicator;
    expect(indicator?.ports ?? []).toEqual([]);
    expect(indicator?.container_name).toBeUndefined();
    // Only the load balancer publishes a port.
    const publishing = Object.entries(services)
      .filter(([, service]) => (service.ports ?? []).length > 0)
      .map(([name]) => name);
    expect(publishing).toEqual(["lb"]);
  });

  it("puts HAProxy in front on port 8080 with deploy/haproxy.cfg, pointed at the service's port", () => {
    const lb = services.lb;
    expect(lb?.image).toMatch(/^haproxy:\d/);
    expect(published(lb)).toEqual([{ host: "8080", container: "8080" }]);
    expect(lb?.volumes).toContain("./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");
    // The container port published is the one HAProxy binds ...
    expect(haproxyCfg).toMatch(/^\s*bind\s+(?:\*|0\.0\.0\.0)?:8080\s*$/m);
    // ... and the backend resolves the compose service by name on the port the image listens on.
    const template = /^\s*server-template\s+\S+\s+\d+\s+([\w.-]+):(\d+)\b/m.exec(haproxyCfg);
    expect(template?.[1]).toBe("indicator");
    const runtime = parseDockerfile(readRootFile("Dockerfile")).at(-1);
    const expose = runtime?.instructions.find((i) => i.keyword === "EXPOSE")?.args;
    expect(template?.[2]).toBe(expose);
    expect(services.indicator?.expose?.map(String)).toEqual([expose]);
  });

  it("lets a stopping replica leave the pool before it closes, and exit before Docker kills it", () => {
    const seconds = (duration: string) => {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration);
      if (!match) throw new Error(`unparsed duration ${duration}`);
      return Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2] as "ms" | "s" | "m"];
    };
    const defaults = loadConfig({});
    // The balancer marks a replica down after its next check plus (fall - 1) fast re-checks.
    const words = (/^\s*default-server\s+(.*)$/m.exec(haproxyCfg)?.[1] ?? "").split(/\s+/);
    const option = (name: string) => {
      const index = words.indexOf(name);
      if (index < 0) throw new Error(`default-server has no ${name}`);
      return words[index + 1] ?? "";
    };
    const detection = seconds(option("inter")) + (Number(option("fall")) - 1) * seconds(option("fastinter"));
    expect(detection).toBeGreaterThan(0);
    expect(defaults.SHUTDOWN_DRAIN_MS / 1000).toBeGreaterThan(detection);
    expect(seconds(services.indicator?.stop_grace_period ?? "10s")).toBeGreaterThan(
      defaults.SHUTDOWN_TIMEOUT_MS / 1000,
    );
  });

  const docker = commandPath("docker");
  const composePlugin = docker !== undefined && run("docker", ["compose", "version"]).status === 0;
  if (!composePlugin) {
    console.warn(
      "SKIPPING: `docker compose config` (no Docker Compose CLI plugin here; dclint checks the schema)",
    );
  }
  it.skipIf(!composePlugin)(
    "passes `docker compose config -q` (needs only the CLI plugin, no engine)",
    () => {
      const result = run("docker", ["compose", "-f", "docker-compose.yml", "config", "-q"]);
      expect(result.output).toBe("");
      expect(result.status).toBe(0);
    },
  );
});

const dclint = packageBin("dclint");
const lintable = required(dclint, "the compose schema check needs the dclint devDependency (npm ci)");

/**
 * dclint validates the file against the Compose Specification's JSON schema (the copy it ships,
 * schemas/compose.schema.json) before its lint rules; a schema error is an `invalid-schema` error.
 */
describe.skipIf(!lintable)("docker-compose.yml against the compose specification (dclint)", () => {
  function lint(file: string): { status: number | null; messages: Array<{ rule: string; message: string }> } {
    // deploy/dclint.json: ports in double quotes, as Biome formats YAML; every other rule as shipped.
    const args = ["--config", join(ROOT, "deploy/dclint.json"), "--formatter", "json", "--max-warnings", "0"];
    const result = run(process.execPath, [dclint ?? "", ...args, file]);
    const json = result.output.slice(result.output.indexOf("["), result.output.lastIndexOf("]") + 1);
    const [report] = JSON.parse(json) as Array<{ messages: Array<{ rule: string; message: string }> }>;
    return { status: result.status, messages: report?.messages ?? [] };
  }

  it("validates against the schema and passes the lint rules", () => {
    const result = lint(join(ROOT, "docker-compose.yml"));
    expect(result.messages).toEqual([]);
    expect(result.status).toBe(0);
  });

  it("rejects a file that breaks the schema (the check is live)", () => {
    const dir = mkdtempSync(join(tmpdir(), "indicator-compose-"));
    try {
      const file = join(dir, "docker-compose.yml");
      writeFileSync(file, source.replace("condition: service_healthy", "condition: when_healthy"));
      const result = lint(file);
      expect(result.status).not.toBe(0);
      expect(result.messages.map((m) => m.rule)).toContain("invalid-schema");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
