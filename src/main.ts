import type { AddressInfo } from "node:net";
import { ConfigError, loadConfig } from "./config/config.js";
import { createLogger } from "./logger.js";
import { createService } from "./service.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const service = await createService(config, createLogger(config));
  const { app, lifecycle, coordinator } = service;

  // SIGTERM/SIGINT: readiness 503 at once, drain, finish in-flight requests, release locks and
  // close Redis, exit 0. A second signal, or SHUTDOWN_TIMEOUT_MS, hands held locks back to the
  // fleet (waiters elsewhere compute at once) and exits 1.
  let stopping = false;
  const forceExit = async (reason: string) => {
    app.log.warn({ reason }, "forced shutdown: abandoning running computations");
    const abandoned = coordinator.abandon();
    await Promise.race([abandoned, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    process.exit(1);
  };
  const stop = (signal: string) => {
    if (stopping) {
      void forceExit(`second ${signal}`);
      return;
    }
    stopping = true;
    app.log.info({ signal, drainMs: config.SHUTDOWN_DRAIN_MS }, "shutting down");
    setTimeout(
      () => void forceExit(`SHUTDOWN_TIMEOUT_MS (${config.SHUTDOWN_TIMEOUT_MS} ms) passed`),
      config.SHUTDOWN_TIMEOUT_MS,
    );
    service.shutdown(config.SHUTDOWN_DRAIN_MS).then(
      () => {
        app.log.info("shutdown complete");
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  await app.listen({ port: config.PORT, host: config.HOST });
  lifecycle.markReady();
  announceListening(app.server.address());
  app.log.info({ mode: coordinator.mode, schedulerMode: config.SCHEDULER_MODE }, "indicator service ready");
}

/**
 * A supervisor that spawned this process with an IPC channel learns the port it bound: with
 * PORT=0 nothing else tells, and a port picked free beforehand may be taken by the time the
 * server binds it. The channel is closed at once, so it never keeps the process alive.
 */
function announceListening(address: AddressInfo | string | null): void {
  if (!process.send || address === null || typeof address === "string") return;
  process.send({ listening: { port: address.port } });
  process.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
