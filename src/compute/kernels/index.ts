import type { IndicatorDefinition } from "../catalog/definition.js";
import { averageKernels } from "./averages.js";
import { extraKernels } from "./extras.js";
import { oscillatorKernels } from "./oscillators.js";
import type { Kernel } from "./types.js";

/**
 * How an indicator is computed: `talib`, the batch kernels that reproduce TA-Lib's numbers (the
 * default where one exists), or `trading-signals`, the library's own conventions.
 */
export const IMPLEMENTATIONS = ["talib", "trading-signals"] as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number];

/** Bump when any kernel's numbers change: it is part of the cache key of every `talib` unit. */
export const KERNELS_VERSION = 2;

const KERNELS: Readonly<Record<string, Kernel>> = {
  ...averageKernels,
  ...oscillatorKernels,
  ...extraKernels,
};

export function kernelFor(indicator: string): Kernel | undefined {
  return KERNELS[indicator];
}

/** The implementations an indicator has, the default first. */
export function implementationsOf(definition: IndicatorDefinition): Implementation[] {
  const available: Implementation[] = [];
  if (kernelFor(definition.name)) available.push("talib");
  if (definition.create) available.push("trading-signals");
  return available;
}
