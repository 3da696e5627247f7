import type { CandleColumns } from "../../src/compute/catalog/definition.js";

/** Mulberry32: a small seeded PRNG so every failure reproduces from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface OhlcvArrays {
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

/** A geometric random walk with consistent OHLC (low <= open, close <= high) and positive volume. */
export function randomOhlcv(length: number, seed = 1, start = 100): OhlcvArrays {
  const random = seededRandom(seed);
  const series: OhlcvArrays = { time: [], open: [], high: [], low: [], close: [], volume: [] };
  let price = start;
  for (let i = 0; i < length; i++) {
    const open = price;
    const close = open * (1 + (random() - 0.5) * 0.04);
    const high = Math.max(open, close) * (1 + random() * 0.01);
    const low = Math.min(open, close) * (1 - random() * 0.01);
    series.time.push(1_700_000_000_000 + i * 60_000);
    series.open.push(open);
    series.high.push(high);
    series.low.push(low);
    series.close.push(close);
    series.volume.push(Math.round(1_000 + random() * 10_000));
    price = close;
  }
  return series;
}

export function toColumns(series: OhlcvArrays): CandleColumns {
  return {
    open: Float64Array.from(series.open),
    high: Float64Array.from(series.high),
    low: Float64Array.from(series.low),
    close: Float64Array.from(series.close),
    volume: Float64Array.from(series.volume),
  };
}
