import { spawn } from "node:child_process";
import { startServerProcess } from "../test/support/process.js";
import { RedisServer } from "../test/support/redis.js";
import { randomOhlcv } from "../test/support/series.js";

const hogs = Number(process.argv[2] ?? 2);
const redis = await RedisServer.start();
const env = {
  REDIS_URL: redis.url,
  DEBUG_COMPUTE_DELAY_MS: "800",
  LOCK_LEASE_MS: "600",
  LOCK_WAIT_TIMEOUT_MS: "10000",
  LOG_LEVEL: "info",
  NODE_OPTIONS: "--import /tmp/rv/eld.mjs",
};
const replicas = await Promise.all([0, 1, 2].map(() => startServerProcess(env)));
const hogProcs = Array.from({ length: hogs }, () =>
  spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }),
);
const post = async (url: string, body: object) => {
  const r = await fetch(`${url}/indicators/calculate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return ((await r.json()) as any).results.map((x: any) => x.source) as string[];
};
try {
  await Promise.all(
    replicas.map((r) =>
      post(r.url, {
        candles: { close: [1, 2, 3, 4, 5] },
        indicators: [{ name: "SMA", params: { period: 2 } }],
      }),
    ),
  );
  let dupRounds = 0;
  for (let round = 0; round < 8; round++) {
    const s = randomOhlcv(5_000, 7000 + round);
    const body = {
      candles: { high: s.high, low: s.low, close: s.close },
      indicators: [{ name: "BBANDS" }, { name: "ATR" }, { name: "RSI" }],
    };
    const res = await Promise.all(Array.from({ length: 36 }, (_, i) => post(replicas[i % 3]!.url, body)));
    const computed = [0, 1, 2].map((u) => res.filter((r) => r[u] === "computed").length);
    if (computed.some((c) => c !== 1)) dupRounds++;
    console.log(`round ${round}: computed per unit ${computed.join("/")}`);
  }
  console.log(`rounds with duplicates: ${dupRounds}/8`);
  for (const [i, r] of replicas.entries()) {
    const lines = r
      .output()
      .split("\n")
      .filter((l) => /"level":(40|50)/.test(l) || /distributed mode/.test(l) || /ELD/.test(l));
    console.log(`replica ${i}: ${lines.length} warn/mode lines`);
    for (const l of lines.slice(0, 12)) console.log("   ", l.slice(0, 130));
  }
} finally {
  for (const h of hogProcs) h.kill("SIGKILL");
  await Promise.all(replicas.map((r) => r.stop("SIGKILL")));
  await redis.stop();
}
