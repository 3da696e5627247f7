import { z } from "zod";
import type { CandleColumns } from "../src/candles/vocabulary.js";
import type { Implementation, IndicatorDefinition } from "../src/compute/catalog/definition.js";
import { largestWindow } from "../src/compute/cost.js";
import { NO_SHARING } from "../src/compute/kernels/shared-series.js";
import { valuesBytes } from "../src/compute/serialize.js";
import { computeSeries, computeTask } from "../src/compute/task.js";

/**
 * The (params) points where the cost model is fitted (scripts/measure-costs.ts) and checked
 * (test/unit/cost-model.test.ts): every window-like param scaled together from its default
 * towards a target for the largest one, clamped to its legal bounds; other params at defaults.
 */

interface Bounds {
  readonly minimum: number;
  readonly maximum: number;
  readonly default: number;
}

const WINDOW_PARAM = /period|lookback|length/i;

function windowBounds(definition: IndicatorDefinition): Map<string, Bounds> {
  const schema = z.toJSONSchema(definition.params, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, Partial<Bounds> & { type?: string }>;
  };
  const bounds = new Map<string, Bounds>();
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (!WINDOW_PARAM.test(name) || property.type !== "integer") continue;
    const { minimum, maximum, default: fallback } = property;
    if (minimum === undefined || maximum === undefined || fallback === undefined) continue;
    bounds.set(name, { minimum, maximum, default: fallback });
  }
  return bounds;
}

function scaledParams(
  definition: IndicatorDefinition,
  bounds: Map<string, Bounds>,
  target: number,
): object | undefined {
  const defaults = definition.params.parse({}) as Record<string, unknown>;
  const base = largestWindow(defaults);
  const raw: Record<string, number> = {};
  for (const [name, { minimum, maximum, default: fallback }] of bounds) {
    const scaled = base > 0 ? Math.round((fallback * target) / base) : target;
    raw[name] = Math.min(maximum, Math.max(minimum, scaled));
  }
  const parsed = definition.params.safeParse(raw);
  return parsed.success ? (parsed.data as object) : undefined;
}

/**
 * Params whose largest window is as close to `target` as the schema allows: when scaling all
 * windows together breaks a refinement (fast < slow), the target moves towards the default
 * until it holds.
 */
export function windowedParams(definition: IndicatorDefinition, target: number): object {
  const bounds = windowBounds(definition);
  const defaults = definition.params.parse({}) as object;
  const base = largestWindow(defaults);
  if (bounds.size === 0 || base === 0) return defaults;
  let tried = target;
  for (let attempt = 0; attempt < 40; attempt++) {
    const params = scaledParams(definition, bounds, tried);
    if (params) return params;
    tried = Math.round(tried + (base - tried) * 0.2) + Math.sign(base - tried);
  }
  return defaults;
}

/** Smallest, default and largest legal largest-window of an indicator (all equal when it has none). */
export function windowRange(definition: IndicatorDefinition): {
  small: number;
  standard: number;
  large: number;
} {
  const bounds = [...windowBounds(definition).values()];
  const standard = largestWindow(definition.params.parse({}) as object);
  if (bounds.length === 0 || standard === 0) return { small: standard, standard, large: standard };
  return { small: 1, standard, large: Math.max(...bounds.map((b) => b.maximum)) };
}

/**
 * Runs one unit until V8 has optimized its code (about 50 ms of calls): the first calls of a
 * trading-signals class run in the interpreter and cost several times what they cost later.
 */
export function warmUp(
  definition: IndicatorDefinition,
  implementation: Implementation,
  columns: CandleColumns,
): void {
  const task = {
    indicator: definition.name,
    implementation,
    params: definition.params.parse({}) as object,
    columns,
  };
  const start = performance.now();
  for (let run = 0; run < 200 && performance.now() - start < 50; run++) computeTask(task, NO_SHARING);
}

const LONG_CALL_MS = 100;

/**
 * Median wall time in milliseconds of `run`, over enough repetitions that each sample lasts at
 * least `minSampleMs`, after warming it up.
 */
export function measureMs(run: () => void, { samples = 5, minSampleMs = 5 } = {}): number {
  const once = () => {
    const start = performance.now();
    run();
    return performance.now() - start;
  };
  // A new (params, length) pair can cost several times its steady state on its first calls
  // (V8 re-specializes, the heap grows to the new output size): run it warm before timing.
  let first = once();
  for (let warm = first; warm < 20; ) {
    const next = once();
    first = Math.min(first, next);
    warm += next;
  }
  const repeats = Math.max(1, Math.min(50, Math.ceil(minSampleMs / Math.max(first, 1e-3))));
  const times: number[] = [];
  // A call this long already averages out timer noise; more samples would only add minutes.
  const wanted = first >= LONG_CALL_MS ? 1 : samples;
  for (let sample = 0; sample < wanted; sample++) {
    const start = performance.now();
    for (let i = 0; i < repeats; i++) run();
    times.push((performance.now() - start) / repeats);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

/** Computing and serializing one unit, as a worker does it for a request. */
export function measureUnitMs(
  definition: IndicatorDefinition,
  implementation: Implementation,
  params: object,
  columns: CandleColumns,
  options: { samples?: number; minSampleMs?: number } = {},
): number {
  const task = { indicator: definition.name, implementation, params, columns };
  return measureMs(() => computeTask(task, NO_SHARING), options);
}

/** The two parts the cost model estimates apart: the computation, and its values' JSON. */
export function measureUnitPartsMs(
  definition: IndicatorDefinition,
  implementation: Implementation,
  params: object,
  columns: CandleColumns,
): { computeMs: number; jsonMs: number; values: number; slots: number } {
  const task = { indicator: definition.name, implementation, params, columns };
  const series = computeSeries(task, NO_SHARING);
  let values = 0;
  let slots = 0;
  for (const output of Object.values(series.outputs)) {
    slots += output.length;
    for (const value of output) if (!Number.isNaN(value)) values++;
  }
  return {
    computeMs: measureMs(() => computeSeries(task, NO_SHARING)),
    jsonMs: measureMs(() => valuesBytes(series)),
    values,
    slots,
  };
}
