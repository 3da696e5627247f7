/**
 * The practical floor: one minimal single-pass loop per indicator over Float64Array inputs into
 * preallocated Float64Array outputs (NaN during warm-up, like the service). Each follows the
 * service's (trading-signals') conventions -- seeds, first index, tie rules -- so its numbers can
 * be checked against the service's (see `verifyFloor`); only the arithmetic is the cheap kind:
 * rolling sums instead of re-summing a window, the highest high tracked with its index instead of
 * rescanned every candle, and ADX without the ATR that cancels out of +DI/-DI.
 */

export interface FloorInputs {
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
}

export interface Floor {
  /** Preallocated once per series length, reused by every run; named as the service's outputs. */
  readonly outputs: Readonly<Record<string, Float64Array>>;
  run(inputs: FloorInputs): void;
}

export function smaFloor(length: number, period: number): Floor {
  const value = new Float64Array(length);
  return {
    outputs: { value },
    run({ close }) {
      const n = close.length;
      const warm = Math.min(period - 1, n);
      let sum = 0;
      for (let i = 0; i < warm; i++) {
        sum += close[i] as number;
        value[i] = Number.NaN;
      }
      if (n < period) return;
      sum += close[period - 1] as number;
      value[period - 1] = sum / period;
      for (let i = period; i < n; i++) {
        sum += (close[i] as number) - (close[i - period] as number);
        value[i] = sum / period;
      }
    },
  };
}

/** Seeded with the first close; values from index period-1 (trading-signals' isStable). */
export function emaFloor(length: number, period: number): Floor {
  const value = new Float64Array(length);
  const k = 2 / (period + 1);
  const keep = 1 - k;
  return {
    outputs: { value },
    run({ close }) {
      const n = close.length;
      if (n === 0) return;
      let ema = close[0] as number;
      const warm = Math.min(period - 1, n);
      for (let i = 0; i < warm; i++) {
        ema = (close[i] as number) * k + ema * keep;
        value[i] = Number.NaN;
      }
      for (let i = warm; i < n; i++) {
        ema = (close[i] as number) * k + ema * keep;
        value[i] = ema;
      }
    },
  };
}

/** Wilder: the first average is the mean of the first `period` changes; values from index period. */
export function rsiFloor(length: number, period: number): Floor {
  const value = new Float64Array(length);
  const factor = 1 / period;
  return {
    outputs: { value },
    run({ close }) {
      const n = close.length;
      const warm = Math.min(period, n);
      let gain = 0;
      let loss = 0;
      for (let i = 0; i < warm; i++) {
        value[i] = Number.NaN;
        if (i === 0) continue;
        const change = (close[i] as number) - (close[i - 1] as number);
        if (change > 0) gain += change;
        else loss -= change;
      }
      if (n <= period) return;
      {
        const change = (close[period] as number) - (close[period - 1] as number);
        if (change > 0) gain += change;
        else loss -= change;
        gain /= period;
        loss /= period;
        value[period] = loss === 0 ? 100 : 100 - 100 / (gain / loss + 1);
      }
      for (let i = period + 1; i < n; i++) {
        const change = (close[i] as number) - (close[i - 1] as number);
        let up = 0;
        let down = 0;
        if (change > 0) up = change;
        else down = -change;
        gain += (up - gain) * factor;
        loss += (down - loss) * factor;
        value[i] = loss === 0 ? 100 : 100 - 100 / (gain / loss + 1);
      }
    },
  };
}

