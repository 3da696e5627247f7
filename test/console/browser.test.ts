import { mkdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { tableFromIPC } from "@uwdata/flechette";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { candlesToCsv, parseCandles, sampleCandles } from "../../console/src/candles.js";
import { formatMs, formatValue } from "../../console/src/format.js";
import { chooseIndicators, launchChromium } from "../../harness/browser.js";
import { FaultProxy } from "../../harness/fault-proxy.js";
import { type ServerProcess, startServerProcess } from "../../harness/process.js";

/**
 * The web console in a real Chromium (Debian's, as .ci/run installs it) against the built
 * service: what a user sees is checked against what the API answers. Screenshots of every page
 * are kept in test-artifacts/console/.
 */

const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/console/", import.meta.url));
const KEY = "console-browser-key-0001";

interface Watched {
  readonly page: Page;
  /** Console errors, page errors, failed requests, CSP violations, error answers not expected. */
  readonly problems: string[];
}

type ResultValues = (number | null)[] | Record<string, (number | null)[]>;
interface CalculateAnswer {
  results: { id: string; implementation?: string; values: ResultValues }[];
}
interface ParamSchema {
  type?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: (string | number)[];
}
interface CatalogAnswer {
  indicators: { name: string; params: { properties?: Record<string, ParamSchema> } }[];
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  await mkdir(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

/** A page whose every console error, failed request and CSP violation is recorded. */
async function watch(context: BrowserContext, expectedStatuses: readonly number[] = []): Promise<Watched> {
  const page = await context.newPage();
  const problems: string[] = [];
  const expectedLoadError = new RegExp(`status of (${expectedStatuses.join("|") || "none"}) `);
  page.on("console", (message) => {
    if (message.type() === "error" && !expectedLoadError.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) =>
    problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`),
  );
  page.on("response", (response) => {
    if (response.status() >= 400 && !expectedStatuses.includes(response.status()))
      problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.exposeFunction("reportCspViolation", (text: string) => problems.push(`CSP: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { reportCspViolation: (text: string) => void }).reportCspViolation(
        `${event.violatedDirective} ${event.blockedURI}`,
      );
    });
  });
  return { page, problems };
}

async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    );
}

/** The JSON body of the playground's curl command (its `--data-raw '...'`, shell-unquoted). */
function curlBody(command: string): unknown {
  const quoted = /--data-raw '((?:[^']|'\\'')*)'$/.exec(command);
  if (!quoted) throw new Error(`no body in ${command.slice(0, 200)}`);
  return JSON.parse((quoted[1] as string).replaceAll("'\\''", "'"));
}

function column(answer: CalculateAnswer, name: string): (number | null)[] {
  for (const { id, values } of answer.results) {
    if (Array.isArray(values) && id === name) return values;
    if (!Array.isArray(values))
      for (const [output, series] of Object.entries(values)) if (`${id}.${output}` === name) return series;
  }
  throw new Error(`no result column ${name}`);
}

function indicatorItem(page: Page, name: string) {
  return page
    .locator("li.indicator")
    .filter({ has: page.locator("strong", { hasText: new RegExp(`^${name}$`) }) });
}

async function legend(
  page: Page,
): Promise<{ index: number; items: { column: string; value: string; text: string }[] }> {
  return page.locator(".legend").evaluate((element) => ({
    index: Number((element as HTMLElement).dataset.index),
    items: [...element.querySelectorAll<HTMLElement>(".legend-item")].map((item) => ({
      column: item.dataset.column ?? "",
      value: item.dataset.value ?? "",
      text: item.querySelector("b")?.textContent ?? "",
    })),
  }));
}

/** Where a colour is painted in a pane: how many pixels, and the leftmost one's x as a fraction of the width. */
type Paint = Record<string, { pixels: number; left: number }>;

/**
 * Each chart pane's main canvas (top to bottom), searched for the colour of every legend swatch
 * and of the theme's up and down colours.
 */
