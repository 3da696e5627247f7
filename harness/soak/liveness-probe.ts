/**
 * Polls a URL every `intervalMs` until told to stop, then sends the latencies to its parent. It
 * runs as a process of its own (forked by flood.ts) so that the flood's client, busy writing
 * hundreds of megabytes of bodies on its own event loop, does not delay the probe and inflate
 * what is meant to be the server's answer time.
 */
const [url = "", intervalText = "50"] = process.argv.slice(2);
const intervalMs = Number(intervalText);
const latencies: number[] = [];
let probing = true;
process.on("message", () => {
  probing = false;
});
process.send?.("ready");
while (probing) {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
  } catch {
    // counted as the time it took to fail
  }
  latencies.push(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
process.send?.(latencies, () => process.exit(0));
