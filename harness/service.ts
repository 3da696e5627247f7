import { Writable } from "node:stream";
import { type Logger, pino } from "pino";
import { type Config, ConfigSchema } from "../src/config/config.js";
import { createService, type Service } from "../src/service.js";

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...ConfigSchema.parse({}), ...overrides };
}

/** A ready service on app.inject (no socket), torn down by the caller. */
export async function startTestService(overrides: Partial<Config> = {}, log?: Logger): Promise<Service> {
  const service = await createService(testConfig(overrides), log);
  await service.app.ready();
  service.lifecycle.markReady();
  return service;
}

export function calculateRequest(body: unknown, headers: Record<string, string> = {}) {
  return {
    method: "POST" as const,
    url: "/indicators/calculate",
    headers: { "content-type": "application/json", ...headers },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  };
}

/** A logger at `level` whose lines are kept in `lines`, for asserting what was (not) logged. */
export function captureLog(level = "trace"): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: pino({ level }, stream) };
}
