import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export const BUILT_SERVER = fileURLToPath(new URL("../dist/main.js", import.meta.url));

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

/** What runs: `node dist/main.js` from this checkout unless a caller says otherwise. */
export interface ServerCommand {
  /** The Node binary (default: the one running this process). */
  readonly node?: string;
  /** Its arguments (default: the built server, BUILT_SERVER). */
  readonly args?: readonly string[];
  /** Its working directory (default: this process's). */
  readonly cwd?: string;
}

/** How startServerProcess runs the server; every field is optional and the defaults suit a test. */
export interface ServerOptions {
  /**
   * Listen on this port rather than one the server picks (PORT=0): for a replica that is
   * SIGKILLed and restarted on the address its clients use. Wins over PORT in `env`.
   */
  readonly port?: number;
  /** Another server command: the image's CMD in a copy of its files, under the image's Node. */
  readonly command?: ServerCommand;
  /**
   * The environment to start from instead of process.env and the defaults (PORT=0,
   * HOST=127.0.0.1, LOG_FORMAT=json, LOG_LEVEL=info): the image's own, say. `env` goes on top.
   */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** How long the server may take to listen, then as long again to answer readiness (default 15 s). */
  readonly readyWithinMs?: number;
  /** A readiness probe unanswered for this long is abandoned and tried again (default: no limit). */
  readonly probeTimeoutMs?: number;
  /** Keep only the end of the server's log, at most this many characters (default: all of it). */
  readonly outputLimit?: number;
  /** Called with the child as soon as it is spawned, before it listens. */
  readonly onSpawn?: (child: ChildProcess) => void;
  /**
   * Called when the server, once ready, exits without `stop()` having been called. The default
   * says so on stderr with the end of its log, so the reason shows in the run.
   */
  readonly onUnaskedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const DEFAULT_ENV: Readonly<Record<string, string>> = {
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_FORMAT: "json",
  LOG_LEVEL: "info",
};

/**
 * Starts the built server (npm test builds it first) and waits until it answers readiness: the
 * one place tests and benchmarks start dist/main.js. It binds a port of its own choosing (PORT=0,
 * unless `env` or `options.port` names one) and reports it over the IPC channel: a port picked
 * free here could be taken by a parallel test before the child binds it, and readiness would then
 * be answered by someone else's server.
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  options: ServerOptions = {},
): Promise<ServerProcess> {
  const limitMs = options.readyWithinMs ?? 15_000;
  const child = spawnServer(
    {
      ...(options.baseEnv ?? { ...process.env, ...DEFAULT_ENV }),
      ...env,
      ...(options.port === undefined ? {} : { PORT: String(options.port) }),
    },
    ["ignore", "pipe", "pipe", "ipc"],
    options.command,
  );
  options.onSpawn?.(child);
  const output = captureOutput(child, options.outputLimit);
  const port = await listeningPort(child, output, limitMs);
  if (options.port !== undefined && port !== options.port) {
    child.kill("SIGKILL");
    throw new Error(`server listens on ${port}, not on the port it was given (${options.port})`);
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited with ${child.exitCode ?? child.signalCode}: ${output.text}`);
    try {
      const probe =
        options.probeTimeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.probeTimeoutMs) };
      const response = await fetch(`${url}/health/ready`, probe);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not become ready within ${limitMs} ms: ${output.text}`);
    }
    await sleep(50);
  }
  let stopping = false;
  const onUnaskedExit =
    options.onUnaskedExit ??
    ((code, signal) =>
      process.stderr.write(
        `server ${url} exited unasked (${code ?? signal}): ${output.text.slice(-3_000)}\n`,
      ));
  child.once("exit", (code, signal) => {
    if (!stopping) onUnaskedExit(code, signal);
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
  const child = spawnServer({ ...process.env, ...env }, ["ignore", "pipe", "pipe"]);
  const output = captureOutput(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, output: output.text };
}

/** The one spawn of the server: `command` (default: this Node on BUILT_SERVER) with exactly `env`. */
function spawnServer(env: NodeJS.ProcessEnv, stdio: StdioOptions, command: ServerCommand = {}): ChildProcess {
  return spawn(command.node ?? process.execPath, [...(command.args ?? [BUILT_SERVER])], {
    env,
    stdio,
    ...(command.cwd === undefined ? {} : { cwd: command.cwd }),
  });
}

/**
 * Everything the child writes to stdout and stderr, as it arrives; with a `limit`, only the end
 * (cut back to half the limit whenever it grows past it), so a long run's log stays bounded.
 */
function captureOutput(child: ChildProcess, limit = Number.POSITIVE_INFINITY): { readonly text: string } {
  const output = { text: "" };
  const append = (chunk: unknown) => {
    output.text += String(chunk);
    if (output.text.length > limit) output.text = output.text.slice(-Math.floor(limit / 2));
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return output;
}
