import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export const BUILT_SERVER = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** POST /indicators/calculate to a running server: the HTTP counterpart of calculateRequest. */
export function postCalculate(
  baseUrl: string,
  body: string | object,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${baseUrl}/indicators/calculate`, {
    ...init,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the built server (npm test builds it first) and waits until it answers readiness. It
 * binds a port of its own choosing (PORT=0, unless `env` names one) and reports it over the IPC
 * channel: a port picked free here could be taken by a parallel test before the child binds it,
 * and readiness would then be answered by someone else's server.
 */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BUILT_SERVER], {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const output = captureOutput(child);
  const port = await listeningPort(child, output, 15_000);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${output.text}`);
    try {
      if ((await fetch(`${url}/health/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not become ready: ${output.text}`);
    }
    await sleep(50);
  }
  // A server that exits without being asked takes the reason with it: say it where the run shows it.
  let stopping = false;
  child.once("exit", (code, signal) => {
    if (!stopping)
      process.stderr.write(
        `server ${url} exited unasked (${code ?? signal}): ${output.text.slice(-3_000)}\n`,
      );
  });
  return {
    child,
    url,
    output: () => output.text,
    async stop(signal = "SIGTERM") {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** The port the child announces once it listens (see `announceListening` in src/main.ts). */
async function listeningPort(
  child: ChildProcess,
  output: { readonly text: string },
  limitMs: number,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const settle = (outcome: number | string) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (typeof outcome === "number") resolve(outcome);
      else reject(new Error(`${outcome}: ${output.text}`));
    };
    const onMessage = (message: unknown) => {
      const port = (message as { listening?: { port?: unknown } } | null)?.listening?.port;
      if (typeof port === "number") settle(port);
    };
    const onExit = (code: number | null) => settle(`server exited with ${code}`);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle(`server did not listen within ${limitMs} ms`);
    }, limitMs);
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Runs the built server to completion (for start-up failures) and returns its exit code and output. */
export async function runServerToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [BUILT_SERVER], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = captureOutput(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, output: output.text };
}

/** Everything the child writes to stdout and stderr, as it arrives. */
function captureOutput(child: ChildProcess): { readonly text: string } {
  const output = { text: "" };
  const append = (chunk: unknown) => {
    output.text += String(chunk);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return output;
}