/** EMAs seeded with the first close; the signal EMA starts (seeded) at index slow-1, as do the outputs. */
export function macdFloor(length: number, fast: number, slow: number, signal: number): Floor {
  const macd = new Float64Array(length);
  const signalOut = new Float64Array(length);
  const histogram = new Float64Array(length);
  const kf = 2 / (fast + 1);
  const ks = 2 / (slow + 1);
  const kg = 2 / (signal + 1);
  const keepF = 1 - kf;
  const keepS = 1 - ks;
  const keepG = 1 - kg;
  return {
    outputs: { macd, signal: signalOut, histogram },
    run({ close }) {
      const n = close.length;
      if (n === 0) return;
      let f = close[0] as number;
      let s = f;
      const warm = Math.min(slow - 1, n);
      for (let i = 0; i < warm; i++) {
        const x = close[i] as number;
        f = x * kf + f * keepF;
        s = x * ks + s * keepS;
        macd[i] = Number.NaN;
        signalOut[i] = Number.NaN;
        histogram[i] = Number.NaN;
      }
      if (n < slow) return;
      let g: number;
      {
        const x = close[slow - 1] as number;
        f = x * kf + f * keepF;
        s = x * ks + s * keepS;
        const m = f - s;
        g = m * kg + m * keepG;
        macd[slow - 1] = m;
        signalOut[slow - 1] = g;
        histogram[slow - 1] = m - g;
      }
      for (let i = slow; i < n; i++) {
        const x = close[i] as number;
        f = x * kf + f * keepF;
        s = x * ks + s * keepS;
        const m = f - s;
        g = m * kg + g * keepG;
        macd[i] = m;
        signalOut[i] = g;
        histogram[i] = m - g;
      }
    },
  };
}

/** SMA +- multiplier x population standard deviation, from rolling sums of x and x^2. */
export function bbandsFloor(length: number, period: number, multiplier: number): Floor {
  const upper = new Float64Array(length);
  const middle = new Float64Array(length);
  const lower = new Float64Array(length);
  return {
    outputs: { upper, middle, lower },
    run({ close }) {
      const n = close.length;
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < n; i++) {
        const x = close[i] as number;
        sum += x;
        squares += x * x;
        if (i >= period) {
          const old = close[i - period] as number;
          sum -= old;
          squares -= old * old;
        }
        if (i < period - 1) {
          upper[i] = Number.NaN;
          middle[i] = Number.NaN;
          lower[i] = Number.NaN;
          continue;
        }
        const mean = sum / period;
        const variance = squares / period - mean * mean;
        const band = (variance > 0 ? Math.sqrt(variance) : 0) * multiplier;
        upper[i] = mean + band;
        middle[i] = mean;
        lower[i] = mean - band;
      }
    },
  };
}

/** True range (the first candle's is high-low), Wilder-smoothed, seeded with a mean; values from period-1. */
export function atrFloor(length: number, period: number): Floor {
  const value = new Float64Array(length);
  const factor = 1 / period;
  return {
    outputs: { value },
    run({ high, low, close }) {
      const n = close.length;
      if (n === 0) return;
      let atr = 0;
      for (let i = 0; i < n; i++) {
        const h = high[i] as number;
        const l = low[i] as number;
        let tr = h - l;
        if (i > 0) {
          const previous = close[i - 1] as number;
          const up = Math.abs(h - previous);
          const down = Math.abs(l - previous);
          if (up > tr) tr = up;
          if (down > tr) tr = down;
        }
        if (i < period - 1) {
          atr += tr;
          value[i] = Number.NaN;
        } else if (i === period - 1) {
          atr = (atr + tr) / period;
          value[i] = atr;
        } else {
          atr += (tr - atr) * factor;
          value[i] = atr;
        }
      }
    },
  };
}

/**
 * Slow stochastic: fast %K over kPeriod, %K its SMA(kSlowing), %D the SMA(dPeriod) of %K, both
 * from index kPeriod+kSlowing+dPeriod-3 (where %D has its first value); a flat window divides by 1.
 * The highest high and lowest low are tracked with their index and rescanned only when that
 * index leaves the window (Tulip's approach: amortized O(1), no queue to maintain).
 */
