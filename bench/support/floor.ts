import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort } from "../../harness/process.js";

const SCRIPT = fileURLToPath(new URL("./floor-server.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface FloorServer {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export type FloorKind = "fastify" | "node";

/** Starts bench/support/floor-server.ts (`kind` floor) in its own process and waits until it answers. */
export async function startFloorServer(kind: FloorKind = "fastify"): Promise<FloorServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, String(port), kind], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`floor server exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`floor server did not start: ${stderr}`);
    }
    await sleep(50);
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
  };
}
