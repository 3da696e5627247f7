import { type Config, ConfigSchema } from "../../src/config/config.js";
import { createService, type Service } from "../../src/service.js";

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...ConfigSchema.parse({}), ...overrides };
}

/** A ready service on app.inject (no socket), torn down by the caller. */
export async function startTestService(overrides: Partial<Config> = {}): Promise<Service> {
  const service = await createService(testConfig(overrides));
  await service.app.ready();
  service.lifecycle.markReady();
  return service;
}

export function calculateRequest(body: unknown) {
  return {
    method: "POST" as const,
    url: "/indicators/calculate",
    headers: { "content-type": "application/json" },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  };
}
