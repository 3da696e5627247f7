import { isFullPresentation, type Presentation, valuesBytes } from "../../compute/serialize.js";
import type { ScheduledResult } from "../../scheduler/types.js";
import type { PlannedResult } from "./plan.js";

const CLOSE_OBJECT = Buffer.from("}");

export interface ResponseEnvelope {
  readonly symbol?: string | undefined;
  readonly interval?: string | undefined;
  readonly candles: number;
  readonly mode: string;
  readonly elapsedMs: number;
}

/**
 * Writes the response JSON by hand, as bytes: each result's `values` is its cached encoding for
 * the full presentation, and only tail/precision requests serialize numbers again. The response
 * is one concatenation of buffers; megabytes of values are never spliced into a string and
 * encoded again on the way out.
 */
export function renderCalculation(
  planned: readonly PlannedResult[],
  scheduled: readonly ScheduledResult[],
  presentation: Presentation,
  envelope: ResponseEnvelope,
): Buffer {
  const full = isFullPresentation(presentation);
  const labels: Record<string, string> = {};
  if (envelope.symbol !== undefined) labels.symbol = envelope.symbol;
  if (envelope.interval !== undefined) labels.interval = envelope.interval;
  const labelJson = JSON.stringify(labels);
  const parts: Buffer[] = [
    Buffer.from(labelJson === "{}" ? '{"results":[' : `${labelJson.slice(0, -1)},"results":[`),
  ];
  planned.forEach((plan, i) => {
    const { result, source } = scheduled[i] as ScheduledResult;
    const head = JSON.stringify({
      id: plan.id,
      name: plan.definition.name,
      implementation: plan.implementation,
      params: plan.params,
      warmup: result.series.warmup,
      source,
    });
    parts.push(Buffer.from(`${i === 0 ? "" : ","}${head.slice(0, -1)},"values":`));
    parts.push(full ? result.valuesBytes : valuesBytes(result.series, presentation));
    parts.push(CLOSE_OBJECT);
  });
  const meta = JSON.stringify({
    candles: envelope.candles,
    mode: envelope.mode,
    elapsedMs: Math.round(envelope.elapsedMs * 1_000) / 1_000,
  });
  parts.push(Buffer.from(`],"meta":${meta}}`));
  return Buffer.concat(parts);
}