async function paintedPanes(page: Page): Promise<Paint[]> {
  return page.locator(".chart").evaluate((chart) => {
    const probe = document.createElement("canvas").getContext("2d") as CanvasRenderingContext2D;
    const rgb = (color: string) => {
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = color;
      probe.fillRect(0, 0, 1, 1);
      return [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3)];
    };
    const root = getComputedStyle(document.documentElement);
    const colors: [string, number[]][] = [
      ...[...chart.querySelectorAll<HTMLElement>(".legend-item")].flatMap((item) => {
        const swatch = item.querySelector<HTMLElement>(".swatch");
        return swatch
          ? [[item.dataset.column ?? "", rgb(swatch.style.backgroundColor)] as [string, number[]]]
          : [];
      }),
      ["up", rgb(root.getPropertyValue("--up").trim())],
      ["down", rgb(root.getPropertyValue("--down").trim())],
    ];
    // lightweight-charts lays its panes out as table rows, the time axis last.
    const rows = [...chart.querySelectorAll("tr")].filter((row) =>
      row.querySelector("td:nth-child(2) canvas"),
    );
    return rows.slice(0, -1).map((row) => {
      const canvas = row.querySelector("td:nth-child(2) canvas") as HTMLCanvasElement;
      const { data, width, height } = (canvas.getContext("2d") as CanvasRenderingContext2D).getImageData(
        0,
        0,
        canvas.width,
        canvas.height,
      );
      const paint: Record<string, { pixels: number; left: number }> = {};
      for (const [name, [r = 0, g = 0, b = 0]] of colors) {
        let pixels = 0;
        let left = width;
        for (let y = 0; y < height; y++)
          for (let x = 0; x < width; x++) {
            const i = (y * width + x) * 4;
            const distance =
              Math.abs((data[i] as number) - r) +
              Math.abs((data[i + 1] as number) - g) +
              Math.abs((data[i + 2] as number) - b);
            if (distance > 24) continue;
            pixels++;
            left = Math.min(left, x);
          }
        paint[name] = { pixels, left: left / width };
      }
      return paint;
    });
  });
}

/** The colours painted in a pane with more than a few stray pixels, sorted. */
function paintedIn(paint: Paint): string[] {
  return Object.entries(paint)
    .filter(([, { pixels }]) => pixels > 50)
    .map(([name]) => name)
    .sort();
}

// A real browser, a built service and jobs of thousands of series on two shared cores: each test
// gets twice the suite's default time, and every Playwright step fails at 20 s naming its locator.
const BROWSER_TEST = { timeout: 60_000 };

