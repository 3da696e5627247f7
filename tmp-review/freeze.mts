// Single Redis. Waiters on B cycle through re-check/PTTL once per (short) lease; freeze Redis.
import { startServerProcess } from "../test/support/process.js";
import { RedisServer } from "../test/support/redis.js";
import { randomOhlcv } from "../test/support/series.js";

const redis = await RedisServer.start();
const env = { REDIS_URL: redis.url, DEBUG_COMPUTE_DELAY_MS: "6000", LOCK_LEASE_MS: "100", LOG_LEVEL: "info" };
const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
const post = async (url: string, body: object) => {
  const r = await fetch(`${url}/indicators/calculate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return r.status;
};
try {
  const s = randomOhlcv(2_000, 11);
  const indicators = Array.from({ length: 40 }, (_, i) => ({ name: "SMA", params: { period: 2 + i } }));
  const body = { candles: { close: s.close }, indicators };
  const holder = post(a.url, body).catch((e) => String(e));
  await new Promise((r) => setTimeout(r, 300));
  const waiter = post(b.url, body).catch((e) => `request failed: ${e}`);
  await new Promise((r) => setTimeout(r, 1000 + Math.random() * 100));
  redis.freeze();
  console.log("B:", await waiter, "| exitCode", b.child.exitCode);
  console.log(
    b
      .output()
      .split("\n")
      .filter((l) => !/^\{/.test(l))
      .slice(0, 8)
      .join("\n"),
  );
  redis.thaw();
  console.log("A:", await holder);
} finally {
  redis.thaw();
  await Promise.all([a.stop("SIGKILL"), b.stop("SIGKILL")]);
  await redis.stop();
}
