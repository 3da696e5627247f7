/**
 * The I/O floor of bench/http.ts: a bare Fastify server with one route that parses the JSON
 * body (Fastify's own parser) and answers a prebuilt JSON string of `?bytes=N` bytes, the size
 * of the real response. No validation, no compute, no serialization of numbers: what HTTP,
 * body parsing and writing the same number of bytes cost on this machine.
 *
 *   node --import tsx bench/support/floor-server.ts <port>
 */
import Fastify from "fastify";

const port = Number(process.argv[2] ?? 0);
const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024 });

const prebuilt = new Map<number, string>();
function responseOf(bytes: number): string {
  let body = prebuilt.get(bytes);
  if (body === undefined) {
    const frame = '{"pad":""}';
    body = `{"pad":"${"x".repeat(Math.max(0, bytes - frame.length))}"}`;
    prebuilt.set(bytes, body);
  }
  return body;
}

app.get("/ready", async () => ({ ok: true }));
app.post<{ Querystring: { bytes?: string }; Body: unknown }>("/floor", async (request, reply) => {
  if (typeof request.body !== "object" || request.body === null) throw new Error("no JSON body");
  const bytes = Math.min(64 * 1024 * 1024, Math.max(0, Number(request.query.bytes ?? 0) || 0));
  return reply.type("application/json").send(responseOf(bytes));
});

await app.listen({ host: "127.0.0.1", port });
process.on("SIGTERM", () => {
  void app.close().then(() => process.exit(0));
});
