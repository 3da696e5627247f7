import { seededRandom } from "../../harness/series.js";
import type { CandleColumns } from "../../src/candles/vocabulary.js";

/** One candle as a trading-signals user holds it (only the properties the HLC classes read). */
export interface HlcCandle {
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** The same candles in every shape the implementations take, built before any timing. */
export interface BenchSeries {
  readonly length: number;
  /** Float64Array columns, as the service holds a validated request. */
  readonly columns: CandleColumns & { readonly high: Float64Array; readonly low: Float64Array };
  /** Plain number arrays, as the peers' batch APIs take them (talib reads garbage from a Float64Array). */
  readonly close: number[];
  readonly high: number[];
  readonly low: number[];
  /** Candle objects for the trading-signals classes that take a candle. */
  readonly candles: HlcCandle[];
}

/**
 * Candles like harness/series.ts's `randomOhlcv` (same PRNG, same OHLC construction), but
 * with a mean-reverting log price. `randomOhlcv` multiplies by (1 + u), u uniform in +-2%, which
 * drifts down by ~6.7e-5 in log per candle: at 1M candles its closes reach 1e-27, where every
 * rolling-sum implementation (the floor, TA-Lib, @ixjb94) loses all digits to the sums carried
 * from the 100-dollar era and no two libraries agree. Here the log price is pulled back towards
 * log(100) (stationary spread ~0.26, so closes stay within ~40-250), which keeps every size a
 * realistic price series and the numbers comparable. Timing does not depend on the values.
 */
export function benchSeries(length: number, seed = 1): BenchSeries {
  const random = seededRandom(seed);
  const home = Math.log(100);
  const close = new Array<number>(length);
  const high = new Array<number>(length);
  const low = new Array<number>(length);
  const open = new Array<number>(length);
  const volume = new Array<number>(length);
  let logPrice = home;
  for (let i = 0; i < length; i++) {
    const previous = Math.exp(logPrice);
    logPrice += (random() - 0.5) * 0.04 - 0.001 * (logPrice - home);
    const next = Math.exp(logPrice);
    open[i] = previous;
    close[i] = next;
    high[i] = Math.max(previous, next) * (1 + random() * 0.01);
    low[i] = Math.min(previous, next) * (1 - random() * 0.01);
    volume[i] = Math.round(1_000 + random() * 10_000);
  }
  const candles = new Array<HlcCandle>(length);
  for (let i = 0; i < length; i++) {
    candles[i] = { high: high[i] as number, low: low[i] as number, close: close[i] as number };
  }
  return {
    length,
    columns: {
      open: Float64Array.from(open),
      high: Float64Array.from(high),
      low: Float64Array.from(low),
      close: Float64Array.from(close),
      volume: Float64Array.from(volume),
    },
    close,
    high,
    low,
    candles,
  };
}
