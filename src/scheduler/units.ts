import type { CandleColumns, IndicatorInputs } from "../candles/vocabulary.js";
import type { IndicatorDefinition } from "../compute/catalog/definition.js";
import { type Implementation, implementationVersion } from "../compute/catalog/definition.js";
import { readsFor } from "../compute/catalog/source.js";
import { estimateCostMs } from "../compute/cost.js";
import { ColumnDigests, unitKey } from "./keys.js";
import type { WorkUnit } from "./types.js";

export interface UnitRequest {
  readonly definition: IndicatorDefinition;
  readonly implementation: Implementation;
  /** Validated, defaults filled. */
  readonly params: object;
}

/**
 * One unit of work per requested indicator: its content address (each column hashed once for
 * the whole request), exactly the columns it reads, and its estimated cost.
 */
export function buildWorkUnits(
  columns: CandleColumns,
  requests: readonly UnitRequest[],
  { extraCostMs = 0 }: { extraCostMs?: number } = {},
): WorkUnit[] {
  const digests = new ColumnDigests(columns);
  const length = columns.close.length;
  return requests.map(({ definition, implementation, params }) => ({
    key: unitKey({
      indicator: definition.name,
      implementation,
      version: implementationVersion(definition, implementation),
      params,
      seriesHash: digests.series(readsFor(definition, params)),
    }),
    indicator: definition.name,
    implementation,
    params,
    columns: Object.fromEntries(
      readsFor(definition, params).map((column) => [column, columns[column]]),
    ) as IndicatorInputs,
    length,
    outputs: definition.outputs.map((output) => output.name),
    costMs: estimateCostMs(definition, params, length, implementation) + extraCostMs,
  }));
}
