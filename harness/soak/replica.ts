/**
 * One replica of the fleet: the built server (dist/main.js, started by the harness's
 * startServerProcess) as a child process on a fixed loopback port, so it can be SIGKILLed and
 * restarted on the same address the clients use.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { freePort, type ServerProcess, startServerProcess } from "../process.js";

/** Keep the tail of a replica's log: enough to find a request id, bounded whatever the run's length. */
const OUTPUT_LIMIT = 1 << 20;

/** How much of a crashed replica's log the report shows. */
const CRASH_LOG_CHARS = 4_000;

export type ReplicaState = "starting" | "up" | "down";

export class Replica {
  readonly index: number;
  readonly port: number;
  readonly url: string;
  readonly #env: Record<string, string>;
  /** The current process, from its spawn on (#server is set once it is ready). */
  #child: ChildProcess | undefined;
  #server: ServerProcess | undefined;
  /** The log of the processes before the current one. */
  #earlier = "";
  /** `up` only between readiness and an intentional kill; clients route to `up` replicas only. */
  state: ReplicaState = "starting";
  /** Bumped on every intentional kill: a request started in an older epoch may fail as "replica down". */
  epoch = 0;
  readonly pids: number[] = [];
  /** Exits nobody asked for (a crash), with the end of that process's log: the soak fails on any. */
  readonly crashes: string[] = [];

  private constructor(index: number, port: number, env: Record<string, string>) {
    this.index = index;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.#env = env;
  }

  static async start(index: number, env: Record<string, string>): Promise<Replica> {
    const replica = new Replica(index, await freePort(), env);
    await replica.#spawn();
    return replica;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** The end of the log of every process this replica has run (bounded like each one's). */
  output(): string {
    const text = this.#earlier + (this.#server?.output() ?? "");
    return text.length > OUTPUT_LIMIT ? text.slice(-OUTPUT_LIMIT / 2) : text;
  }

  async #spawn(): Promise<void> {
    // One log across the replica's processes: a request id may be in the killed one's.
    this.#earlier = this.output();
    this.#server = undefined;
    let pid: number | undefined;
    try {
      this.#server = await startServerProcess(
        { LOG_LEVEL: "warn", ...this.#env, HOST: "127.0.0.1" },
        {
          port: this.port,
          readyWithinMs: 20_000,
          probeTimeoutMs: 1_000,
          outputLimit: OUTPUT_LIMIT,
          onSpawn: (child) => {
            this.#child = child;
            pid = child.pid;
            if (pid !== undefined) this.pids.push(pid);
          },
          // stop() kills the child itself, in state "down": only an exit while "up" is a crash.
          onUnaskedExit: (code, signal) => {
            if (this.state === "up")
              this.crashes.push(
                `pid ${pid} exited (${code ?? signal}); its log ends:\n${this.output().slice(-CRASH_LOG_CHARS)}`,
              );
          },
        },
      );
    } catch (error) {
      throw new Error(`replica ${this.index}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    this.state = "up";
  }

  /** Takes the replica out of rotation, then SIGKILLs it and waits for the exit. */
  async kill(): Promise<void> {
    this.epoch++;
    await this.stop();
  }

  /** A new process on the same port; back in rotation once it answers readiness. */
  async restart(): Promise<void> {
    if (this.running) throw new Error(`replica ${this.index} is still running`);
    this.state = "starting";
    await this.#spawn();
  }

  /** Resident set size: /proc where there is one, else the replica's own /metrics. */
  async rssBytes(): Promise<number | null> {
    const pid = this.pid;
    if (pid === undefined || !this.running) return null;
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (match) return Number(match[1]) * 1_024;
    } catch {
      // no procfs: ask the process
    }
    try {
      const response = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(2_000) });
      const text = await response.text();
      const match = /^process_resident_memory_bytes\s+([0-9.e+]+)/m.exec(text);
      return match ? Number(match[1]) : null;
    } catch {
      return null;
    }
  }

  /** Cleanup: SIGKILL whatever is running, wait for it. */
  async stop(): Promise<void> {
    this.state = "down";
    const child = this.#child;
    if (!child || !this.running) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }
}
