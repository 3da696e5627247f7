import { spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BUILT_SERVER,
  freePort,
  postCalculate,
  type ServerProcess,
  startServerProcess,
} from "../../harness/process.js";
import { envOf, execForm, parseDockerfile, ROOT, readRootFile, required, run } from "./helpers.js";

/**
 * The image's runtime stage, replayed outside Docker: the files it copies, its own `npm ci` line
 * (production dependencies only), its ENV and its CMD, under the Node major of its FROM line.
 * This catches what the rest of the suite cannot: a runtime import of a devDependency, a file the
 * image lacks, a Node 24 incompatibility.
 */

const stages = parseDockerfile(readRootFile("Dockerfile"));
const runtime = stages.at(-1);
const imageMajor = /^node:(\d+)/.exec(runtime?.from ?? "")?.[1];

function majorOf(binary: string): string | undefined {
  try {
    const result = run(binary, ["-p", "process.versions.node"], { timeoutMs: 10_000 });
    return result.status === 0 ? result.output.trim().split(".")[0] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A Node binary of the image's major, without downloading at test time: NODE24_BIN (what .ci/run
 * exports), this very process, a `node@24` package in node_modules, or npm's exec cache (filled by
 * `npm exec --package=node@24 -- node --version`), asked offline.
 */
function findNode(): string | undefined {
  const given = process.env.NODE24_BIN;
  if (given) {
    if (majorOf(given) !== imageMajor) throw new Error(`NODE24_BIN=${given} is not Node ${imageMajor}`);
    return given;
  }
  if (process.versions.node.split(".")[0] === imageMajor) return process.execPath;
  const local = join(ROOT, "node_modules", "node", "bin", "node");
  if (existsSync(local) && majorOf(local) === imageMajor) return local;
  try {
    const cached = run(
      "npm",
      ["exec", "--offline", "--yes", `--package=node@${imageMajor}`, "--", "node", "-p", "process.execPath"],
      { timeoutMs: 20_000 },
    );
    const path = cached.output
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line.startsWith("/") && existsSync(line));
    if (cached.status === 0 && path !== undefined && majorOf(path) === imageMajor) return path;
  } catch {
    // no npm on PATH
  }
  return undefined;
}

const node = findNode();
const enabled =
  required(
    node,
    `no Node ${imageMajor} binary: set NODE24_BIN, or run \`npm exec --package=node@${imageMajor} -- node --version\` once`,
  ) &&
  required(
    existsSync(BUILT_SERVER) ? true : undefined,
    "dist/main.js is missing: `npm run build` (npm test builds first)",
  );

describe.skipIf(!enabled)(`the image's runtime stage under Node ${imageMajor}`, () => {
  let dir = "";
  let server: ServerProcess | undefined;
  let url = "";
  const env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "indicator-image-"));
    const instructions = runtime?.instructions ?? [];
    const workdir = instructions.find((i) => i.keyword === "WORKDIR")?.args ?? "/app";
    // COPY: from the context (the repository), or `--from=<stage> /app/x` = the repository's built x.
    for (const copy of instructions.filter((i) => i.keyword === "COPY")) {
      const words = copy.args.split(/\s+/);
      const from = words.find((word) => word.startsWith("--from="));
      const paths = words.filter((word) => !word.startsWith("--"));
      const destination = paths.pop() ?? ".";
      for (const path of paths) {
        const source = from === undefined ? path : posix.relative(workdir, path);
        const target = destination.endsWith("/")
          ? join(dir, destination, posix.basename(path))
          : join(dir, destination);
        cpSync(join(ROOT, source), target, { recursive: true });
      }
    }
    // The stage's own install line (the part of its RUN that is `npm ci ...`), offline when it can.
    const install = instructions
      .filter((i) => i.keyword === "RUN")
      .flatMap((i) => i.args.split("&&").map((part) => part.trim()))
      .find((part) => part.startsWith("npm ci "));
    expect(install).toContain("--omit=dev");
    // --prefix as well as cwd: never the repository's own node_modules, whatever npm_config_* says.
    const installed = run(
      "npm",
      [...(install ?? "").split(/\s+/).slice(1), "--prefer-offline", `--prefix=${dir}`],
      {
        cwd: dir,
        timeoutMs: 120_000,
      },
    );
    expect(installed.status, installed.output).toBe(0);

    const port = await freePort();
    Object.assign(env, process.env, envOf(instructions), { PORT: String(port), HOST: "127.0.0.1" });
    for (const name of ["REDIS_URL", "REDIS_LOCK_URLS", "NODE_OPTIONS", "NODE_PATH", "API_KEYS"]) {
      delete env[name];
    }
    // No balancer to wait for here: close at once on SIGTERM.
    env.SHUTDOWN_DRAIN_MS = "0";
    const [, ...args] = execForm(instructions.find((i) => i.keyword === "CMD")?.args ?? "") ?? [];
    // The harness's spawner, told to run the image's CMD in the copy, under its Node, with its env.
    server = await startServerProcess(
      {},
      { command: { node: node ?? "node", args, cwd: dir }, baseEnv: env, port },
    );
    url = server.url;
  }, 120_000);

  afterAll(async () => {
    if (server) {
      const timer = setTimeout(() => server?.child.kill("SIGKILL"), 10_000);
      await server.stop("SIGTERM");
      clearTimeout(timer);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`runs on Node ${imageMajor} with production dependencies only`, () => {
    expect(majorOf(node ?? "node")).toBe(imageMajor);
    expect(existsSync(join(dir, "node_modules", "fastify"))).toBe(true);
    for (const dev of ["typescript", "vitest", "@biomejs/biome", "talib"]) {
      expect(existsSync(join(dir, "node_modules", dev)), dev).toBe(false);
    }
  });

  it("answers /health with its version, standalone", async () => {
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    const pkg = JSON.parse(readRootFile("package.json")) as { version: string };
    expect(await response.json()).toMatchObject({ status: "ok", mode: "standalone", version: pkg.version });
  });

  it("computes an SMA", async () => {
    const response = await postCalculate(url, {
      candles: { close: [1, 2, 3, 4, 5] },
      indicators: [{ name: "SMA", params: { period: 2 } }],
    });
    expect(response.status).toBe(200);
    const json = (await response.json()) as { results: Array<{ values: unknown }> };
    expect(json.results[0]?.values).toEqual([null, 1.5, 2.5, 3.5, 4.5]);
  });

  it("passes the image's HEALTHCHECK command", async () => {
    const healthcheck = runtime?.instructions.find((i) => i.keyword === "HEALTHCHECK")?.args ?? "";
    const [, ...args] = execForm(healthcheck.slice(healthcheck.indexOf("CMD") + 3).trim()) ?? [];
    const probe = spawn(node ?? "node", args, { env, stdio: "ignore" });
    const [code] = (await once(probe, "exit")) as [number | null];
    expect(code).toBe(0);
  });

  it("exits 0 on SIGTERM", async () => {
    const code = await server?.stop("SIGTERM");
    expect(code, server?.output()).toBe(0);
  });
});
