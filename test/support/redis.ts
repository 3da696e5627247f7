import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./process.js";

/**
 * A redis-server this test owns: on a free port, nothing persisted, and controllable (stop,
 * freeze with SIGSTOP, restart on the same port) for fault tests.
 */
export class RedisServer {
  readonly port: number;
  #process: ChildProcess | undefined;
  readonly #dir = mkdtempSync(join(tmpdir(), "indicator-redis-"));

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  async restart(): Promise<void> {
    if (this.#process && this.#process.exitCode === null && this.#process.signalCode === null) return;
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        this.#dir,
      ],
      { stdio: "ignore" },
    );
    this.#process = child;
    const deadline = Date.now() + 5_000;
    for (;;) {
      const client = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on("error", () => undefined);
      try {
        await client.connect();
        await client.ping();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 25));
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
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
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

/**
 * Redis for suites that only need one to talk to: REDIS_URL if set, else a redis-server on a
 * free port, else a testcontainers container where a Docker engine answers. Returns null when
 * none can be had; suites then skip with a notice, or fail under CI=true.
 */
export async function redisForSuite(): Promise<{ url: string; stop(): Promise<void> } | null> {
  const given = process.env.REDIS_URL;
  if (given) return { url: given, stop: async () => {} };
  if (hasRedisServerBinary()) {
    const server = await RedisServer.start();
    return { url: server.url, stop: () => server.stop() };
  }
  try {
    const { RedisContainer } = await import("@testcontainers/redis");
    const container = await new RedisContainer("redis:7").start();
    return {
      url: container.getConnectionUrl(),
      stop: async () => {
        await container.stop();
      },
    };
  } catch (error) {
    const why = `no Redis for the Redis suites: REDIS_URL unset, no redis-server binary, no container runtime (${String(error)})`;
    if (process.env.CI === "true") throw new Error(why);
    console.warn(`SKIPPING: ${why}`);
    return null;
  }
}

/** Suites that stop, freeze and restart Redis need their own redis-server processes. */
export function requireRedisBinary(): boolean {
  if (hasRedisServerBinary()) return true;
  const why = "fault-injection suites need the redis-server binary (apt-get install redis-server)";
  if (process.env.CI === "true") throw new Error(why);
  console.warn(`SKIPPING: ${why}`);
  return false;
}
