/** A result's series, named as the API's Arrow results name their columns: `{id}` or `{id}.{output}`. */
export interface ResultColumn {
  readonly name: string;
  /** The output's name; null for a single-output indicator (whose output the catalog calls `value`). */
  readonly output: string | null;
  readonly values: readonly (number | null)[];
}

/** `values` as a calculate result has it: one series, or one per output. */
export function resultColumns(result: { readonly id: string; readonly values: unknown }): ResultColumn[] {
  if (Array.isArray(result.values)) return [{ name: result.id, output: null, values: result.values }];
  return Object.entries(result.values as Record<string, (number | null)[]>).map(([output, values]) => ({
    name: `${result.id}.${output}`,
    output,
    values,
  }));
}
