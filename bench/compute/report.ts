/** Plain-text tables for the compute benchmark. */

import { median, textTable } from "../../harness/report.js";
import { IMPLEMENTATIONS, type ImplName } from "./cases.js";
import type { RowResult, SizeResult } from "./measure.js";

const FLOOR: ImplName = "floor (Float64Array loop)";
/** Tail differences above this are flagged: beyond rounding, a different formula or warm-up. */
const DISAGREES = 1e-6;

export function formatNs(ns: number): string {
  if (ns < 10) return ns.toFixed(2);
  if (ns < 100) return ns.toFixed(1);
  return ns.toFixed(0);
}

function formatRatio(ratio: number): string {
  return `${ratio < 100 ? ratio.toFixed(1) : ratio.toFixed(0)}x`;
}

function formatDelta(delta: number | undefined): string {
  if (delta === undefined) return "";
  if (Number.isNaN(delta)) return "missing!";
  if (delta === 0) return "0";
  return `${delta.toExponential(0)}${delta > DISAGREES ? "!" : ""}`;
}

export interface SizeSummary {
  readonly impl: ImplName;
  readonly nsPerCandle: number | null;
  readonly xFloor: number | null;
  readonly missing: string[];
}

export function medians(size: SizeResult): Map<string, number> {
  const result = new Map<string, number>();
  for (const row of size.rows) {
    if (row.samples.length > 0) result.set(`${row.indicator}|${row.impl}`, median(row.samples));
  }
  return result;
}

/** The six-indicator bundle most requests resemble, measured together. */
export const BUNDLE_OF_SIX = ["SMA(20)", "EMA(20)", "RSI(14)", "MACD(12,26,9)", "BBANDS(20,2)", "ATR(14)"];

/** Totals per implementation over `only` (default: every indicator of the run). */
export function summarize(size: SizeResult, only?: readonly string[]): SizeSummary[] {
  const m = medians(size);
  const indicators = only ?? [...new Set(size.rows.map((row) => row.indicator))];
  const floorTotal = indicators.reduce((sum, indicator) => sum + (m.get(`${indicator}|${FLOOR}`) ?? 0), 0);
  return IMPLEMENTATIONS.map((impl) => {
    const missing = indicators.filter((indicator) => !m.has(`${indicator}|${impl}`));
    const total = indicators.reduce((sum, indicator) => sum + (m.get(`${indicator}|${impl}`) ?? 0), 0);
    return {
      impl,
      nsPerCandle: missing.length === 0 ? total : null,
      xFloor: missing.length === 0 && floorTotal > 0 ? total / floorTotal : null,
      missing,
    };
  });
}

function spread(samples: readonly number[]): string {
  if (samples.length < 2) return "";
  const mid = median(samples);
  return `${Math.round(((Math.max(...samples) - Math.min(...samples)) / mid) * 100)}%`;
}

export function renderSize(size: SizeResult): string {
  const m = medians(size);
  const body: string[][] = [];
  let previous = "";
  for (const row of size.rows) {
    const ns = m.get(`${row.indicator}|${row.impl}`);
    const floor = m.get(`${row.indicator}|${FLOOR}`);
    const label = row.indicator === previous ? "" : row.indicator;
    previous = row.indicator;
    if (ns === undefined) {
      body.push([label, row.impl, "n/a", "", "", "", "", "", row.unavailable ?? "no samples"]);
      continue;
    }
    let serialization = "";
    if (row.impl === "service computeTask") {
      const bare = m.get(`${row.indicator}|service runKernel`);
      if (bare !== undefined) serialization = `${Math.round((1 - bare / ns) * 100)}%`;
    }
    body.push([
      label,
      row.impl,
      formatNs(ns),
      floor ? formatRatio(ns / floor) : "",
      serialization,
      spread(row.samples),
      row.first === undefined || row.first === null ? "-" : String(row.first),
      formatDelta(row.tailDelta),
      row.note ?? "",
    ]);
  }
  const title =
    `== ${size.candles.toLocaleString("en-US")} candles: median of ${size.rounds} interleaved rounds` +
    `${size.budgetHit ? " (time budget reached)" : ""}, ${size.seconds.toFixed(0)} s ==`;
  const table = textTable(
    ["indicator", "implementation", "ns/candle", "x floor", "serialize", "spread", "first", "tail Δ", "note"],
    body,
    [false, false, true, true, true, true, true, true, false],
  );
  const indicators = new Set(size.rows.map((row) => row.indicator));
  const summaries = [
    renderSummary(size, indicators.size === 8 ? "all eight indicators" : `all ${indicators.size} indicators`),
  ];
  if (BUNDLE_OF_SIX.every((label) => indicators.has(label)))
    summaries.push(renderSummary(size, "the six-indicator bundle", BUNDLE_OF_SIX));
  return `${title}\n${table}\n\n${summaries.join("\n\n")}`;
}

/** Totals per implementation, x the floor and how many times faster than trading-signals called directly. */
function renderSummary(size: SizeResult, heading: string, only?: readonly string[]): string {
  const entries = summarize(size, only);
  const tradingSignals = entries.find((entry) => entry.impl === "trading-signals direct")?.nsPerCandle;
  return textTable(
    [heading, "ns/candle", "x floor", "trading-signals / row"],
    entries.map((entry) => [
      entry.impl,
      entry.nsPerCandle === null ? "n/a" : formatNs(entry.nsPerCandle),
      entry.xFloor === null ? `(missing ${entry.missing.join(", ")})` : formatRatio(entry.xFloor),
      entry.nsPerCandle && tradingSignals ? formatRatio(tradingSignals / entry.nsPerCandle) : "",
    ]),
  );
}

export function unavailableRows(sizes: readonly SizeResult[]): string[] {
  const seen = new Map<string, string>();
  for (const size of sizes) {
    for (const row of size.rows as RowResult[]) {
      if (row.unavailable) seen.set(`${row.impl} ${row.indicator}`, row.unavailable);
    }
  }
  return [...seen].map(([row, reason]) => `${row}: ${reason}`);
}
