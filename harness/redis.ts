import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { freePort } from "./process.js";

/**
 * A redis-server this test owns: on a free port, nothing persisted unless asked, and controllable (stop,
 * freeze with SIGSTOP, restart on the same port) for fault tests.
 */
export interface RedisServerOptions {
  /** requirepass: clients must AUTH. */
  readonly password?: string;
  /** Serve TLS only, with a throwaway CA made by openssl (see `caFile`). */
  readonly tls?: boolean;
  /** Keep data across stop/restart: an append-only file synced on every write. */
  readonly persistent?: boolean;
}

export class RedisServer {
  readonly port: number;
  readonly #options: RedisServerOptions;
  #process: ChildProcess | undefined;
  readonly #dir = mkdtempSync(join(tmpdir(), "indicator-redis-"));

  private constructor(port: number, options: RedisServerOptions) {
    this.port = port;
    this.#options = options;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options);
    if (options.tls) server.#makeCertificates();
    await server.restart();
    return server;
  }

  get url(): string {
    const auth = this.#options.password ? `:${encodeURIComponent(this.#options.password)}@` : "";
    return `${this.#options.tls ? "rediss" : "redis"}://${auth}127.0.0.1:${this.port}`;
  }

  /** The CA that signed the server certificate (TLS servers only). */
  get caFile(): string {
    return join(this.#dir, "ca.crt");
  }

  #makeCertificates(): void {
    const run = (...args: string[]) => execFileSync("openssl", args, { cwd: this.#dir, stdio: "ignore" });
    run(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "2",
      "-subj",
      "/CN=test-ca",
    );
    run(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=127.0.0.1",
    );
    writeFileSync(join(this.#dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    run(
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.crt",
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
    );
  }

  #serverArgs(): string[] {
    const aof = this.#options.persistent ? ["yes", "--appendfsync", "always"] : ["no"];
    const args = ["--bind", "127.0.0.1", "--save", "", "--appendonly", ...aof, "--dir", this.#dir];
    if (this.#options.password) args.push("--requirepass", this.#options.password);
    if (this.#options.tls) {
      args.push("--port", "0", "--tls-port", String(this.port), "--tls-auth-clients", "no");
      args.push(
        "--tls-cert-file",
        join(this.#dir, "server.crt"),
        "--tls-key-file",
        join(this.#dir, "server.key"),
      );
      args.push("--tls-ca-cert-file", this.caFile);
    } else {
      args.push("--port", String(this.port));
    }
    return args;
  }

  #clientOptions() {
    return this.#options.tls ? { tls: { ca: readFileSync(this.caFile) } } : {};
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  async restart(): Promise<void> {
    if (this.#process && this.#process.exitCode === null && this.#process.signalCode === null) return;
    const child = spawn("redis-server", this.#serverArgs(), { stdio: "ignore" });
    this.#process = child;
    const deadline = Date.now() + 5_000;
    for (;;) {
      const client = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        ...this.#clientOptions(),
      });
      client.on("error", () => undefined);
      try {
        await client.connect();
        await client.ping();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
        await sleep(25);
      } finally {
        client.disconnect();
      }
    }
  }

  /** Stops the server abruptly (no save, sockets reset). */
  async stop(): Promise<void> {
    const child = this.#process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.thaw();
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }

  freeze(): void {
    this.#process?.kill("SIGSTOP");
  }

  thaw(): void {
    this.#process?.kill("SIGCONT");
  }

  /** A plain client for assertions and for playing another replica. */
  client(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1, ...this.#clientOptions() });
    client.on("error", () => undefined);
    return client;
  }
}

export function hasRedisServerBinary(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The Redis suites stop, freeze and restart Redis, so they need their own redis-server processes. */
export function requireRedisBinary(): boolean {
  if (hasRedisServerBinary()) return true;
  const why = "fault-injection suites need the redis-server binary (apt-get install redis-server)";
  if (process.env.CI === "true") throw new Error(why);
  console.warn(`SKIPPING: ${why}`);
  return false;
}
