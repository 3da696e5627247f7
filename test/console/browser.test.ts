import { mkdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { tableFromIPC } from "@uwdata/flechette";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatValue } from "../../console/src/format.js";
import { type ServerProcess, startServerProcess } from "../../harness/process.js";

/**
 * The web console in a real Chromium (Debian's, as .ci/run installs it) against the built
 * service: what a user sees is checked against what the API answers. Screenshots of every page
 * are kept in test-artifacts/console/.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/console/", import.meta.url));
const KEY = "console-browser-key-0001";

interface Watched {
  readonly page: Page;
  /** Console errors, page errors, failed requests, CSP violations, error answers not expected. */
  readonly problems: string[];
}

type ResultValues = (number | null)[] | Record<string, (number | null)[]>;
interface CalculateAnswer {
  results: { id: string; values: ResultValues }[];
}

let browser: Browser;

beforeAll(async () => {
  browser = await chromium
    .launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    })
    .catch((error: Error) => {
      throw new Error(
        `Chromium did not start from ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH): ${error.message}`,
      );
    });
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

async function chooseIndicators(page: Page, names: readonly string[]): Promise<void> {
  // The playground (and its default indicators) appears once the catalog has loaded: removing
  // before then would remove nothing and leave the defaults next to the chosen ones.
  await page.getByRole("button", { name: "Add", exact: true }).waitFor();
  const remove = page.locator("li.indicator button.remove");
  while ((await remove.count()) > 0) await remove.first().click();
  for (const name of names) {
    await page.getByLabel("Indicator", { exact: true }).selectOption(name);
    await page.getByRole("button", { name: "Add", exact: true }).click();
  }
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
    await page.getByRole("button", { name: "Calculate" }).click();
    await expect.poll(() => page.locator(".results tbody tr").count()).toBe(3);

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
