import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../harness/process.js";
import { commandPath, readRootFile, required, run } from "./helpers.js";

const CONFIG = "deploy/haproxy.cfg";
const config = readRootFile(CONFIG);
// Debian installs it in /usr/sbin, which a non-root PATH may lack.
const haproxy = commandPath("haproxy") ?? (existsSync("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : undefined);
const enabled = required(haproxy, "the load balancer checks need haproxy (apt-get install -y haproxy)");

describe("deploy/haproxy.cfg", () => {
  it("health-checks replicas on readiness and discovers them through Docker's DNS", () => {
    expect(config).toMatch(/^\s*option httpchk GET \/health\/ready\s*$/m);
    expect(config).toMatch(/^\s*http-check expect status 200\s*$/m);
    expect(config).toMatch(/^\s*nameserver \S+ 127\.0\.0\.11:53\s*$/m);
    const defaults = /^\s*default-server\s+(.*)$/m.exec(config)?.[1] ?? "";
    for (const option of ["check", "resolvers docker", "init-addr none"]) expect(defaults).toContain(option);
    expect(config).toMatch(/^\s*server-template\s+\S+\s+\d+\s+indicator:8080\s*$/m);
  });

  describe.skipIf(!enabled)("with the haproxy binary", () => {
    let dir = "";
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "indicator-haproxy-"));
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    function check(text: string): { status: number | null; output: string } {
      const file = join(dir, `check-${Math.random().toString(36).slice(2)}.cfg`);
      writeFileSync(file, text);
      return run(haproxy ?? "haproxy", ["-c", "-f", file]);
    }

    it("passes `haproxy -c` with no warnings", () => {
      const result = run(haproxy ?? "haproxy", ["-c", "-f", CONFIG]);
      expect(result.output).not.toMatch(/\[(WARNING|ALERT)\]/);
      expect(result.status).toBe(0);
    });

    it("fails `haproxy -c` on a broken copy (the check is live)", () => {
      expect(check(config.replace("http-check expect", "http-chek expect")).status).not.toBe(0);
      expect(check(config.replace(/^\s*timeout connect.*$/m, "")).output).toContain("[WARNING]");
    });
  });
});

/** A stand-in replica: answers every request with its name, and readiness with 200 or 503. */
class StubReplica {
  ready = true;
  readonly checks: string[] = [];
  readonly server: Server;
  port = 0;

  constructor(readonly name: string) {
    this.server = createServer((request, response) => {
      if (request.url === "/health/ready") {
        this.checks.push(`${request.method} ${request.url} HTTP/${request.httpVersion}`);
        response.statusCode = this.ready ? 200 : 503;
        response.end();
        return;
      }
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ replica: this.name }));
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  stop(): void {
    this.server.close();
    this.server.closeAllConnections();
  }
}

/**
 * The real file's defaults, health check and balancing, run by the real haproxy: only the
 * listening address and the server lines (DNS discovery, which needs Docker's resolver) are
 * replaced with loopback addresses of stand-in replicas.
 */
describe.skipIf(!enabled)("HAProxy running deploy/haproxy.cfg against two replicas", () => {
  const replicas = [new StubReplica("a"), new StubReplica("b")] as const;
  const [a, b] = replicas;
  let lb: ChildProcess;
  let url: string;
  let output = "";
  let dir = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "indicator-haproxy-"));
    await Promise.all(replicas.map((replica) => replica.start()));
    const lbPort = await freePort();
    const dnsPort = await freePort();
    const servers = replicas
      .map((replica, i) => `server indicator${i + 1} 127.0.0.1:${replica.port}`)
      .join("\n  ");
    const text = config
      .replace(/^(\s*)bind\s+:8080\s*$/m, `$1bind 127.0.0.1:${lbPort}`)
      .replace(/^(\s*)nameserver\s+(\S+)\s+127\.0\.0\.11:53\s*$/m, `$1nameserver $2 127.0.0.1:${dnsPort}`)
      .replace(/^(\s*)server-template\s.*$/m, `$1${servers}`);
    expect(text).not.toMatch(/^\s*server-template/m);
    expect(text).toContain(`bind 127.0.0.1:${lbPort}`);
    const file = join(dir, "haproxy.cfg");
    writeFileSync(file, text);
    lb = spawn(haproxy ?? "haproxy", ["-db", "-f", file], { stdio: ["ignore", "pipe", "pipe"] });
    lb.stdout?.on("data", (chunk) => {
      output += String(chunk);
    });
    lb.stderr?.on("data", (chunk) => {
      output += String(chunk);
    });
    url = `http://127.0.0.1:${lbPort}`;
  });

  afterAll(async () => {
    if (lb && lb.exitCode === null && lb.signalCode === null) {
      const exited = once(lb, "exit");
      lb.kill("SIGTERM");
      await exited;
    }
    for (const replica of replicas) replica.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Which replica answered each of `count` sequential requests (or the HTTP status if not 200). */
  async function route(count: number): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${url}/indicators`, { signal: AbortSignal.timeout(5_000) });
      seen.push(
        response.status === 200
          ? ((await response.json()) as { replica: string }).replica
          : `${response.status}`,
      );
    }
    return seen;
  }

  /** Polls until `done(batch)` holds for a batch of routed requests; returns the seconds it took. */
  async function until(done: (batch: string[]) => boolean, timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      let batch: string[];
      try {
        batch = await route(10);
      } catch {
        batch = [];
      }
      if (done(batch)) return (Date.now() - started) / 1000;
      if (Date.now() - started > timeoutMs)
        throw new Error(`timed out; last batch ${batch.join(",")}\n${output}`);
      await sleep(100);
    }
  }

  it("balances over both ready replicas, checking GET /health/ready", async () => {
    await until((batch) => batch.includes("a") && batch.includes("b"), 10_000);
    await until(() => a.checks.length > 0 && b.checks.length > 0, 5_000);
    expect(a.checks[0]).toMatch(/^GET \/health\/ready HTTP\/1\.[01]$/);
  });

  it("takes a replica whose readiness turns 503 out of the pool within seconds, without failing a request", async () => {
    b.ready = false;
    const answered: string[] = [];
    const seconds = await until((batch) => {
      answered.push(...batch);
      return batch.length === 10 && batch.every((name) => name === "a");
    }, 10_000);
    // The next check (inter 2s), then one more at fastinter 1s (fall 2): out after about 3 s.
    expect(seconds).toBeLessThan(6);
    // A draining replica still answers what it gets; nothing failed meanwhile.
    expect(answered.filter((name) => name !== "a" && name !== "b")).toEqual([]);
    // Stays out while unready.
    expect(new Set(await route(20))).toEqual(new Set(["a"]));
  });

  it("puts it back once ready again", async () => {
    b.ready = true;
    const seconds = await until((batch) => batch.includes("b"), 10_000);
    expect(seconds).toBeLessThan(8);
  });

  it("retries a request on the other replica when one refuses connections (before the check notices)", async () => {
    await until((batch) => batch.includes("a") && batch.includes("b"), 10_000);
    b.stop();
    const seen = await route(20);
    expect(seen.filter((name) => name !== "a")).toEqual([]);
  });
});
