import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { problem } from "../../errors/registry.js";
import { JSON_MEDIA_TYPE } from "../../wire/media-type-names.js";

/**
 * The web console's files, as `npm run build` writes them (scripts/build-console.ts). Three levels
 * up is the package root both from src/http/routes (tests, tsx) and from dist/http/routes (the
 * built service), so either serves the same built console.
 */
const CONSOLE_DIR = fileURLToPath(new URL("../../../dist/console/", import.meta.url));

const MEDIA_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": JSON_MEDIA_TYPE,
};

/**
 * The page's own policy: scripts, styles and connections from this origin only, no inline script
 * or style, no plugins, no framing, forms post nowhere. The only image is the page's empty data:
 * icon (downloads are blob: URLs, which no fetch directive governs).
 */
const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

interface Asset {
  readonly body: Buffer;
  readonly mediaType: string;
  readonly etag: string;
}

function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(CONSOLE_DIR)) return assets;
  for (const name of readdirSync(CONSOLE_DIR)) {
    const mediaType = MEDIA_TYPES[extname(name)];
    if (!mediaType) continue;
    const body = readFileSync(`${CONSOLE_DIR}${name}`);
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    assets.set(name, { body, mediaType, etag });
  }
  return assets;
}

/** If-None-Match as caches send it: a list, weak validators (`W/`) compared weakly, or `*`. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === etag || tag === "*");
}

const fileParams = z.object({ file: z.string().min(1).max(64) });

/**
 * GET /console: the web console, a static page and its bundle held in memory. The files are
 * public (the page itself asks for an API key when the service has keys); everything they show
 * comes from the API with the key. Revalidated on every load (ETag), so a deploy is seen at once.
 */
export function consoleRoutes(app: FastifyInstance): void {
  const assets = loadAssets();
  const route = { schema: { hide: true }, config: { public: true } } as const;
  const send = (name: string, request: FastifyRequest, reply: FastifyReply) => {
    const asset = assets.get(name);
    if (!asset)
      throw problem(
        "NOT_FOUND",
        assets.size === 0
          ? { missing: "console: it is not built", hint: "Run npm run build." }
          : { missing: `console file ${JSON.stringify(name)}` },
      );
    reply
      .header("content-security-policy", CONSOLE_CSP)
      .header("cache-control", "no-cache")
      .header("etag", asset.etag);
    if (matches(request.headers["if-none-match"], asset.etag)) return reply.code(304).send();
    return reply.type(asset.mediaType).send(asset.body);
  };
  app.get("/", route, async (_request, reply) => reply.redirect("/console/"));
  app.get("/console", route, async (_request, reply) => reply.redirect("/console/"));
  app.get("/console/", route, async (request, reply) => send("index.html", request, reply));
  app.get<{ Params: z.infer<typeof fileParams> }>(
    "/console/:file",
    { ...route, schema: { ...route.schema, params: fileParams } },
    async (request, reply) => send(request.params.file, request, reply),
  );
}