describe("the web console", BROWSER_TEST, () => {
  let server: ServerProcess;
  let context: BrowserContext;

  beforeAll(async () => {
    // One series per chunk, one chunk at a time: a job's progress moves in many steps, and a job
    // of thousands of series is still running when the test cancels it.
    server = await startServerProcess({ JOB_CHUNK_SERIES: "1", JOB_CONCURRENCY: "1" });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    context.setDefaultTimeout(20_000);
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it("draws SMA, RSI and MACD over the sample, its legend showing the API's numbers", async () => {
    const { page, problems } = await watch(context);
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe("/console/");
    await chooseIndicators(page, ["SMA", "RSI", "MACD"]);
    // One result from the other implementation: the table's column has something to tell apart.
    const rsi = indicatorItem(page, "RSI");
    const catalog = (await (await fetch(`${server.url}/indicators`)).json()) as {
      indicators: { name: string; warmups: Record<string, string> }[];
    };
    const rsiWarmups = catalog.indicators.find((entry) => entry.name === "RSI")?.warmups ?? {};
    await expect.poll(() => rsi.locator(".warmup").textContent()).toBe(rsiWarmups.talib);
    await rsi.getByLabel("Implementation").selectOption("trading-signals");
    // The warm-up hint follows the implementation chosen.
    await expect.poll(() => rsi.locator(".warmup").textContent()).toBe(rsiWarmups["trading-signals"]);
    const answered = page.waitForResponse((response) => response.url().endsWith("/indicators/calculate"));
    await page.getByRole("button", { name: "Calculate" }).click();
    const shown = (await (await answered).json()) as { results: { elapsedMs: number }[] };
    await expect.poll(() => page.locator(".results tbody tr").count()).toBe(3);
    // The first time, every result was computed; each row gives its own time as the API reported it.
    expect(await page.locator(".results tbody td.source").allTextContents()).toEqual([
      "computed",
      "computed",
      "computed",
    ]);
    expect(await page.locator(".results tbody td.elapsed").allTextContents()).toEqual(
      shown.results.map((result) => formatMs(result.elapsedMs)),
    );

    // Every pane has drawn: the price pane, RSI's and MACD's each hold many pixels off their background.
    const drawn = await page.locator(".chart-canvas canvas").evaluateAll((canvases) =>
      canvases.map((canvas) => {
        const element = canvas as HTMLCanvasElement;
        const context2d = element.getContext("2d");
        if (!context2d || element.width === 0 || element.height === 0) return 0;
        const { data } = context2d.getImageData(0, 0, element.width, element.height);
        let differing = 0;
        for (let i = 0; i < data.length; i += 4)
          if (
            data[i] !== data[0] ||
            data[i + 1] !== data[1] ||
            data[i + 2] !== data[2] ||
            data[i + 3] !== data[3]
          )
            differing++;
        return differing;
      }),
    );
    expect(drawn.filter((pixels) => pixels > 2_000).length).toBeGreaterThanOrEqual(3);

    // The panes as the chart holds them: SMA over the candles, RSI and MACD in panes of their own,
    // MACD's histogram as bars; and the painted canvases agree.
    const panes = JSON.parse((await page.locator(".chart-canvas").getAttribute("data-panes")) ?? "null");
    expect(panes).toEqual([
      [
        { shows: "candles", type: "Candlestick" },
        { shows: "SMA(20)", type: "Line" },
      ],
      [{ shows: "RSI(14)", type: "Line" }],
      [
        { shows: "MACD(12,26,9).macd", type: "Line" },
        { shows: "MACD(12,26,9).signal", type: "Line" },
        { shows: "MACD(12,26,9).histogram", type: "Histogram" },
      ],
    ]);
    const painted = await paintedPanes(page);
    expect(painted.map(paintedIn)).toEqual([
      ["SMA(20)", "down", "up"],
      ["RSI(14)"],
      // The histogram's bars take the up and down colours by sign.
      ["MACD(12,26,9).macd", "MACD(12,26,9).signal", "down", "up"],
    ]);

    // The same request from here: its numbers are what the legend shows.
    await page.getByText("The request as curl").click();
    const body = curlBody(await page.getByLabel("The request as a curl command").inputValue()) as {
      candles: Record<string, number[]>;
    };
    const answer = (await (
      await fetch(`${server.url}/indicators/calculate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      })
    ).json()) as CalculateAnswer;
    // Each row names the implementation the API says computed that result.
    expect(
      await page
        .locator(".results tbody tr")
        .evaluateAll((rows) =>
          rows.map((row) => [
            row.querySelector("th")?.textContent,
            row.querySelectorAll("td")[1]?.textContent,
          ]),
        ),
    ).toEqual(answer.results.map((result) => [result.id, result.implementation]));
    expect(answer.results.map((result) => result.implementation)).toEqual([
      "talib",
      "trading-signals",
      "talib",
    ]);

    const pane = page.locator(".chart-canvas canvas").first();
    await pane.scrollIntoViewIfNeeded();
    const box = await pane.boundingBox();
    if (!box) throw new Error("no chart canvas");
    const hovered: number[] = [];
    for (const fraction of [0.03, 0.5, 0.8]) {
      await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2, { steps: 4 });
      await expect.poll(async () => (await legend(page)).index).not.toBe(hovered.at(-1) ?? 299);
      const shown = await legend(page);
      hovered.push(shown.index);
      const columns = shown.items.map((item) => item.column);
      expect(columns).toEqual(
        expect.arrayContaining([
          "close",
          "SMA(20)",
          "RSI(14)",
          "MACD(12,26,9).macd",
          "MACD(12,26,9).histogram",
        ]),
      );
      for (const item of shown.items) {
        const expected =
          item.column in body.candles
            ? (body.candles[item.column]?.[shown.index] as number)
            : column(answer, item.column)[shown.index];
        expect(item.value, item.column).toBe(
          expected === null || expected === undefined ? "" : String(expected),
        );
        expect(item.text, item.column).toBe(formatValue(expected));
      }
    }
    // Near the left edge the indicators are still warming up: the legend shows them empty.
    expect(hovered[0]).toBeLessThan(19);
    expect((await legend(page)).items.length).toBeGreaterThan(0);
    expect(column(answer, "SMA(20)")[hovered[0] as number]).toBeNull();
    // Nothing is drawn over the warm-up: each line's (or bar's) leftmost pixel is at its first value.
    const [price, rsiPane, macdPane] = painted as [Paint, Paint, Paint];
    for (const [paint, colors, name] of [
      [price, ["SMA(20)"], "SMA(20)"],
      [rsiPane, ["RSI(14)"], "RSI(14)"],
      [macdPane, ["up", "down"], "MACD(12,26,9).histogram"],
    ] as const) {
      const first = column(answer, name).findIndex((value) => value !== null);
      expect(first, name).toBeGreaterThan(10);
      const left = Math.min(...colors.map((color) => paint[color]?.left ?? 1));
      await page.mouse.move(box.x + box.width * left + 1, box.y + box.height / 2, { steps: 4 });
      await expect
        .poll(async () => Math.abs((await legend(page)).index - first), { message: name })
        .toBeLessThanOrEqual(1);
    }

    // The same request again is served from the memory cache, and the table says so.
    await page.getByRole("button", { name: "Calculate" }).click();
    await expect
      .poll(() => page.locator(".results tbody td.source").allTextContents())
      .toEqual(["memory", "memory", "memory"]);

    await page.screenshot({ path: `${ARTIFACTS}playground.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    const themeToggle = page.getByRole("button", { name: "Dark theme" });
    expect(await themeToggle.getAttribute("aria-pressed")).toBe("false");
    await themeToggle.click();
    expect(await themeToggle.getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.screenshot({ path: `${ARTIFACTS}playground-dark.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows the API's message next to the param it names", async () => {
    const { page, problems } = await watch(context, [400]);
    await page.goto(`${server.url}/console/`);
    await chooseIndicators(page, ["SMA", "RSI"]);
    const period = indicatorItem(page, "SMA").getByLabel("period");
    await period.fill("0");
    await page.getByRole("button", { name: "Calculate" }).click();
    const errorId = ((await period.getAttribute("aria-describedby")) ?? "")
      .split(" ")
      .find((id) => id.endsWith("-error"));
    const error = page.locator(`[id="${errorId}"]`);
    await expect.poll(() => error.textContent()).not.toBe("");

    const answer = await fetch(`${server.url}/indicators/calculate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        candles: { close: [1, 2, 3] },
        indicators: [{ name: "SMA", params: { period: 0 } }],
      }),
    });
    const problem = (await answer.json()) as { errors: { path: string; message: string }[] };
    const message = problem.errors.find((issue) => issue.path === "indicators[0].params.period")?.message;
    expect(message).toBeTruthy();
    expect(await error.textContent()).toBe(message);
    expect(await period.getAttribute("aria-invalid")).toBe("true");
    // RSI's period is fine: no message there.
    const rsiPeriod = indicatorItem(page, "RSI").getByLabel("period");
    expect(await rsiPeriod.getAttribute("aria-invalid")).toBeNull();
    // Focus went to the field the user has to fix.
    expect(await period.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}playground-error.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("runs a 200-series job to 100% through its events and downloads what the API serves", async () => {
    const { page, problems } = await watch(context);
    await page.goto(`${server.url}/console/#jobs`);
    await page.getByLabel("How many").fill("200");
    await page.getByLabel("Candles each").fill("300");
    // Every value the bar shows, as the events move it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver((records) => {
        for (const record of records) {
          const percent = (record.target as HTMLElement).dataset?.percent;
          if (record.attributeName === "data-percent" && percent !== undefined) seen.push(percent);
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-percent"] });
    });
    await page.getByRole("button", { name: "Start job" }).click();
    const card = page.locator("article.job").first();
    await expect.poll(() => card.locator(".job-status").textContent(), { timeout: 30_000 }).toBe("completed");
    const seen = (
      await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen)
    ).map(Number);
    expect(seen.at(-1)).toBe(100);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(
      await card
        .locator("progress")
        .evaluate((bar) => [(bar as HTMLProgressElement).value, (bar as HTMLProgressElement).max]),
    ).toEqual([200, 200]);
    await card.getByText("Series (200)").click();
    expect(await card.locator("tbody tr[data-status=done]").count()).toBe(200);

    const id = (await card.getAttribute("data-job")) as string;
    const apiNdjson = await (await fetch(`${server.url}/jobs/${id}/results`)).text();
    const lines = apiNdjson
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { key: string } & CalculateAnswer);
    expect(lines).toHaveLength(200);

    const downloaded = async (name: string) => {
      const [file] = await Promise.all([
        page.waitForEvent("download"),
        card.getByRole("button", { name }).click(),
      ]);
      return readFile((await file.path()) as string);
    };
    expect((await downloaded("Download NDJSON")).toString()).toBe(apiNdjson);

    const csv = (await downloaded("Download CSV")).toString().trim().split("\n");
    expect(csv[0]).toBe("key,index,SMA(20),RSI(14)");
    expect(csv).toHaveLength(1 + 200 * 300);
    for (const [row, text] of csv.slice(1).entries()) {
      const [key, index, sma, rsi] = text.split(",");
      const line = lines[Math.floor(row / 300)] as (typeof lines)[number];
      expect(key).toBe(line.key);
      expect(Number(index)).toBe(row % 300);
      const cell = (value: number | null | undefined) =>
        value === null || value === undefined ? "" : String(value);
      expect(sma).toBe(cell(column(line, "SMA(20)")[row % 300]));
      expect(rsi).toBe(cell(column(line, "RSI(14)")[row % 300]));
    }

    // The Arrow download read by an independent implementation (flechette), against the NDJSON.
    const table = tableFromIPC(await downloaded("Download Arrow"), { useBigInt: false });
    expect(table.numRows).toBe(200 * 300);
    const keys = table.getChild("key").toArray();
    const rsi = table.getChild("RSI(14)").toArray();
    for (let row = 0; row < table.numRows; row += 97) {
      const line = lines[Math.floor(row / 300)] as (typeof lines)[number];
      expect(keys[row]).toBe(line.key);
      const expected = column(line, "RSI(14)")[row % 300];
      expect(rsi[row]).toBe(expected === null || expected === undefined ? null : expected);
    }

    await page.screenshot({ path: `${ARTIFACTS}jobs.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("is used from the keyboard: skip link first, Enter in a field calculates, jobs cancel", async () => {
    const { page, problems } = await watch(context);
    await page.goto(`${server.url}/console/`);
    await page.getByRole("button", { name: "Calculate" }).waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
    // Tab order follows the page: the candles come before the indicators, the indicators before Calculate.
    const order: string[] = [];
    for (let i = 0; i < 40 && !order.includes("Calculate"); i++) {
      await page.keyboard.press("Tab");
      order.push(
        await page.evaluate(() => {
          const element = document.activeElement as HTMLElement | null;
          return element?.id.startsWith("candles-")
            ? "candles"
            : (element?.getAttribute("name") ?? element?.textContent ?? "");
        }),
      );
    }
    expect(order.indexOf("candles")).toBeGreaterThanOrEqual(0);
    expect(order.indexOf("candles")).toBeLessThan(order.indexOf("period"));
    expect(order.indexOf("period")).toBeLessThan(order.indexOf("Calculate"));
    await indicatorItem(page, "SMA").getByLabel("period").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator(".results tbody tr").count()).toBe(4);
    // The chart takes focus; arrow keys move the crosshair and the legend, read out politely.
    const chart = page.getByRole("img", { name: /arrow keys move between candles/ });
    await chart.focus();
    const legendIndex = () => page.locator(".legend").getAttribute("data-index");
    await page.keyboard.press("Home");
    expect(await legendIndex()).toBe("0");
    await page.keyboard.press("ArrowRight");
    expect(await legendIndex()).toBe("1");
    await page.keyboard.press("Shift+ArrowRight");
    expect(await legendIndex()).toBe("11");
    await page.keyboard.press("End");
    expect(await legendIndex()).toBe("299");
    expect(await page.locator(".legend").getAttribute("aria-live")).toBe("polite");

    await page.goto(`${server.url}/console/#jobs`);
    await page.getByLabel("How many").fill("3000");
    await page.getByLabel("Candles each").fill("200");
    await page.getByRole("button", { name: "Start job" }).press("Enter");
    const card = page.locator("article.job").first();
    await card.getByRole("button", { name: "Cancel" }).press("Enter");
    await expect.poll(() => card.locator(".job-status").textContent(), { timeout: 20_000 }).toBe("cancelled");
    expect(await card.getByRole("button", { name: "Cancel" }).isDisabled()).toBe(true);
    const settled = await card.locator("progress").evaluate((bar) => (bar as HTMLProgressElement).value);
    expect(settled).toBeLessThan(3000);
    await page.screenshot({ path: `${ARTIFACTS}jobs-cancelled.png` });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("builds each params form from the catalog's JSON Schema: default, bounds, enums as selects", async () => {
    const catalog = (await (await fetch(`${server.url}/indicators`)).json()) as CatalogAnswer;
    const { page, problems } = await watch(context);
    await page.goto(`${server.url}/console/`);
    await page.getByRole("button", { name: "Calculate" }).waitFor();
    // The default indicators: integer and number params, inclusive and exclusive bounds.
    const items = await page.locator("li.indicator").all();
    expect(items.length).toBeGreaterThanOrEqual(2);
    for (const item of items) {
      const name = await item.locator("strong").textContent();
      const properties = Object.entries(
        catalog.indicators.find((entry) => entry.name === name)?.params.properties ?? {},
      );
      expect(properties.length, `${name}`).toBeGreaterThan(0);
      const numeric = properties.filter(([, schema]) => schema.enum === undefined);
      expect(await item.locator("fieldset.params input").count()).toBe(numeric.length);
      // An enum (a single-input indicator's source) is a select of its values, the default chosen.
      for (const [param, schema] of properties.filter(([, each]) => each.enum !== undefined)) {
        const select = item.getByLabel(param, { exact: true });
        expect(await select.evaluate((element) => element.tagName)).toBe("SELECT");
        expect(await select.locator("option").allTextContents()).toEqual(schema.enum?.map(String));
        expect(await select.inputValue()).toBe(String(schema.default ?? schema.enum?.[0]));
      }
      for (const [param, schema] of numeric) {
        const input = item.getByLabel(param, { exact: true });
        const where = `${name}.${param}`;
        expect(await input.inputValue(), where).toBe(String(schema.default));
        expect(await input.getAttribute("type"), where).toBe("number");
        expect(await input.getAttribute("step"), where).toBe(schema.type === "integer" ? "1" : "any");
        expect(await input.getAttribute("min"), where).toBe(
          schema.minimum === undefined ? null : String(schema.minimum),
        );
        expect(await input.getAttribute("max"), where).toBe(
          schema.maximum === undefined ? null : String(schema.maximum),
        );
        // An exclusive bound, which no input attribute can say, is in the hint with the default.
        const hintId = ((await input.getAttribute("aria-describedby")) ?? "").split(" ")[0];
        const hint = (await page.locator(`[id="${hintId}"]`).textContent()) ?? "";
        expect(hint, where).toContain(`default ${schema.default}`);
        if (schema.exclusiveMinimum !== undefined)
          expect(hint, where).toContain(`> ${schema.exclusiveMinimum}`);
      }
    }
    await page.close();

    // No indicator of the catalog has a numeric enum or a boolean param: SMA is given some here.
    const extra: Record<string, ParamSchema> = {
      smoothing: { type: "string", enum: ["none", "ema", "wilder"], default: "ema" },
      lag: { enum: [1, 2, 3], default: 2 },
      adjusted: { type: "boolean", default: true },
    };
    const other = await watch(context, [400]);
    await other.page.route("**/indicators", async (route) => {
      const real = (await (await route.fetch()).json()) as CatalogAnswer;
      for (const entry of real.indicators)
        if (entry.name === "SMA") entry.params.properties = { ...entry.params.properties, ...extra };
      await route.fulfill({ json: real });
    });
    await other.page.goto(`${server.url}/console/`);
    await chooseIndicators(other.page, ["SMA"]);
    const sma = indicatorItem(other.page, "SMA");
    for (const param of ["smoothing", "lag"]) {
      const select = sma.getByLabel(param, { exact: true });
      expect(await select.evaluate((element) => element.tagName)).toBe("SELECT");
      expect(await select.locator("option").allTextContents()).toEqual(extra[param]?.enum?.map(String));
      expect(await select.inputValue()).toBe(String(extra[param]?.default));
    }
    const adjusted = sma.getByLabel("adjusted", { exact: true });
    expect(await adjusted.getAttribute("type")).toBe("checkbox");
    expect(await adjusted.isChecked()).toBe(true);
    // What is sent is typed as the schema says (the API refuses the made-up params, as it should).
    await sma.getByLabel("lag", { exact: true }).selectOption("3");
    await adjusted.uncheck();
    const [request] = await Promise.all([
      other.page.waitForRequest("**/indicators/calculate"),
      other.page.getByRole("button", { name: "Calculate" }).click(),
    ]);
    expect((request.postDataJSON() as { indicators: { params: unknown }[] }).indicators[0]?.params).toEqual({
      period: 20,
      source: "close",
      smoothing: "ema",
      lag: 3,
      adjusted: false,
    });
    expect(other.problems).toEqual([]);
    expect(problems).toEqual([]);
    await other.page.close();
  });

  it("reads an uploaded CSV file as it reads the same CSV pasted, and copies the curl it shows", async () => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const { page, problems } = await watch(context);
    await page.goto(`${server.url}/console/`);
    await chooseIndicators(page, ["SMA", "RSI"]);
    const csv = candlesToCsv(sampleCandles(120, 7, 40));
    const candles = page.getByLabel("CSV or JSON candles");
    const curl = page.getByLabel("The request as a curl command");
    const status = page.locator("p.status");
    const calculate = async () => {
      await page.getByRole("button", { name: "Calculate" }).click();
      await expect.poll(() => status.textContent()).toMatch(/^2 results over 120 candles/);
      const rows = await page.locator(".results tbody tr").evaluateAll((trs) =>
        // Without the time column: two runs of the same request take different times.
        trs.map((tr) => [...tr.querySelectorAll("th, td:not(.elapsed)")].map((cell) => cell.textContent)),
      );
      return { body: curlBody(await curl.inputValue()), rows };
    };

    await candles.fill(csv);
    const pasted = await calculate();
    expect(pasted.body).toEqual({ candles: parseCandles(csv), indicators: expect.any(Array) });
    expect(pasted.rows.map((row) => row.at(-1))).toEqual(["computed", "computed"]);

    await page.getByRole("button", { name: "Generate sample" }).click();
    expect(await candles.inputValue()).not.toBe(csv);
    await page
      .getByLabel("Upload a file")
      .setInputFiles({ name: "candles.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await expect.poll(() => candles.inputValue()).toBe(csv);
    const uploaded = await calculate();
    expect(uploaded.body).toEqual(pasted.body);
    // The same request: served from the memory cache, the same results otherwise.
    expect(uploaded.rows).toEqual(pasted.rows.map((row) => [...row.slice(0, -1), "memory"]));

    await page.getByText("The request as curl").click();
    await page.getByRole("button", { name: "Copy", exact: true }).click();
    await expect.poll(() => status.textContent()).toBe("The curl command is on the clipboard.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await curl.inputValue());
    await context.clearPermissions();
    await page.screenshot({ path: `${ARTIFACTS}playground-upload.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("resumes a job's events after the connection is cut, every series counted once", async () => {
    // The browser reaches the service through a proxy that cuts every connection once mid-job.
    const proxy = await FaultProxy.start({ port: Number(new URL(server.url).port) });
    try {
      const { page, problems } = await watch(context);
      const resumedFrom: (string | undefined)[] = [];
      page.on("request", (request) => {
        if (/\/jobs\/[^/]+\/events$/.test(new URL(request.url()).pathname))
          resumedFrom.push(request.headers()["last-event-id"]);
      });
      await page.goto(`http://127.0.0.1:${proxy.port}/console/#jobs`);
      // Series no other test computed (the series cache would answer at once), many of them.
      await page.getByLabel("How many").fill("400");
      await page.getByLabel("Candles each").fill("250");
      // Every percent and status the card shows, and each series row's status writes. Events
      // replayed at once are handled in one task: the values are read as each write's old value.
      await page.evaluate(() => {
        const seen = {
          percent: [] as string[],
          status: [] as string[],
          rowWrites: {} as Record<string, number>,
        };
        (window as unknown as { seen: typeof seen }).seen = seen;
        new MutationObserver((records) => {
          for (const record of records) {
            const target = record.target as HTMLElement;
            if (record.attributeName === "data-percent") seen.percent.push(record.oldValue ?? "");
            else if (target.classList.contains("job-status")) seen.status.push(record.oldValue ?? "");
            else if (target.tagName === "TR") {
              const key = target.querySelector("th")?.textContent ?? "";
              seen.rowWrites[key] = (seen.rowWrites[key] ?? 0) + 1;
            }
          }
        }).observe(document.body, {
          subtree: true,
          attributes: true,
          attributeOldValue: true,
          attributeFilter: ["data-percent", "data-status"],
        });
      });
      // The job's first event stream trickles in (some 100 kB in all), so the cut comes mid-stream
      // however fast the job runs.
      await page.route(
        "**/jobs/*/events",
        async (route) => {
          proxy.set({ bandwidthBytesPerSecond: 20_000 });
          await route.continue();
        },
        { times: 1 },
      );
      await page.getByRole("button", { name: "Start job" }).click();
      const card = page.locator("article.job").first();
      const bar = card.locator("progress");
      await expect
        .poll(async () => Number(await bar.getAttribute("data-percent")), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(5);
      const cutAt = Number(await bar.getAttribute("data-percent"));
      proxy.cutConnections();
      proxy.set({});
      await expect
        .poll(() => card.locator(".job-status").textContent(), { timeout: 30_000 })
        .toBe("completed");
      expect(cutAt).toBeLessThan(100);

      const seen = await page.evaluate(() => {
        const { percent, status, rowWrites } = (
          window as unknown as {
            seen: { percent: string[]; status: string[]; rowWrites: Record<string, number> };
          }
        ).seen;
        // Each write's value is the next write's old value; the last one is what is there now.
        const written = (old: string[], selector: string, name: string) => [
          ...old.slice(1),
          document.querySelector(`article.job ${selector}`)?.getAttribute(name) ?? "",
        ];
        return {
          percents: written(percent, "progress", "data-percent"),
          statuses: written(status, ".job-status", "data-status"),
          rowWrites,
        };
      });
      // The card said it was reconnecting, then followed the job to its end.
      expect(seen.statuses).toContain("reconnecting…");
      expect(seen.statuses.at(-1)).toBe("completed");
      // It resumed after the last event it had, not from the start.
      expect(resumedFrom.length).toBeGreaterThanOrEqual(2);
      expect(resumedFrom[0]).toBeUndefined();
      for (const id of resumedFrom.slice(1)) expect(id).toMatch(/\S/);
      // Progress never went back and ended at exactly 100%, each series counted once.
      const percents = seen.percents.map(Number);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      expect(percents.at(-1)).toBe(100);
      expect(
        await bar.evaluate((element) => [
          (element as HTMLProgressElement).value,
          (element as HTMLProgressElement).max,
        ]),
      ).toEqual([400, 400]);
      expect(await card.locator(".counts").textContent()).toMatch(/^400 done, 0 failed of 400/);
      expect(Object.keys(seen.rowWrites)).toHaveLength(400);
      expect(new Set(Object.values(seen.rowWrites))).toEqual(new Set([1]));
      await card.getByText("Series (400)").click();
      expect(await card.locator("tbody tr[data-status=done]").count()).toBe(400);
      await page.screenshot({ path: `${ARTIFACTS}jobs-reconnected.png`, fullPage: true });
      // The cut event stream is the one request allowed to fail (Chromium logs that without its URL).
      const cut =
        /\/events net::ERR_CONNECTION_RESET$|^console: Failed to load resource: net::ERR_CONNECTION_RESET$/;
      expect(problems.filter((problem) => !cut.test(problem))).toEqual([]);
      await page.close();
    } finally {
      await proxy.close();
    }
  });
});

describe("the web console with a worker pool that overflows", BROWSER_TEST, () => {
  let server: ServerProcess;
  let context: BrowserContext;

  beforeAll(async () => {
    // The one way a series fails at run time in a standalone service (validation refuses the
    // whole job before it runs): one pool thread, one waiting unit, every unit pooled, and no
    // waiting for room. The series whose units find the pool's queue full fail as OVERLOADED;
    // the others are computed.
    server = await startServerProcess({
      SCHEDULER_MAX_WORKERS: "1",
      SCHEDULER_MAX_QUEUE: "1",
      SCHEDULER_POOL_MIN_COST_MS: "0",
      JOB_POOL_WAIT_MS: "0",
    });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    context.setDefaultTimeout(20_000);
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it("shows each failed series' error in the job's table, as the API reports it", async () => {
    const { page, problems } = await watch(context);
    await page.goto(`${server.url}/console/#jobs`);
    await page.getByLabel("How many").fill("20");
    await page.getByLabel("Candles each").fill("300");
    await page.getByRole("button", { name: "Start job" }).click();
    const card = page.locator("article.job").first();
    await expect.poll(() => card.locator(".job-status").textContent(), { timeout: 30_000 }).toBe("completed");
    const id = (await card.getAttribute("data-job")) as string;
    const job = (await (await fetch(`${server.url}/jobs/${id}`)).json()) as {
      progress: { done: number; failed: number; total: number };
      errors: { key: string; code: string; detail: string }[];
    };
    expect(job.progress.done).toBeGreaterThan(0);
    expect(job.progress.failed).toBeGreaterThan(0);
    expect(job.errors).toHaveLength(job.progress.failed);
    expect(await card.locator(".counts").textContent()).toMatch(
      new RegExp(`^${job.progress.done} done, ${job.progress.failed} failed of 20`),
    );
    await card.getByText("Series (20)").click();
    const rows = await card.locator("tbody tr").evaluateAll((trs) =>
      trs.map((tr) => ({
        key: tr.querySelector("th")?.textContent ?? "",
        status: (tr as HTMLElement).dataset.status,
        error: tr.querySelectorAll("td")[2]?.textContent ?? "",
      })),
    );
    const errors = new Map(job.errors.map((error) => [error.key, `${error.code}: ${error.detail}`]));
    expect(rows).toHaveLength(20);
    for (const row of rows)
      expect(row, row.key).toEqual({
        key: row.key,
        status: errors.has(row.key) ? "failed" : "done",
        error: errors.get(row.key) ?? "",
      });
    await page.screenshot({ path: `${ARTIFACTS}jobs-failed.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("the web console with API keys", BROWSER_TEST, () => {
  let server: ServerProcess;
  let context: BrowserContext;

  beforeAll(async () => {
    server = await startServerProcess({ API_KEYS: KEY });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    context.setDefaultTimeout(20_000);
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it("shows no data without the key and everything with it, the key kept for the tab only", async () => {
    const { page, problems } = await watch(context, [401]);
    const calls: { url: string; authorization?: string; status: number }[] = [];
    page.on("response", async (response) => {
      if (new URL(response.url()).pathname.startsWith("/console")) return;
      calls.push({
        url: new URL(response.url()).pathname,
        authorization: await response
          .request()
          .headerValue("authorization")
          .then((value) => value ?? undefined),
        status: response.status(),
      });
    });
    await page.goto(`${server.url}/console/`);
    const keyInput = page.getByLabel("API key");
    await keyInput.waitFor();
    expect(await page.locator("li.indicator").count()).toBe(0);
    // Asked for a key before giving one is no error.
    expect(await page.locator("#api-key-error").textContent()).toBe("");
    expect(await page.getByRole("button", { name: "Calculate" }).count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}api-key.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    await keyInput.fill("not-the-key-at-all");
    await page.getByRole("button", { name: "Use key" }).click();
    await expect.poll(() => page.locator("#api-key-error").textContent()).toBe("The API key is not valid.");

    await page.getByLabel("API key").fill(KEY);
    await page.getByRole("button", { name: "Use key" }).click();
    await page.getByRole("button", { name: "Calculate" }).click();
    await expect.poll(() => page.locator(".results tbody tr").count()).toBe(4);
    // A job from a CSV of many series: one per symbol.
    await page.goto(`${server.url}/console/#jobs`);
    const rows = Array.from(
      { length: 60 },
      (_, i) =>
        `${["AAA", "BBB", "CCC"][i % 3]},${Date.UTC(2024, 0, 1 + Math.floor(i / 3))},${100 + Math.sin(i) * 5}`,
    );
    await page.getByLabel("CSV of many series").fill(`symbol,time,close\n${rows.join("\n")}\n`);
    await page.getByRole("button", { name: "Start job" }).click();
    const card = page.locator("article.job").first();
    await expect.poll(() => card.locator(".job-status").textContent(), { timeout: 30_000 }).toBe("completed");
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      card.getByRole("button", { name: "Download NDJSON" }).click(),
    ]);
    const downloaded = (await readFile((await file.path()) as string)).toString().trim().split("\n");
    expect(downloaded.map((line) => (JSON.parse(line) as { key: string }).key)).toEqual([
      "AAA",
      "BBB",
      "CCC",
    ]);

    // Every API call after the key was given carried it; the ones refused are the two before.
    const refused = calls.filter((call) => call.status === 401);
    expect(refused.map((call) => call.authorization)).toEqual([undefined, "Bearer not-the-key-at-all"]);
    const accepted = calls.filter((call) => call.status < 400 && call.url !== "/health");
    expect(accepted.map((call) => call.url)).toEqual(
      expect.arrayContaining(["/indicators", "/indicators/calculate", "/jobs"]),
    );
    for (const call of accepted) expect(call.authorization, call.url).toBe(`Bearer ${KEY}`);

    // sessionStorage: a new tab of the same browser asks again.
    const other = await watch(context, [401]);
    await other.page.goto(`${server.url}/console/`);
    await other.page.getByLabel("API key").waitFor();
    expect(other.problems).toEqual([]);
    await other.page.close();
    expect(problems).toEqual([]);
    await page.close();
  });
});
