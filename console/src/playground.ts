import { type Api, ApiProblem, type CalculateResponse, type Catalog } from "./api.js";
import { type Candles, candlesToCsv, InputError, parseCandles, sampleCandles } from "./candles.js";
import { IndicatorChart } from "./chart.js";
import { curlCommand } from "./curl.js";
import { h, integerIn, issueList, uniqueId } from "./dom.js";
import { formatMs } from "./format.js";
import { IndicatorPicker } from "./indicator-picker.js";

const DEFAULT_INDICATORS = ["SMA", "BBANDS", "RSI", "MACD"];
const DEFAULT_SAMPLE = 300;

/**
 * The playground: candles (pasted, uploaded or generated) and indicators in, a chart and a table
 * of results out, with the request as a curl command.
 */
export class Playground {
  readonly element: HTMLElement;
  readonly #api: Api;
  readonly #catalog: Catalog;
  readonly #picker: IndicatorPicker;
  readonly #chart = new IndicatorChart();
  readonly #candles: HTMLTextAreaElement;
  readonly #candlesError: HTMLElement;
  readonly #status: HTMLElement;
  readonly #results: HTMLElement;
  readonly #curl: HTMLTextAreaElement;
  readonly #submit: HTMLButtonElement;
  readonly #sampleSize: HTMLInputElement;

