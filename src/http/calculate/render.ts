import { isFullPresentation, type Presentation, valuesJson } from "../../compute/serialize.js";
import type { ScheduledResult } from "../../scheduler/types.js";
import type { PlannedResult } from "./plan.js";

export interface ResponseEnvelope {
  readonly symbol?: string | undefined;
  readonly interval?: string | undefined;
  readonly candles: number;
  readonly mode: string;
  readonly elapsedMs: number;
}

/**
 * Writes the response JSON by hand so each result's `values` is spliced in as the cached string
 * for the full presentation; only tail/precision requests serialize numbers again.
 */
export function renderCalculation(
  planned: readonly PlannedResult[],
  scheduled: readonly ScheduledResult[],
  presentation: Presentation,
  envelope: ResponseEnvelope,
): string {
  const full = isFullPresentation(presentation);
  const results = planned.map((plan, i) => {
    const { result, source } = scheduled[i] as ScheduledResult;
    const head = JSON.stringify({
      id: plan.id,
      name: plan.definition.name,
      implementation: plan.implementation,
      params: plan.params,
      warmup: result.series.warmup,
      source,
    });
    const values = full ? result.valuesJson : valuesJson(result.series, presentation);
    return `${head.slice(0, -1)},"values":${values}}`;
  });
  const labels: Record<string, string> = {};
  if (envelope.symbol !== undefined) labels.symbol = envelope.symbol;
  if (envelope.interval !== undefined) labels.interval = envelope.interval;
  const labelJson = JSON.stringify(labels);
  const meta = JSON.stringify({
    candles: envelope.candles,
    mode: envelope.mode,
    elapsedMs: Math.round(envelope.elapsedMs * 1_000) / 1_000,
  });
  const prefix = labelJson === "{}" ? "{" : `${labelJson.slice(0, -1)},`;
  return `${prefix}"results":[${results.join(",")}],"meta":${meta}}`;
}
