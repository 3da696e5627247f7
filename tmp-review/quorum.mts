// REDIS_LOCK_URLS with 3 nodes. Phase 1: a non-first lock node down -> does the mode flap?
// Phase 2: the first lock node (the lease reader) down while another replica holds a lock.
import { startServerProcess } from "../test/support/process.js";
import { RedisServer } from "../test/support/redis.js";
import { randomOhlcv } from "../test/support/series.js";

const phase = process.argv[2] ?? "1";
const main = await RedisServer.start();
const locks = await Promise.all([RedisServer.start(), RedisServer.start(), RedisServer.start()]);
const env = {
  REDIS_URL: main.url,
  REDIS_LOCK_URLS: locks.map((l) => l.url).join(","),
  DEBUG_COMPUTE_DELAY_MS: "4000",
  LOG_LEVEL: "info",
};
const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
const mode = async (url: string) => ((await (await fetch(`${url}/health`)).json()) as any).mode as string;
const post = async (url: string, body: object) => {
  const r = await fetch(`${url}/indicators/calculate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const j = (await r.json()) as any;
  return { status: r.status, sources: j.results?.map((x: any) => x.source), mode: j.meta?.mode };
};
const modeLines = (p: typeof a) =>
  p
    .output()
    .split("\n")
    .filter((l) => /Redis (unavailable|reachable)/.test(l)).length;
try {
  if (phase === "1") {
    await locks[2]!.stop();
    const seen: Record<string, number> = {};
    const t = Date.now();
    while (Date.now() - t < 3000) {
      const m = await mode(b.url);
      seen[m] = (seen[m] ?? 0) + 1;
      await new Promise((r) => setTimeout(r, 20));
    }
    console.log(
      "B /health samples over 3 s with lock node 3 of 3 down:",
      seen,
      "; B mode-change log lines:",
      modeLines(b),
    );
  } else {
    const s = randomOhlcv(5_000, 3);
    const indicators = ["BBANDS", "ATR", "RSI", "MACD", "STOCH", "CCI", "ADX", "WMA", "DEMA", "TEMA"].map(
      (name) => ({ name }),
    );
    const body = { candles: { high: s.high, low: s.low, close: s.close }, indicators };
    const holder = post(a.url, body).catch((e) => String(e));
    await new Promise((r) => setTimeout(r, 200));
    await locks[0]!.stop();
    // Wait for a moment when B's breaker is closed, then ask B for the units A holds.
    for (let i = 0; i < 200 && (await mode(b.url)) !== "distributed"; i++)
      await new Promise((r) => setTimeout(r, 5));
    const waiter = await post(b.url, body).catch((e) => `request failed: ${e}`);
    console.log("B response:", waiter);
    await new Promise((r) => setTimeout(r, 300));
    console.log("B process: exitCode", b.child.exitCode, "signal", b.child.signalCode);
    const tail = b
      .output()
      .split("\n")
      .filter((l) => !/^\{/.test(l))
      .slice(0, 14);
    console.log("B output:\n" + tail.map((l) => "   " + l.slice(0, 200)).join("\n"));
    console.log("A:", await holder);
  }
} finally {
  await Promise.all([a.stop("SIGKILL"), b.stop("SIGKILL")]);
  await Promise.all([main, ...locks].map((r) => r.stop()));
}
