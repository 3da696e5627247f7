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

/** The response of each size, built once, as the text Fastify sends and the bytes node:http sends. */
const prebuilt = new Map<number, { readonly text: string; readonly bytes: Buffer }>();
function responseOf(size: number): { readonly text: string; readonly bytes: Buffer } {
  let body = prebuilt.get(size);
  if (body === undefined) {
    const frame = '{"pad":""}';
    const text = `{"pad":"${"x".repeat(Math.max(0, size - frame.length))}"}`;
    body = { text, bytes: Buffer.from(text, "latin1") };
    prebuilt.set(size, body);
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
        const body = responseOf(requestedBytes(request.url)).bytes;
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
  app.get("/ready", async () => ({ ok: true }));
  app.post<{ Body: unknown }>("/floor", async (request, reply) => {
    if (typeof request.body !== "object" || request.body === null) throw new Error("no JSON body");
    // A string, as when this floor was set: keeping it fixed keeps its figures comparable across runs.
    return reply.type("application/json").send(responseOf(requestedBytes(request.url)).text);
  });
  await app.listen({ host: "127.0.0.1", port });
  process.on("SIGTERM", () => {
    void app.close().then(() => process.exit(0));
  });
}
