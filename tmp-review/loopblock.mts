import { monitorEventLoopDelay } from "node:perf_hooks";
import { ConfigSchema } from "../src/config/config.js";
import { createService } from "../src/service.js";
import { randomOhlcv } from "../test/support/series.js";

const svc = await createService({ ...ConfigSchema.parse({}), CACHE_ENABLED: false });
await svc.app.ready();
svc.lifecycle.markReady();
const s = randomOhlcv(5_000, 1);
const payload = JSON.stringify({
  candles: { high: s.high, low: s.low, close: s.close },
  indicators: [{ name: "BBANDS" }, { name: "ATR" }, { name: "RSI" }],
});
await svc.app.inject({
  method: "POST",
  url: "/indicators/calculate",
  headers: { "content-type": "application/json" },
  payload,
});
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
let maxGap = 0,
  last = performance.now();
const iv = setInterval(() => {
  const now = performance.now();
  maxGap = Math.max(maxGap, now - last);
  last = now;
}, 1);
const t = performance.now();
await Promise.all(
  Array.from({ length: 12 }, () =>
    svc.app.inject({
      method: "POST",
      url: "/indicators/calculate",
      headers: { "content-type": "application/json" },
      payload,
    }),
  ),
);
console.log(
  `12 concurrent 5k-candle requests: ${Math.round(performance.now() - t)} ms total, longest event-loop gap ${maxGap.toFixed(0)} ms, loop delay max ${(h.max / 1e6).toFixed(0)} ms`,
);
clearInterval(iv);
await svc.close();
