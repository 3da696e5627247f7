import { LRUCache } from "lru-cache";
import type { UnitResult } from "./types.js";

export interface MemoryCacheOptions {
  readonly maxBytes: number;
  readonly ttlMs: number;
}

/** Approximate retained size: the typed arrays plus the encoded JSON. */
export function resultBytes(result: UnitResult): number {
  let bytes = result.valuesBytes.length;
  for (const values of Object.values(result.series.outputs)) bytes += values.byteLength;
  return bytes;
}

/** Per-replica cache, bounded by bytes rather than entries because one entry can be 1 kB or 10 MB. */
export class MemoryCache {
  readonly #lru: LRUCache<string, UnitResult>;

  constructor({ maxBytes, ttlMs }: MemoryCacheOptions) {
    this.#lru = new LRUCache<string, UnitResult>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (result) => Math.max(1, resultBytes(result)),
      ttl: ttlMs,
      // Expired entries are dropped when touched; no timers per entry.
      ttlAutopurge: false,
    });
  }

  get(key: string): UnitResult | undefined {
    return this.#lru.get(key);
  }

  /** Whether a live entry is held, without touching its recency. */
  has(key: string): boolean {
    return this.#lru.has(key);
  }

  /** Entries larger than the whole bound are not stored (lru-cache refuses them). */
  set(key: string, result: UnitResult): void {
    this.#lru.set(key, result);
  }

  get size(): number {
    return this.#lru.size;
  }

  get bytes(): number {
    return this.#lru.calculatedSize;
  }

  clear(): void {
    this.#lru.clear();
  }
}