  constructor(api: Api, catalog: Catalog) {
    this.#api = api;
    this.#catalog = catalog;
    this.#picker = new IndicatorPicker(catalog.indicators, "Playground indicators", DEFAULT_INDICATORS);
    const candlesId = uniqueId("candles");
    const fileId = uniqueId("candles-file");
    const sampleId = uniqueId("sample-size");
    this.#candles = h("textarea", {
      id: candlesId,
      rows: 8,
      spellcheck: "false",
      "aria-describedby": `${candlesId}-hint ${candlesId}-error`,
    });
    this.#candlesError = h("p", { class: "field-error", id: `${candlesId}-error`, role: "alert" });
    this.#sampleSize = h("input", {
      id: sampleId,
      type: "number",
      min: 1,
      max: 100000,
      value: DEFAULT_SAMPLE,
    });
    this.#status = h("p", { class: "status", role: "status" });
    this.#results = h("div", { class: "results" });
    this.#curl = h("textarea", { readonly: true, rows: 6, "aria-label": "The request as a curl command" });
    this.#submit = h("button", { type: "submit", class: "primary" }, "Calculate");
    const form = h(
      "form",
      { novalidate: true, onsubmit: (event: Event) => this.#onSubmit(event) },
      h(
        "section",
        { class: "panel", "aria-labelledby": `${candlesId}-title` },
        h("h2", { id: `${candlesId}-title` }, "Candles"),
        h("label", { for: candlesId }, "CSV or JSON candles"),
        h(
          "p",
          { class: "hint", id: `${candlesId}-hint` },
          "CSV with a header row (time, open, high, low, close, volume; close required; times as dates or epoch ms), or JSON rows or columns as the API takes them.",
        ),
        this.#candles,
        this.#candlesError,
        h(
          "div",
          { class: "row" },
          h("label", { for: fileId }, "Upload a file"),
          h("input", {
            id: fileId,
            type: "file",
            accept: ".csv,.json,text/csv,application/json",
            onchange: (event: Event) => this.#onFile(event),
          }),
          h("label", { for: sampleId }, "Sample candles"),
          this.#sampleSize,
          h("button", { type: "button", onclick: () => this.#generate() }, "Generate sample"),
        ),
      ),
      h(
        "section",
        { class: "panel", "aria-labelledby": `${candlesId}-indicators` },
        h("h2", { id: `${candlesId}-indicators` }, "Indicators"),
        this.#picker.element,
        h("div", { class: "row" }, this.#submit),
      ),
    );
    this.element = h(
      "div",
      { class: "page" },
      form,
      h(
        "section",
        { class: "panel", "aria-labelledby": `${candlesId}-chart` },
        h("h2", { id: `${candlesId}-chart` }, "Chart"),
        this.#status,
        this.#chart.element,
        this.#results,
        h(
          "details",
          {},
          h("summary", {}, "The request as curl"),
          this.#curl,
          h("button", { type: "button", onclick: () => this.#copyCurl() }, "Copy"),
        ),
      ),
    );
    this.#generate();
  }

  refreshTheme(): void {
    this.#chart.refreshTheme();
  }

  #generate(): void {
    const size = integerIn(this.#sampleSize, DEFAULT_SAMPLE, 1, 100_000);
    this.#candles.value = candlesToCsv(sampleCandles(size));
    this.#candlesError.textContent = "";
  }

  async #onFile(event: Event): Promise<void> {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) this.#candles.value = await file.text();
  }

  async #copyCurl(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.#curl.value);
      this.#status.textContent = "The curl command is on the clipboard.";
    } catch {
      this.#curl.select();
      this.#status.textContent = "Select and copy the command (the clipboard is not available here).";
    }
  }

  async #onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    this.#picker.clearErrors();
    this.#candlesError.textContent = "";
    let candles: Candles;
    try {
      candles = parseCandles(this.#candles.value);
    } catch (error) {
      this.#candlesError.textContent = error instanceof InputError ? error.message : String(error);
      this.#candles.focus();
      return;
    }
    if (this.#picker.showBadInputs()) return;
    const body = { candles, indicators: this.#picker.specs() };
    this.#curl.value = curlCommand(
      new URL("/indicators/calculate", location.href).href,
      body,
      this.#api.hasKey,
    );
    this.#submit.disabled = true;
    this.#status.textContent = "Calculating…";
    try {
      const response = await this.#api.postJson<CalculateResponse>("/indicators/calculate", body);
      this.#status.textContent = `${response.results.length} results over ${response.meta.candles} candles in ${formatMs(response.meta.elapsedMs)} (${response.meta.mode}).`;
      this.#chart.show(candles, response.results, this.#catalog.indicators);
      // The button sits below the indicator list: bring what it produced into view.
      this.#chart.element.scrollIntoView({ block: "nearest" });
      this.#showResults(response);
    } catch (error) {
      this.#showProblem(error);
    } finally {
      this.#submit.disabled = false;
    }
  }

  #showProblem(error: unknown): void {
    if (!(error instanceof ApiProblem)) {
      this.#status.textContent = String(error);
      return;
    }
    const rest = this.#picker.showErrors(error.errors);
    const candleIssues = rest.filter((issue) => issue.path.startsWith("candles"));
    if (candleIssues.length > 0) {
      this.#candlesError.replaceChildren(issueList(candleIssues));
      this.#candles.focus();
    }
    const unplaced = rest.filter((issue) => !candleIssues.includes(issue));
    this.#status.replaceChildren(
      h("strong", {}, `${error.title}: `),
      error.detail,
      ...(unplaced.length > 0 ? [issueList(unplaced)] : []),
    );
    this.#picker.focusFirstError();
  }

  #showResults(response: CalculateResponse): void {
    const headers = ["Result", "Indicator", "Implementation", "Params", "First value", "Source", "Time"];
    this.#results.replaceChildren(
      h(
        "table",
        {},
        h("caption", {}, `Answered in ${formatMs(response.meta.elapsedMs)} of server time`),
        h("thead", {}, h("tr", {}, ...headers.map((header) => h("th", { scope: "col" }, header)))),
        h(
          "tbody",
          {},
          ...response.results.map((result) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, result.id),
              h("td", {}, result.name),
              h("td", {}, result.implementation),
              h("td", {}, h("code", {}, JSON.stringify(result.params))),
              h("td", {}, result.warmup === null ? "none" : `#${result.warmup}`),
              h("td", { class: `source source-${result.source}` }, result.source),
              h("td", { class: "elapsed" }, formatMs(result.elapsedMs)),
            ),
          ),
        ),
      ),
    );
  }
}
