// Does one large, legitimate request (event-loop busy > REDIS_COMMAND_TIMEOUT_MS) trip the breaker
// and turn another replica's pending waiters into duplicate computations?
import { startServerProcess } from "../test/support/process.js";
import { RedisServer } from "../test/support/redis.js";
import { randomOhlcv } from "../test/support/series.js";

const redis = await RedisServer.start();
const env = { REDIS_URL: redis.url, DEBUG_COMPUTE_DELAY_MS: "1500", LOG_LEVEL: "info" };
const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
const post = async (url: string, body: object) => {
  const t = performance.now();
  const r = await fetch(`${url}/indicators/calculate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const j = (await r.json()) as any;
  return {
    status: r.status,
    ms: Math.round(performance.now() - t),
    sources: j.results?.map((x: any) => x.source),
    mode: j.meta?.mode,
  };
};
try {
  const s = randomOhlcv(5_000, 1);
  const x = {
    candles: { high: s.high, low: s.low, close: s.close },
    indicators: [{ name: "BBANDS" }, { name: "ATR" }, { name: "RSI" }],
  };
  const big = randomOhlcv(100_000, 2);
  const y = {
    candles: { open: big.open, high: big.high, low: big.low, close: big.close, volume: big.volume },
    indicators: [{ name: "SMA" }, { name: "EMA" }, { name: "OBV" }, { name: "MACD" }],
  };
  const holder = post(a.url, x);
  await new Promise((r) => setTimeout(r, 100));
  const waiter = post(b.url, x);
  await new Promise((r) => setTimeout(r, 100));
  const bigs = await Promise.all([
    post(b.url, y),
    post(b.url, { ...y, indicators: [{ name: "WMA" }] }),
    post(b.url, { ...y, indicators: [{ name: "DEMA" }] }),
  ]);
  console.log("big requests on B:", bigs.map((r) => `${r.status} ${r.ms}ms`).join(", "));
  console.log("holder A:", await holder);
  console.log("waiter B:", await waiter);
  const lines = b
    .output()
    .split("\n")
    .filter((l) => /mode/.test(l) && /Redis/.test(l));
  console.log("B mode-change log lines:\n" + lines.map((l) => l.slice(0, 220)).join("\n"));
} finally {
  await Promise.all([a.stop("SIGKILL"), b.stop("SIGKILL")]);
  await redis.stop();
}
