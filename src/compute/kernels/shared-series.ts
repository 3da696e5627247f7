/**
 * Series that several kernels derive from the same inputs: the EMA chain of EMA, DEMA, TEMA and
 * TRIX, the true range of TRANGE, ATR, NATR and ULTOSC, the RSI of RSI and STOCHRSI, the ADX that
 * ADXR is built on. A kernel offers only arrays it materializes anyway
 * (an output or an intermediate array), so sharing costs nothing when nothing repeats; an offered
 * array is never written again. Entries are found by the identity of their input arrays: the
 * units of one request hold the same column arrays, so they share within a request and thread,
 * and nothing leaks between requests.
 */
export interface SharedSeries {
  /** The series offered under `key` over exactly these input arrays, if any. */
  find(key: string, inputs: readonly Float64Array[]): Float64Array | undefined;
  offer(key: string, inputs: readonly Float64Array[], series: Float64Array): void;
}

interface Entry {
  readonly inputs: readonly Float64Array[];
  readonly series: Float64Array;
}

/** Entries live as long as their first input array (a WeakMap key), i.e. as long as the request's columns. */
export class SeriesMemo implements SharedSeries {
  readonly #byInput = new WeakMap<Float64Array, Map<string, Entry>>();

  find(key: string, inputs: readonly Float64Array[]): Float64Array | undefined {
    const [first] = inputs;
    const entry = first && this.#byInput.get(first)?.get(key);
    if (!entry || entry.inputs.length !== inputs.length) return undefined;
    return entry.inputs.every((input, i) => input === inputs[i]) ? entry.series : undefined;
  }

  offer(key: string, inputs: readonly Float64Array[], series: Float64Array): void {
    const [first] = inputs;
    if (!first) return;
    let entries = this.#byInput.get(first);
    if (!entries) {
      entries = new Map();
      this.#byInput.set(first, entries);
    }
    entries.set(key, { inputs, series });
  }
}

/** For callers that reuse output buffers (benchmarks): an offered array would change under its finders. */
export const NO_SHARING: SharedSeries = {
  find: () => undefined,
  offer: () => {},
};

/**
 * Writes the shared series `key` into `out`: a copy when another kernel offered it, else
 * `compute(out)`, and `out` is offered in turn. `out` is an output the caller has warmed up.
 */
export function sharedInto(
  shared: SharedSeries,
  key: string,
  inputs: readonly Float64Array[],
  out: Float64Array,
  compute: (out: Float64Array) => void,
): void {
  const found = shared.find(key, inputs);
  if (found) {
    out.set(found);
    return;
  }
  compute(out);
  shared.offer(key, inputs, out);
}

/** The shared series `key`, computed into a fresh scratch array (NaN until written) and offered if nobody has yet. */
export function sharedScratch(
  shared: SharedSeries,
  key: string,
  inputs: readonly Float64Array[],
  compute: (out: Float64Array) => void,
): Float64Array {
  const found = shared.find(key, inputs);
  if (found) return found;
  const series = new Float64Array((inputs[0] as Float64Array).length).fill(Number.NaN);
  compute(series);
  shared.offer(key, inputs, series);
  return series;
}
