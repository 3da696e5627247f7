import { problem } from "../errors/registry.js";
import { ARROW_STREAM_MEDIA_TYPE, JSON_MEDIA_TYPE } from "./media-type-names.js";

export { ARROW_STREAM_MEDIA_TYPE, JSON_MEDIA_TYPE, NDJSON_MEDIA_TYPE } from "./media-type-names.js";

export type WireFormat = "json" | "arrow";

export const MEDIA_TYPE_OF: Readonly<Record<WireFormat, string>> = {
  json: JSON_MEDIA_TYPE,
  arrow: ARROW_STREAM_MEDIA_TYPE,
};

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
  readonly order: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  header.split(",").forEach((part, order) => {
    const [range = "", ...params] = part.split(";").map((piece) => piece.trim().toLowerCase());
    const [type, subtype] = range.split("/");
    if (!type || !subtype) return;
    let q = 1;
    for (const param of params) {
      const [name, value] = param.split("=").map((piece) => piece.trim());
      // A malformed weight is read as 0 rather than guessed: the range asks for nothing.
      if (name === "q") q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value ?? "") ? Number(value) : 0;
    }
    ranges.push({ type, subtype, q, order });
  });
  return ranges;
}

/** 2 for an exact match, 1 for `type/*`, 0 for `*\/*`, -1 for no match. */
function specificity(range: MediaRange, mediaType: string): number {
  const [type, subtype] = mediaType.split("/");
  if (range.type === type && range.subtype === subtype) return 2;
  if (range.type === type && range.subtype === "*") return 1;
  if (range.type === "*" && range.subtype === "*") return 0;
  return -1;
}

/**
 * The response format an `Accept` header asks for. Each format takes the weight of the most
 * specific range that matches it (RFC 9110 §12.5.1); the heavier wins. On equal weight, the
 * format named by a more specific range wins, then the one the client listed first, then JSON:
 * `Accept: application/vnd.apache.arrow.stream, application/json` means Arrow, `*\/*` means JSON.
 * No header, or an empty one, means JSON; a header that accepts neither is a 406. A route whose
 * text format is not plain JSON (a job's NDJSON results) offers its own media types, several
 * for one format when clients ask for it by more than one name.
 */
export function negotiateResponseFormat(
  accept: string | undefined,
  offered: Readonly<Record<WireFormat, string | readonly string[]>> = MEDIA_TYPE_OF,
): WireFormat {
  if (accept === undefined || accept.trim() === "") return "json";
  const ranges = parseAccept(accept);
  let best: { format: WireFormat; q: number; specificity: number; order: number } | undefined;
  for (const format of ["json", "arrow"] as const) {
    let match: MediaRange | undefined;
    let matchSpecificity = -1;
    for (const range of ranges) {
      const level = Math.max(...[offered[format]].flat().map((type) => specificity(range, type)));
      if (level > matchSpecificity) {
        match = range;
        matchSpecificity = level;
      }
    }
    if (!match || match.q === 0) continue;
    const candidate = { format, q: match.q, specificity: matchSpecificity, order: match.order };
    const better =
      !best ||
      candidate.q > best.q ||
      (candidate.q === best.q && candidate.specificity > best.specificity) ||
      (candidate.q === best.q && candidate.specificity === best.specificity && candidate.order < best.order);
    if (better) best = candidate;
  }
  if (!best) {
    throw problem("NOT_ACCEPTABLE", { offered: [offered.json, offered.arrow].flat() });
  }
  return best.format;
}
