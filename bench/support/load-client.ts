import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

export interface LoadConfig {
  readonly url: string;
  readonly path: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Load before the measured window (same connections), not counted in the result. */
  readonly warmupSeconds: number;
  readonly timeoutSeconds: number;
  /**
   * `same`: every request the same body (after the first, cache hits); `distinct`: every
   * request a different series (`distinctBodies`).
   */
  readonly workload: { readonly kind: "same" | "distinct"; readonly candles: number; readonly seed: number };
}

export interface LoadResult {
  durationSeconds: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Over the whole run, warm-up included. */
  timeouts: number;
  statusCodes: Record<string, number>;
  requestsPerSecond: number;
  /** Of 2xx responses completed in the window; autocannon's clock, in ms (fractional). */
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  warmupResponses: number;
}

const RUNNER = fileURLToPath(new URL("./load.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Runs autocannon in a child process (tsx loader) and returns its summary. */
export async function runLoad(config: LoadConfig): Promise<LoadResult> {
  const child = spawn(process.execPath, ["--import", "tsx", RUNNER, JSON.stringify(config)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const limitMs = (config.durationSeconds + config.warmupSeconds + config.timeoutSeconds + 60) * 1000;
  const killer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(killer);
  const line = stdout.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !line.startsWith("{"))
    throw new Error(`load generator failed (exit ${code}): ${stderr.trim() || stdout.trim()}`);
  return JSON.parse(line) as LoadResult;
}
