import type { z } from "zod";
import { type DecodedCandles, type NormalizedCandles, normalizeCandles } from "../candles/columns.js";
import type { IndicatorDefinition } from "../compute/catalog/definition.js";
import { type Implementation, implementationsOf } from "../compute/catalog/definition.js";
import { closeIndicatorNames, findIndicator } from "../compute/catalog/index.js";
import { readsFor, withoutDefaultSource } from "../compute/catalog/source.js";
import type { Presentation } from "../compute/serialize.js";
import { IssueList, problem } from "../errors/registry.js";
import { addZodIssues } from "../errors/zod-issues.js";
import type { WorkUnit } from "../scheduler/types.js";
import { buildWorkUnits } from "../scheduler/units.js";
import type { CalculateBody } from "./request-schema.js";

export interface PlannedResult {
  readonly id: string;
  readonly definition: IndicatorDefinition;
  readonly implementation: Implementation;
  readonly params: object;
  readonly unit: WorkUnit;
}

export interface CalculationPlan {
  readonly candles: NormalizedCandles;
  readonly results: readonly PlannedResult[];
  readonly presentation: Presentation;
}

/** A validated body: candles as JSON gave them, or already decoded from a binary body. */
export type CalculationRequest = Omit<CalculateBody, "candles"> & {
  readonly candles: CalculateBody["candles"] | DecodedCandles;
};

export interface PlanOptions {
  /** Refuse requests whose units add up to more estimated compute time than this. */
  readonly maxComputeMs?: number;
  /** Refuse requests whose response would hold more numbers than this. */
  readonly maxResponseValues?: number;
  /** Added to every unit's cost estimate (the DEBUG_COMPUTE_DELAY_MS test hook). */
  readonly extraCostMs?: number;
}

interface Resolved {
  readonly index: number;
  readonly definition: IndicatorDefinition;
  readonly implementation: Implementation;
  readonly params: object;
  readonly id: string;
}

/** Close-match suggestions cost an edit distance per catalog name: offer them for a few names only. */
const MAX_SUGGESTED_NAMES = 5;

/** `MACD(12,26,9)`: the name and the param values in schema order. */
export function defaultResultId(definition: IndicatorDefinition, params: object): string {
  const values = Object.values(params);
  return values.length === 0 ? definition.name : `${definition.name}(${values.join(",")})`;
}

function unknownIndicatorMessage(name: string, suggest: boolean): string {
  const close = suggest ? closeIndicatorNames(name) : [];
  const hint = close.length > 0 ? ` Did you mean ${close.join(", ")}?` : "";
  return `Unknown indicator "${name}".${hint} GET /indicators lists them all.`;
}

/**
 * The params with TA-Lib's names for them (`timeperiod`) turned into ours (`period`); undefined,
 * with an issue, when a request gives one param under both names.
 */
function ourParamNames(
  definition: IndicatorDefinition,
  params: Readonly<Record<string, unknown>>,
  issues: IssueList,
  path: string,
):
  | { params: Record<string, unknown>; asSent: (found: readonly z.core.$ZodIssue[]) => z.core.$ZodIssue[] }
  | undefined {
  const aliases = definition.talib?.paramAliases ?? {};
  const renamed: Record<string, unknown> = {};
  const sentAs = new Map<string, string>();
  let clash = false;
  for (const [name, value] of Object.entries(params)) {
    const ours = Object.hasOwn(aliases, name) ? (aliases[name] as string) : name;
    if (ours !== name && Object.hasOwn(params, ours)) {
      issues.add(`${path}.${name}`, `${name} is TA-Lib's name for ${ours}; give one of them, not both.`);
      clash = true;
    }
    if (ours !== name) sentAs.set(ours, name);
    renamed[ours] = value;
  }
  // A refusal names the param as the client sent it.
  const asSent = (found: readonly z.core.$ZodIssue[]) =>
    found.map((issue) => {
      const sent = typeof issue.path[0] === "string" ? sentAs.get(issue.path[0]) : undefined;
      return sent === undefined ? issue : { ...issue, path: [sent, ...issue.path.slice(1)] };
    });
  return clash ? undefined : { params: renamed, asSent };
}

/**
 * Turns a structurally valid body into units of work, reporting every semantic problem at once:
 * unknown names (with close matches), params that fail the indicator's schema, columns an
 * indicator needs but the candles lack, duplicate ids, inconsistent candles; then refuses a
 * request whose compute time or response size is beyond the configured limits.
 */
