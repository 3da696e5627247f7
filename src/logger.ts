import { createRequire } from "node:module";
import { type Logger, pino } from "pino";
import type { Config } from "./config/config.js";

/** pino-pretty is a dev dependency: pretty output only where it is installed and asked for. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}

export function createLogger(config: Config): Logger {
  const pretty =
    config.LOG_FORMAT === "pretty" || (config.LOG_FORMAT === "auto" && process.stdout.isTTY === true);
  return pino({
    level: config.LOG_LEVEL,
    redact: ["req.headers.authorization"],
    ...(pretty && prettyAvailable() ? { transport: { target: "pino-pretty" } } : {}),
  });
}
