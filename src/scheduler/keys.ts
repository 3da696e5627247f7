import { createHash } from "node:crypto";
import type { CandleColumn, CandleColumns } from "../candles/vocabulary.js";

/** 128 bits of SHA-256, hex: collision-free at any realistic cache size, short enough to read. */
const HASH_HEX_LENGTH = 32;

export function digest(...parts: Array<string | Uint8Array>): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex").slice(0, HASH_HEX_LENGTH);
}

/**
 * Hashes each column once per request; every unit then combines the digests of the columns
 * it reads, so ten indicators over the same closes hash the closes once.
 */
export class ColumnDigests {
  readonly #columns: CandleColumns;
  readonly #digests = new Map<CandleColumn, string>();
  /** How many columns were actually hashed (each at most once). */
  columnsHashed = 0;

  constructor(columns: CandleColumns) {
    this.#columns = columns;
  }

  of(name: CandleColumn): string {
    let value = this.#digests.get(name);
    if (value === undefined) {
      const column = this.#columns[name];
      if (!column) throw new Error(`column ${name} is not present`);
      value = digest(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
      this.columnsHashed++;
      this.#digests.set(name, value);
    }
    return value;
  }

  /** Digest of exactly the columns an indicator reads, in a fixed order, and the length. */
  series(reads: readonly CandleColumn[]): string {
    const names = [...reads].sort();
    return digest(`${this.#columns.close.length}`, ...names.map((name) => `|${name}=${this.of(name)}`));
  }
}

/** JSON with object keys sorted at every depth, so `{a,b}` and `{b,a}` hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export interface UnitKeyInput {
  readonly indicator: string;
  /** The implementation and its version, e.g. `talib/1` or `trading-signals/1`. */
  readonly implementation: string;
  readonly version: number;
  /** Params after defaults are filled in, so `{}` and the explicit defaults share a key. */
  readonly params: object;
  readonly seriesHash: string;
}

/**
 * The content address of one unit of work: `calc:{NAME}:{paramsHash}:{seriesHash}`. Shared
 * stores put their prefix (default `indicator:`) in front, giving the origin design's (docs/architecture.md) readable
 * `indicator:calc:...` shape while the hashes make the key identify the value completely.
 */
export function unitKey({ indicator, implementation, version, params, seriesHash }: UnitKeyInput): string {
  const paramsHash = digest(`${indicator}|v${version}|${implementation}|${canonicalJson(params)}`);
  return `calc:${indicator}:${paramsHash}:${seriesHash}`;
}
