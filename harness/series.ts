import { seededRandom } from "../console/src/seeded-random.js";
import type { CandleColumns } from "../src/candles/vocabulary.js";

// Mulberry32, shared with the console's sample generator: every failure reproduces from its seed.
export { seededRandom };

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

/* Edge-case series for the TA-Lib parity tests. */

export function flatSeries(length: number, price = 100): OhlcvArrays {
  const series = randomOhlcv(length, 99);
  for (let i = 0; i < length; i++) {
    series.open[i] = price;
    series.high[i] = price;
    series.low[i] = price;
    series.close[i] = price;
  }
  return series;
}

/** A random walk with a 50% jump (all columns) halfway and a drop back later. */
export function gapSeries(length: number, seed: number): OhlcvArrays {
  const series = randomOhlcv(length, seed);
  const jump = Math.floor(length / 2);
  const drop = Math.floor((length * 3) / 4);
  for (const key of ["open", "high", "low", "close"] as const) {
    for (let i = jump; i < length; i++) series[key][i] = (series[key][i] as number) * (i < drop ? 1.5 : 0.9);
  }
  return series;
}

/** Repeats candles in runs (ties in highs/lows, zero changes) and rounds to a tick. */
export function tickSeries(length: number, seed: number): OhlcvArrays {
  const series = randomOhlcv(length, seed);
  for (const key of ["open", "high", "low", "close"] as const) {
    for (let i = 0; i < length; i++) {
      const source = i - (i % 3);
      series[key][i] = Math.round((series[key][source] as number) * 4) / 4;
    }
  }
  return series;
}

/** A steady rise then a steady fall: every window's extreme expires at each step. */
export function trendSeries(length: number): OhlcvArrays {
  const series = randomOhlcv(length, 5);
  for (let i = 0; i < length; i++) {
    const mid = 100 + (i < length / 2 ? i : length - i);
    series.open[i] = mid;
    series.close[i] = mid + 0.5;
    series.high[i] = mid + 1;
    series.low[i] = mid - 1;
  }
  return series;
}
