/**
 * The value of one sample line of a Prometheus text exposition; 0 when the metric is registered
 * but has no sample for these labels yet. Throws when the metric is not exposed at all, so a
 * renamed or unregistered metric fails the test instead of reading as 0.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const family = name.replace(/_(count|sum|bucket)$/, "");
  if (!text.includes(`# TYPE ${name} `) && !text.includes(`# TYPE ${family} `)) {
    throw new Error(`metric ${name} is not exposed`);
  }
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[4]);
  }
  return 0;
}
