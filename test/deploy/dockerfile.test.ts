import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../harness/process.js";
import {
  execForm,
  type Instruction,
  optionalRequire,
  parseDockerfile,
  readRootFile,
  required,
} from "./helpers.js";

const dockerfile = readRootFile("Dockerfile");
const stages = parseDockerfile(dockerfile);
const runtime = stages.at(-1);
const NODE_24_SLIM = /^node:24(?:\.\d+){0,2}-(?:[a-z]+-)?slim(?:@sha256:[0-9a-f]{64})?$/;

function all(keyword: string, instructions: readonly Instruction[] = stages.flatMap((s) => s.instructions)) {
  return instructions.filter((instruction) => instruction.keyword === keyword);
}

function healthcheckCommand(): string[] {
  const [healthcheck] = all("HEALTHCHECK", runtime?.instructions);
  const cmd = /^(?:--[a-z-]+=\S+\s+)*CMD\s+(.*)$/s.exec(healthcheck?.args ?? "");
  const command = execForm(cmd?.[1] ?? "");
  if (command === undefined) throw new Error(`HEALTHCHECK is not exec-form CMD: ${healthcheck?.args}`);
  return command;
}

describe("Dockerfile", () => {
  it("has a build stage and a runtime stage, both on Node 24 slim", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(NODE_24_SLIM);
  });

  it("builds with all dependencies and tsc in the build stage", () => {
    const copy = runtime?.instructions.find((i) => i.keyword === "COPY" && i.args.startsWith("--from="));
    const buildName = /^--from=(\S+)/.exec(copy?.args ?? "")?.[1];
    const build = stages.find((stage) => stage.name === buildName);
    expect(build, `the stage COPY --from=${buildName} names`).toBeDefined();
    const runs = all("RUN", build?.instructions).map((i) => i.args);
    expect(runs.some((args) => /\bnpm ci\b/.test(args) && !/--omit=dev/.test(args))).toBe(true);
    expect(runs.some((args) => /\bnpm run build\b/.test(args))).toBe(true);
    // Everything `npm run build` reads: tsc -p tsconfig.build.json (which extends tsconfig.json),
    // then the console's bundler over console/ (whose tsconfig extends the root one too).
    const pkg = JSON.parse(readRootFile("package.json")) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toBe("tsc -p tsconfig.build.json && tsx scripts/build-console.ts");
    const copied = all("COPY", build?.instructions).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const needed of [
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "src",
      "console",
      "scripts/build-console.ts",
    ]) {
      expect(copied, needed).toContain(needed);
    }
    expect(copy?.args).toMatch(/^--from=\S+\s+\/app\/dist\s+\.\/dist$/);
  });

  it("installs production dependencies only in the runtime stage, without lifecycle scripts", () => {
    const runs = all("RUN", runtime?.instructions).map((i) => i.args);
    const install = runs.filter((args) => /\bnpm (ci|install|i)\b/.test(args));
    expect(install).toHaveLength(1);
    expect(install[0]).toMatch(/\bnpm ci\b/);
    expect(install[0]).toContain("--omit=dev");
    expect(install[0]).toContain("--ignore-scripts");
    // npm start / npm test would run prestart / pretest (a full tsc build) in the image.
    for (const args of runs) expect(args).not.toMatch(/\bnpm (run|start|test)\b/);
    const copies = all("COPY", runtime?.instructions).map((i) => i.args);
    expect(copies).toContain("package.json package-lock.json ./");
  });

  it("runs as the non-root node user with exec-form CMD, production env and port 8080", () => {
    const instructions = runtime?.instructions ?? [];
    const users = all("USER", instructions);
    expect(users.at(-1)?.args).toBe("node");
    const cmds = all("CMD", instructions);
    expect(cmds).toHaveLength(1);
    expect(execForm(cmds[0]?.args ?? "")).toEqual(["node", "dist/main.js"]);
    // The same command as `npm start` (minus its prestart build).
    const pkg = JSON.parse(readRootFile("package.json")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe("node dist/main.js");
    const index = (keyword: string) => instructions.findIndex((i) => i.keyword === keyword);
    expect(index("USER")).toBeLessThan(index("CMD"));
    expect(instructions.findLastIndex((i) => i.keyword === "USER")).toBeLessThan(index("HEALTHCHECK"));
    const env = all("ENV", instructions)
      .map((i) => i.args)
      .join(" ");
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bPORT=8080\b/);
    expect(all("EXPOSE", instructions).map((i) => i.args)).toEqual(["8080"]);
    expect(all("ADD")).toEqual([]);
  });

  it("has a HEALTHCHECK on /health/live run by node itself, no curl or wget anywhere", () => {
    const command = healthcheckCommand();
    expect(command.slice(0, 2)).toEqual(["node", "-e"]);
    expect(command[2]).toContain("/health/live");
    expect(all("HEALTHCHECK", runtime?.instructions)[0]?.args).toMatch(/--timeout=\d+s/);
    for (const instruction of stages.flatMap((s) => s.instructions)) {
      expect(instruction.args, `line ${instruction.line}`).not.toMatch(/\b(curl|wget)\b/);
    }
  });

  describe("the HEALTHCHECK command, run here", () => {
    let server: Server;
    let port: number;
    let live = 200;
    beforeAll(async () => {
      server = createServer((request, response) => {
        response.statusCode = request.url === "/health/live" ? live : 404;
        response.end();
      });
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => {
      server?.close();
    });

    async function probe(env: Record<string, string>): Promise<number | null> {
      const [, ...args] = healthcheckCommand();
      const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: "ignore" });
      const [code] = (await once(child, "exit")) as [number | null];
      return code;
    }

    it("exits 0 when /health/live answers 200, 1 otherwise or when nothing listens", async () => {
      live = 200;
      expect(await probe({ PORT: String(port) })).toBe(0);
      live = 503;
      expect(await probe({ PORT: String(port) })).toBe(1);
      expect(await probe({ PORT: String(await freePort()) })).toBe(1);
    });
  });
});

