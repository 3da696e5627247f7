import { createRequire } from "node:module";

/** The slice of the `talib` binding (TA-Lib C) the parity tests use; it needs plain number arrays. */
export interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
}

export interface Talib {
  execute(request: Record<string, unknown>): TalibResult;
}

export const talib = createRequire(import.meta.url)("talib") as Talib;
