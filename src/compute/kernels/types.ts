import type { IndicatorInputs } from "../../candles/vocabulary.js";
import type { SharedSeries } from "./shared-series.js";

/** One Float64Array per catalog output, each as long as the series, owned by the caller. */
export type KernelOutputs = Readonly<Record<string, Float64Array>>;

/**
 * A TA-Lib-exact batch kernel. Each ports the TA-Lib C source bundled with the `talib` npm
 * package (0.6): same seeding, same first valid index (its lookback, with TA-Lib's default
 * unstable period of 0), the same order of floating-point operations where it matters, so results
 * match to rounding (|difference| <= 1e-9 relative; test/kernels/ checks each against the binding).
 *
 * A kernel reads the Float64Array columns its indicator declares and writes
 * every index of the caller's output arrays: NaN before TA-Lib's first valid index, TA-Lib's
 * values from there on. The caller owns the arrays (fresh ones per result in the service, reused
 * buffers in the benchmark), so a kernel allocates nothing for its outputs and nothing per candle.
 * `shared` holds series other kernels of the same request have already derived from these inputs.
 *
 * Loops run to a local `n`, not `values.length`: V8 does not hoist a typed array's length out of a
 * loop condition (the buffer could be resized), and the reload cost SMA ~25%.
 */
export type Kernel = (
  inputs: IndicatorInputs,
  params: Readonly<Record<string, number>>,
  outputs: KernelOutputs,
  shared: SharedSeries,
) => void;
