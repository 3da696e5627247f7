import type { Kernel } from "../kernels/types.js";
import { bandsAndVolatility } from "./bands-volatility.js";
import type { IndicatorDefinition } from "./definition.js";
import { directionalMovement } from "./directional-movement.js";
import { levels } from "./levels.js";
import { momentum } from "./momentum.js";
import { movingAverages } from "./moving-averages.js";
import { priceTransforms } from "./price-transforms.js";
import { statistics } from "./statistics.js";
import { stochastics } from "./stochastics.js";
import { trendFollowers } from "./trend-followers.js";
import { volumeFlow } from "./volume-flow.js";

/** Every indicator, one family module each (their files say what a family is). */
export const INDICATORS: readonly IndicatorDefinition[] = [
  ...movingAverages,
  ...directionalMovement,
  ...trendFollowers,
  ...levels,
  ...statistics,
  ...stochastics,
  ...momentum,
  ...bandsAndVolatility,
  ...volumeFlow,
  ...priceTransforms,
].sort((a, b) => a.name.localeCompare(b.name));

const byLowerName = new Map<string, IndicatorDefinition>();
for (const definition of INDICATORS) {
  for (const name of [definition.name, ...definition.aliases]) {
    const key = name.toLowerCase();
    const existing = byLowerName.get(key);
    if (existing && existing !== definition) {
      throw new Error(`Indicator name ${name} is claimed by ${existing.name} and ${definition.name}`);
    }
    byLowerName.set(key, definition);
  }
}

/** The TA-Lib kernel of the indicator named exactly `name`, if it has one. */
export function kernelFor(name: string): Kernel | undefined {
  return byLowerName.get(name.toLowerCase())?.talib?.kernel;
}

/** Case-insensitive lookup by canonical name or alias. */
export function findIndicator(name: string): IndicatorDefinition | undefined {
  return byLowerName.get(name.toLowerCase());
}

/** Up to `limit` known names closest to `name` (edit distance), for "did you mean" errors. */
export function closeIndicatorNames(name: string, limit = 3): string[] {
  const wanted = name.toLowerCase();
  const scored: Array<{ name: string; distance: number }> = [];
  for (const definition of INDICATORS) {
    const distance = Math.min(
      ...[definition.name, ...definition.aliases].map((candidate) =>
        editDistance(wanted, candidate.toLowerCase()),
      ),
    );
    scored.push({ name: definition.name, distance });
  }
  const tolerance = Math.max(2, Math.floor(wanted.length / 3));
  return scored
    .filter((entry) => entry.distance <= tolerance)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((entry) => entry.name);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