/** dockerfile-utils: the Dockerfile validator of the VS Code Docker extension, on npm. */
interface DockerfileUtils {
  validate(content: string, settings?: Record<string, number>): Array<{ message: string; range: unknown }>;
}
const linter = optionalRequire("dockerfile-utils") as DockerfileUtils | undefined;
const lintable = required(linter, "the Dockerfile lint needs the dockerfile-utils devDependency (npm ci)");

describe.skipIf(!lintable)("Dockerfile lint (dockerfile-utils)", () => {
  // Every optional rule raised to an error (2); the syntax and flag checks are errors anyway.
  const strict = Object.fromEntries(
    [
      "deprecatedMaintainer",
      "directiveCasing",
      "emptyContinuationLine",
      "instructionCasing",
      "instructionCmdMultiple",
      "instructionEntrypointMultiple",
      "instructionHealthcheckMultiple",
      "instructionJSONInSingleQuotes",
      "instructionWorkdirRelative",
    ].map((rule) => [rule, 2]),
  );

  it("reports nothing", () => {
    const problems = linter?.validate(dockerfile, strict) ?? [];
    expect(problems.map((p) => `${JSON.stringify(p.range)} ${p.message}`)).toEqual([]);
  });

  it("does report a broken Dockerfile (the linter is live)", () => {
    const broken = dockerfile
      .replace("HEALTHCHECK --interval=", "HEALTHCHECK --intervall=")
      .replace("USER node", "USER");
    const messages = (linter?.validate(broken, strict) ?? []).map((p) => p.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringContaining("intervall")]));
    expect(messages.length).toBeGreaterThanOrEqual(2);
  });
});

/**
 * Whether .dockerignore keeps `path` (relative to the context, with `/`) out of the build context:
 * the last matching pattern decides (`!` re-includes), and excluding a directory excludes what is
 * under it. `*` and `?` stay within one path segment, `**` spans any number, as in Docker.
 */
function ignored(patterns: readonly string[], path: string): boolean {
  const segments = path.split("/");
  const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join("/"));
  let excluded = false;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    const pattern = (negated ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, "");
    const source = pattern
      .split(/(\*\*|\*|\?)/)
      .map((part) =>
        part === "**"
          ? ".*"
          : part === "*"
            ? "[^/]*"
            : part === "?"
              ? "[^/]"
              : part.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
      )
      .join("");
    const regex = new RegExp(`^${source}$`);
    if (prefixes.some((prefix) => regex.test(prefix))) excluded = !negated;
  }
  return excluded;
}

describe(".dockerignore", () => {
  const patterns = readRootFile(".dockerignore")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));

  it("keeps host builds, VCS data, tests and secrets out of the build context", () => {
    for (const path of [
      "node_modules/fastify/package.json",
      "dist/main.js",
      ".git/HEAD",
      "coverage/index.html",
      "test/unit/config.test.ts",
      "bench/soak.ts",
      "harness/process.ts",
      "npm-debug.log",
      ".env",
      ".env.production",
      "docker-compose.yml",
      "deploy/haproxy.cfg",
    ]) {
      expect(ignored(patterns, path), path).toBe(true);
    }
  });

  it("keeps every file the Dockerfile copies from the context", () => {
    const sources = stages
      .flatMap((stage) => stage.instructions)
      .filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from="))
      .flatMap((i) =>
        i.args
          .split(/\s+/)
          .filter((word) => !word.startsWith("--"))
          .slice(0, -1),
      );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(ignored(patterns, source), source).toBe(false);
    }
    expect(ignored(patterns, "src/compute/worker.ts")).toBe(false);
  });
});