export function planCalculation(body: CalculationRequest, options: PlanOptions = {}): CalculationPlan {
  const issues = new IssueList();
  let unknownNames = 0;
  const resolved: Resolved[] = [];

  body.indicators.forEach((request, index) => {
    const definition = findIndicator(request.name);
    if (!definition) {
      unknownNames++;
      const suggest = unknownNames <= MAX_SUGGESTED_NAMES;
      issues.add(`indicators[${index}].name`, () => unknownIndicatorMessage(request.name, suggest));
      return;
    }
    const named = ourParamNames(definition, request.params ?? {}, issues, `indicators[${index}].params`);
    if (!named) return;
    const params = definition.params.safeParse(named.params);
    if (!params.success) {
      addZodIssues(named.asSent(params.error.issues), issues, `indicators[${index}].params`);
      return;
    }
    // The request-wide default falls back to the implementation the indicator has; asking for
    // one it lacks on the indicator itself is an error, not a silent substitution.
    const available = implementationsOf(definition);
    const wanted = request.convention ?? body.options?.convention ?? "talib";
    if (request.convention !== undefined && !available.includes(request.convention)) {
      issues.add(
        `indicators[${index}].convention`,
        `${definition.name} has no ${request.convention} implementation; it has ${available.join(", ")}.`,
      );
      return;
    }
    const implementation = available.includes(wanted) ? wanted : (available[0] as Implementation);
    const planned = withoutDefaultSource(params.data);
    resolved.push({
      index,
      definition,
      implementation,
      params: planned,
      id: request.id ?? defaultResultId(definition, planned),
    });
  });

  const seenIds = new Map<string, number>();
  for (const { index, id } of resolved) {
    const first = seenIds.get(id);
    if (first === undefined) seenIds.set(id, index);
    else
      issues.add(
        `indicators[${index}].id`,
        `id "${id}" is already used by indicators[${first}]; give each result a distinct id.`,
      );
  }

  const candles = normalizeCandles(body.candles, issues);
  if (candles) {
    for (const { index, definition, params } of resolved) {
      for (const column of readsFor(definition, params)) {
        if (candles.columns[column] === undefined) {
          issues.add(
            `candles.${column}`,
            `${definition.name} (indicators[${index}]) reads ${column}, which the candles do not have.`,
          );
        }
      }
    }
  }

  if (!issues.empty || !candles) {
    const onlyUnknownNames = unknownNames > 0 && unknownNames === issues.total;
    throw issues.toError(onlyUnknownNames ? "UNKNOWN_INDICATOR" : "VALIDATION_FAILED");
  }

  const units = buildWorkUnits(candles.columns, resolved, { extraCostMs: options.extraCostMs });
  const presentation = { tail: body.options?.tail, precision: body.options?.precision };
  checkBudgets(resolved, units, candles.length, presentation, options);
  return {
    candles,
    results: resolved.map(({ definition, implementation, params, id }, i) => ({
      id,
      definition,
      implementation,
      params,
      unit: units[i] as WorkUnit,
    })),
    presentation,
  };
}

function checkBudgets(
  resolved: readonly Resolved[],
  units: readonly WorkUnit[],
  candles: number,
  presentation: Presentation,
  { maxComputeMs, maxResponseValues, extraCostMs = 0 }: PlanOptions,
): void {
  // Identical units compute once, so they count once.
  const costByKey = new Map(units.map((unit, i) => [unit.key, { cost: unit.costMs - extraCostMs, i }]));
  const totalMs = [...costByKey.values()].reduce((sum, { cost }) => sum + cost, 0);
  if (maxComputeMs !== undefined && totalMs > maxComputeMs) {
    const costliest = [...costByKey.values()].sort((a, b) => b.cost - a.cost).slice(0, 5);
    throw problem(
      "REQUEST_TOO_COSTLY",
      { estimatedMs: totalMs, limitMs: maxComputeMs },
      {
        issues: costliest.map(({ cost, i }) => ({
          path: `indicators[${resolved[i]?.index}]`,
          message: `estimated ${Math.round(cost)} ms`,
        })),
      },
    );
  }
  const returned = presentation.tail === undefined ? candles : Math.min(candles, presentation.tail);
  const values = resolved.reduce((sum, { definition }) => sum + definition.outputs.length * returned, 0);
  if (maxResponseValues !== undefined && values > maxResponseValues) {
    throw problem("RESPONSE_TOO_LARGE", { values, limit: maxResponseValues });
  }
}
