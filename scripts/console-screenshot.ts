/**
 * Writes the README's picture of the console, docs/console-playground.png, from the built
 * service (npm run build first):  npm run docs:screenshot
 * The sample candles with SMA and Bollinger Bands over them, RSI and MACD in panes of their own,
 * the crosshair legend at a candle two thirds in.
 */
import { fileURLToPath } from "node:url";
import { chooseIndicators, launchChromium } from "../harness/browser.js";
import { startServerProcess } from "../harness/process.js";

const OUTPUT = fileURLToPath(new URL("../docs/console-playground.png", import.meta.url));

const server = await startServerProcess();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await page.goto(`${server.url}/console/`);
  await chooseIndicators(page, ["SMA", "BBANDS", "RSI", "MACD"]);
  await page.getByRole("button", { name: "Calculate" }).click();
  await page.locator(".results tbody tr").nth(3).waitFor();
  // Calculating moves focus to the results; the picture starts at the top.
  await page.evaluate("window.scrollTo(0, 0)");
  const pane = page.locator(".chart-canvas canvas").first();
  const box = await pane.boundingBox();
  if (!box) throw new Error("the chart did not draw");
  await page.mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.4);
  await page.screenshot({ path: OUTPUT });
  console.log(`wrote ${OUTPUT}`);
} finally {
  await browser.close();
  await server.stop();
}