export function stochFloor(length: number, kPeriod: number, kSlowing: number, dPeriod: number): Floor {
  const k = new Float64Array(length);
  const d = new Float64Array(length);
  const fastK = new Float64Array(length);
  const firstK = kPeriod + kSlowing - 2;
  const first = firstK + dPeriod - 1;
  return {
    outputs: { k, d },
    run({ high, low, close }) {
      const n = close.length;
      let highest = Number.NEGATIVE_INFINITY;
      let lowest = Number.POSITIVE_INFINITY;
      let highestAt = -1;
      let lowestAt = -1;
      let fastSum = 0;
      let kSum = 0;
      for (let i = 0; i < n; i++) {
        const start = i - kPeriod + 1;
        const h = high[i] as number;
        if (highestAt < start) {
          highestAt = start;
          highest = high[start] as number;
          for (let j = start + 1; j <= i; j++) {
            const value = high[j] as number;
            if (value >= highest) {
              highest = value;
              highestAt = j;
            }
          }
        } else if (h >= highest) {
          highest = h;
          highestAt = i;
        }
        const l = low[i] as number;
        if (lowestAt < start) {
          lowestAt = start;
          lowest = low[start] as number;
          for (let j = start + 1; j <= i; j++) {
            const value = low[j] as number;
            if (value <= lowest) {
              lowest = value;
              lowestAt = j;
            }
          }
        } else if (l <= lowest) {
          lowest = l;
          lowestAt = i;
        }
        k[i] = Number.NaN;
        d[i] = Number.NaN;
        if (i < kPeriod - 1) continue;
        const range = highest - lowest;
        const value = (((close[i] as number) - lowest) * 100) / (range === 0 ? 1 : range);
        fastK[i] = value;
        fastSum += value;
        if (i >= kPeriod - 1 + kSlowing) fastSum -= fastK[i - kSlowing] as number;
        if (i < firstK) continue;
        const slowK = fastSum / kSlowing;
        k[i] = slowK;
        kSum += slowK;
        if (i >= firstK + dPeriod) kSum -= k[i - dPeriod] as number;
        if (i < first) continue;
        d[i] = kSum / dPeriod;
      }
      // k was written from firstK on to keep the %D sum; the service reports %K only with %D.
      for (let i = firstK; i < Math.min(first, n); i++) k[i] = Number.NaN;
    },
  };
}

/**
 * ADX as the service computes it (trading-signals' DX, ties counted as both +DM and -DM, the
 * first candle contributing 0 to both; Wilder sums seeded with means; 0/0 -> 0), without the
 * ATR: +DI/-DI share it as denominator, so DX = |+DM - -DM| / (+DM + -DM) * 100.
 * Values from index 2*period-2; the warm-up has its own loop so the main loop has no phase tests.
 */
export function adxFloor(length: number, period: number): Floor {
  const value = new Float64Array(length);
  const factor = 1 / period;
  return {
    outputs: { value },
    run({ high, low }) {
      const n = high.length;
      const warm = Math.min(2 * period - 1, n);
      let plus = 0;
      let minus = 0;
      let adx = 0;
      for (let i = 0; i < warm; i++) {
        value[i] = Number.NaN;
        let plusMove = 0;
        let minusMove = 0;
        if (i > 0) {
          const up = (high[i] as number) - (high[i - 1] as number);
          const down = (low[i - 1] as number) - (low[i] as number);
          plusMove = up < 0 || up < down ? 0 : up;
          minusMove = down < 0 || down < up ? 0 : down;
        }
        if (i < period - 1) {
          plus += plusMove;
          minus += minusMove;
          continue;
        }
        if (i === period - 1) {
          plus = (plus + plusMove) / period;
          minus = (minus + minusMove) / period;
        } else {
          plus += (plusMove - plus) * factor;
          minus += (minusMove - minus) * factor;
        }
        const total = plus + minus;
        const dx = total === 0 ? 0 : (Math.abs(plus - minus) / total) * 100;
        if (i < 2 * period - 2) {
          adx += dx;
        } else {
          adx = (adx + dx) / period;
          value[i] = adx;
        }
      }
      let previousHigh = high[warm - 1] as number;
      let previousLow = low[warm - 1] as number;
      for (let i = warm; i < n; i++) {
        const h = high[i] as number;
        const l = low[i] as number;
        const up = h - previousHigh;
        const down = previousLow - l;
        previousHigh = h;
        previousLow = l;
        const plusMove = up < 0 || up < down ? 0 : up;
        const minusMove = down < 0 || down < up ? 0 : down;
        plus += (plusMove - plus) * factor;
        minus += (minusMove - minus) * factor;
        const total = plus + minus;
        const dx = total === 0 ? 0 : (Math.abs(plus - minus) / total) * 100;
        adx += (dx - adx) * factor;
        value[i] = adx;
      }
    },
  };
}
