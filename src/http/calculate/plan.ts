import { type NormalizedCandles, normalizeCandles } from "../../candles/columns.js";
import type { IndicatorDefinition, IndicatorInputs } from "../../compute/catalog/definition.js";
import { closeIndicatorNames, findIndicator } from "../../compute/catalog/index.js";
import { estimateCostMs } from "../../compute/cost.js";
import type { Presentation } from "../../compute/serialize.js";
import { describeIssues, type FieldIssue, ServiceError } from "../../errors/registry.js";
import { ColumnDigests, unitKey } from "../../scheduler/keys.js";
import type { WorkUnit } from "../../scheduler/types.js";
import { toFieldIssues } from "../zod-issues.js";
import type { CalculateBody } from "./schema.js";

export interface PlannedResult {
  readonly id: string;
  readonly definition: IndicatorDefinition;
  readonly params: object;
  readonly unit: WorkUnit;
}

export interface CalculationPlan {
  readonly candles: NormalizedCandles;
  readonly results: readonly PlannedResult[];
  readonly presentation: Presentation;
}

interface Resolved {
  readonly index: number;
  readonly definition: IndicatorDefinition;
  readonly params: object;
  readonly id: string;
}

/** `MACD(12,26,9)`: the name and the param values in schema order. */
export function defaultResultId(definition: IndicatorDefinition, params: object): string {
  const values = Object.values(params);
  return values.length === 0 ? definition.name : `${definition.name}(${values.join(",")})`;
}

/**
 * Turns a structurally valid body into units of work, reporting every semantic problem at once:
 * unknown names (with close matches), params that fail the indicator's schema, columns an
 * indicator needs but the candles lack, duplicate ids, and inconsistent candles.
 */
export function planCalculation(
  body: CalculateBody,
  options: { extraCostMs?: number } = {},
): CalculationPlan {
  const issues: FieldIssue[] = [];
  let unknownNames = 0;
  const resolved: Resolved[] = [];

  body.indicators.forEach((request, index) => {
    const definition = findIndicator(request.name);
    if (!definition) {
      unknownNames++;
      const close = closeIndicatorNames(request.name);
      const hint = close.length > 0 ? ` Did you mean ${close.join(", ")}?` : "";
      issues.push({
        path: `indicators[${index}].name`,
        message: `Unknown indicator "${request.name}".${hint} GET /indicators lists them all.`,
      });
      return;
    }
    const params = definition.params.safeParse(request.params ?? {});
    if (!params.success) {
      issues.push(...toFieldIssues(params.error.issues, `indicators[${index}].params`));
      return;
    }
    resolved.push({
      index,
      definition,
      params: params.data,
      id: request.id ?? defaultResultId(definition, params.data),
    });
  });

  const seenIds = new Map<string, number>();
  for (const { index, id } of resolved) {
    const first = seenIds.get(id);
    if (first === undefined) seenIds.set(id, index);
    else
      issues.push({
        path: `indicators[${index}].id`,
        message: `id "${id}" is already used by indicators[${first}]; give each result a distinct id.`,
      });
  }

  const normalized = normalizeCandles(body.candles);
  if (!normalized.ok) issues.push(...normalized.issues);
  else {
    for (const { index, definition } of resolved) {
      for (const column of definition.reads) {
        if (normalized.candles.columns[column] === undefined) {
          issues.push({
            path: `candles.${column}`,
            message: `${definition.name} (indicators[${index}]) reads ${column}, which the candles do not have.`,
          });
        }
      }
    }
  }

  if (issues.length > 0 || !normalized.ok) {
    const onlyUnknownNames = unknownNames > 0 && unknownNames === issues.length;
    throw new ServiceError(
      onlyUnknownNames ? "UNKNOWN_INDICATOR" : "VALIDATION_FAILED",
      describeIssues(issues),
      {
        issues,
      },
    );
  }

  const candles = normalized.candles;
  const digests = new ColumnDigests(candles.columns);
  const results = resolved.map(({ definition, params, id }): PlannedResult => {
    const columns = Object.fromEntries(
      definition.reads.map((column) => [column, candles.columns[column]]),
    ) as IndicatorInputs;
    const unit: WorkUnit = {
      key: unitKey({
        indicator: definition.name,
        version: definition.version,
        params,
        seriesHash: digests.series(definition.reads),
      }),
      indicator: definition.name,
      params,
      columns,
      costMs: estimateCostMs(definition, params, candles.length) + (options.extraCostMs ?? 0),
    };
    return { id, definition, params, unit };
  });

  return {
    candles,
    results,
    presentation: { tail: body.options?.tail, precision: body.options?.precision },
  };
}
