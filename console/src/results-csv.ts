import { resultColumns } from "./result-columns.js";

/**
 * A job's NDJSON results as one CSV: a `key` and `index` column, then one column per result and
 * output as the Arrow results name them (`{id}` or `{id}.{output}`); a row per candle, warm-up
 * cells empty. Failed series have no rows, as in the Arrow results.
 */

interface ResultLine {
  readonly key: string;
  readonly results?: readonly { readonly id: string; readonly values: unknown }[];
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const columnsOf = (line: ResultLine) => (line.results ?? []).flatMap(resultColumns);

export function resultsToCsv(ndjson: string): string {
  const lines = ndjson
    .split("\n")
    .filter((text) => text.trim() !== "")
    .map((text) => JSON.parse(text) as ResultLine);
  const first = lines.find((line) => line.results);
  const header = first ? columnsOf(first).map(({ name }) => name) : [];
  const out = [["key", "index", ...header].map(csvField).join(",")];
  for (const line of lines) {
    const columns = columnsOf(line);
    const length = columns[0]?.values.length ?? 0;
    const key = csvField(line.key);
    for (let i = 0; i < length; i++)
      out.push([key, String(i), ...columns.map(({ values }) => String(values[i] ?? ""))].join(","));
  }
  return `${out.join("\n")}\n`;
}
