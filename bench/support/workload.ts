import { randomOhlcv } from "../../harness/series.js";

/** The six indicators of the HTTP benchmark (the same mix as bench/cache-hit.ts). */
export const SIX_INDICATORS = [
  { name: "SMA", params: { period: 20 } },
  { name: "EMA", params: { period: 20 } },
  { name: "RSI", params: { period: 14 } },
  { name: "MACD" },
  { name: "BBANDS" },
  { name: "ATR", params: { period: 14 } },
] as const;

/** One request body: `candles` high/low/close (what the six read) and the six indicators. */
export function sixIndicatorBody(candles: number, seed: number): string {
  const { high, low, close } = randomOhlcv(candles, seed);
  return JSON.stringify({ candles: { high, low, close }, indicators: SIX_INDICATORS });
}

/**
 * Distinct bodies cheaply: one series serialized once, with `close[0]` replaced per body by a
 * value unique to `n`. Every indicator reads `close`, so every unit's key differs and nothing
 * is served from a cache, while the body keeps its size and shape. Building body `n` is a
 * string concatenation, not a new series, so the load generator stays light.
 */
export function distinctBodies(candles: number, seed: number): (n: number) => string {
  const { high, low, close } = randomOhlcv(candles, seed);
  const marker = -123456789;
  const template = JSON.stringify({
    candles: { high, low, close: [marker, ...close.slice(1)] },
    indicators: SIX_INDICATORS,
  });
  const at = template.indexOf(String(marker));
  const before = template.slice(0, at);
  const after = template.slice(at + String(marker).length);
  const first = close[0] ?? 100;
  return (n) => `${before}${(first + n * 1e-7).toFixed(7)}${after}`;
}
