import { Redis, type RedisOptions } from "ioredis";

export interface ConnectionSettings {
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** PEM CA bundle trusted for rediss:// URLs (a private CA); public CAs need nothing. */
  readonly tlsCa?: Buffer | undefined;
}

/**
 * ioredis's defaults hold a command 10-70 s on a dead server (offline queue, 20 retries, no
 * timeout). These fail fast: no offline queue (a command on a down connection fails at once),
 * no per-request retries, quick reconnects so recovery is noticed within half a second, and a
 * command timeout that frees commands stuck on a frozen server (the breaker's own deadlines,
 * shorter, are what callers wait for).
 */
function failFastOptions(settings: ConnectionSettings): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: settings.connectTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 50, 500),
  };
}

/**
 * Lua scripts defined on our connections (Redlock's, and @fastify/rate-limit's on the command
 * connection) are sent on their own, never in an
 * auto-pipeline: after a Redis restart their EVALSHA fails with NOSCRIPT, and ioredis 6's
 * auto-pipeline then calls back with fewer replies than commands and throws outside any promise
 * ("results[i] is not iterable"), which killed replicas in bench:jobs's fault run.
 */
const SCRIPT_COMMANDS = ["acquireLock", "extendLock", "releaseLock", "rateLimit", "rateLimitRead"];

/**
 * `rediss://` turns TLS on and user:password in the URL turns AUTH on (ioredis reads both from the
 * URL). Commands issued together (one request's units) go out in one auto-pipeline: one write
 * instead of N. `autoPipelining: false` for the bulk connection: an auto-pipeline resolves every command
 * in it only when its last reply is in (16 GETs of 2.4 MB all resolved together after 38 MB), so
 * the first entry's deadline would have to cover every byte behind it; unpipelined, each reply
 * resolves as it arrives, in order, as the queued-bytes deadline assumes.
 */
export function connect(
  url: string,
  settings: ConnectionSettings,
  name: string,
  { autoPipelining = true } = {},
): Redis {
  const tls = url.startsWith("rediss:") && settings.tlsCa ? { tls: { ca: settings.tlsCa } } : {};
  return new Redis(url, {
    ...failFastOptions(settings),
    enableAutoPipelining: autoPipelining,
    autoPipeliningIgnoredCommands: SCRIPT_COMMANDS,
    ...tls,
    connectionName: name,
  });
}

/** Resolves once the client is ready, or rejects after the connect timeout. */
export function whenReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms (${client.status})`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off("ready", onReady);
    };
    client.on("ready", onReady);
  });
}

/** quit() politely, but never wait on a dead server longer than the timeout. */
export async function closeClient(client: Redis, timeoutMs: number): Promise<void> {
  const timer = setTimeout(() => client.disconnect(), timeoutMs);
  try {
    await client.quit();
  } catch {
    client.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
