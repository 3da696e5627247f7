/**
 * The I/O floors of bench/http.ts: one route that parses the JSON body and answers a prebuilt
 * JSON body of `?bytes=N` bytes, the size of the real response. No validation, no compute, no
 * serialization of numbers: what HTTP, body parsing and writing the same number of bytes cost on
 * this machine. `fastify`: a bare Fastify server (its own JSON parser, a prebuilt string);
 * `node`: bare node:http (the body's chunks concatenated and JSON.parse'd, a prebuilt Buffer).
 *
 *   node --import tsx bench/support/floor-server.ts <port> [fastify|node]
 */
import { createServer, type IncomingMessage } from "node:http";
import Fastify from "fastify";

const port = Number(process.argv[2] ?? 0);
const kind = process.argv[3] ?? "fastify";
const MAX_BYTES = 64 * 1024 * 1024;

const prebuilt = new Map<number, Buffer>();
function responseOf(bytes: number): Buffer {
  let body = prebuilt.get(bytes);
  if (body === undefined) {
    const frame = '{"pad":""}';
    body = Buffer.from(`{"pad":"${"x".repeat(Math.max(0, bytes - frame.length))}"}`, "latin1");
    prebuilt.set(bytes, body);
  }
  return body;
}

const requestedBytes = (url: string | undefined) =>
  Math.min(
    MAX_BYTES,
    Math.max(0, Number(new URL(url ?? "/", "http://floor").searchParams.get("bytes")) || 0),
  );

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

if (kind === "node") {
  const server = createServer((request, response) => {
    if (request.method === "GET") {
      response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      return;
    }
    readJson(request).then(
      () => {
        const body = responseOf(requestedBytes(request.url));
        response
          .writeHead(200, { "content-type": "application/json", "content-length": body.length })
          .end(body);
      },
      () => response.writeHead(400).end(),
    );
  });
  server.listen(port, "127.0.0.1");
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
} else {
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024 });
  // Strings, as Fastify's users send them: the service's own responses were strings when this
  // floor was set, and keeping it fixed keeps its figures comparable across runs.
  const strings = new Map<number, string>();
  app.get("/ready", async () => ({ ok: true }));
  app.post<{ Body: unknown }>("/floor", async (request, reply) => {
    if (typeof request.body !== "object" || request.body === null) throw new Error("no JSON body");
    const bytes = requestedBytes(request.url);
    let body = strings.get(bytes);
    if (body === undefined) {
      body = responseOf(bytes).toString("latin1");
      strings.set(bytes, body);
    }
    return reply.type("application/json").send(body);
  });
  await app.listen({ host: "127.0.0.1", port });
  process.on("SIGTERM", () => {
    void app.close().then(() => process.exit(0));
  });
}
