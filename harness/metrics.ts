/** The sample lines of one metric in a Prometheus text exposition, with their labels and values. */
function samplesOf(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const family = name.replace(/_(count|sum|bucket)$/, "");
  if (!text.includes(`# TYPE ${name} `) && !text.includes(`# TYPE ${family} `)) {
    throw new Error(`metric ${name} is not exposed`);
  }
  const samples: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries(
      [...(match[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
        m[1] as string,
        m[2] as string,
      ]),
    );
    samples.push({ labels, value: Number(match[4]) });
  }
  return samples;
}

const matches = (found: Record<string, string>, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([key, value]) => found[key] === value);

/**
 * The value of one sample line of a Prometheus text exposition; 0 when the metric is registered
 * but has no sample for these labels yet. Throws when the metric is not exposed at all, so a
 * renamed or unregistered metric fails the test instead of reading as 0.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  return samplesOf(text, name).find((found) => matches(found.labels, labels))?.value ?? 0;
}

/** The sum over every sample of a metric whose labels include `labels` (e.g. over all indicators). */
export function total(text: string, name: string, labels: Record<string, string> = {}): number {
  return samplesOf(text, name)
    .filter((found) => matches(found.labels, labels))
    .reduce((sum, found) => sum + found.value, 0);
}
