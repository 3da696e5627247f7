import { type Api, ApiProblem, type Catalog, type JobAccepted } from "./api.js";
import { InputError, type KeyedCandles, sampleCandles, seriesFromCsv } from "./candles.js";
import { download, h, issueList, uniqueId } from "./dom.js";
import { followEvents, type StreamEvent, StreamRefused } from "./event-stream.js";
import { IndicatorPicker } from "./indicator-picker.js";
import { resultsToCsv } from "./results-csv.js";

const FINAL_EVENTS = new Set(["completed", "failed", "cancelled"]);
const ARROW_STREAM = "application/vnd.apache.arrow.stream";
const NDJSON = "application/x-ndjson";

interface Progress {
  readonly done: number;
  readonly failed: number;
  readonly total: number;
  readonly sources?: Record<string, number>;
  readonly status?: string;
}

interface SeriesEvent {
  readonly key: string;
  readonly index: number;
  readonly status: string;
  readonly sources?: Record<string, number>;
  readonly code?: string;
  readonly detail?: string;
}

function sourcesText(sources: Record<string, number> | undefined): string {
  return Object.entries(sources ?? {})
    .filter(([, count]) => count > 0)
    .map(([source, count]) => `${source} ${count}`)
    .join(", ");
}

/** One job: its progress bar and counts from the live events, its series, cancel and downloads. */
class JobCard {
  readonly element: HTMLElement;
  readonly #api: Api;
  readonly #job: JobAccepted;
  readonly #bar: HTMLProgressElement;
  readonly #percent: HTMLElement;
  readonly #counts: HTMLElement;
  readonly #status: HTMLElement;
  readonly #rows: HTMLTableRowElement[];
  readonly #cancel: HTMLButtonElement;
  readonly #downloads: HTMLButtonElement[];
  readonly #stop = new AbortController();

  constructor(api: Api, job: JobAccepted, keys: readonly string[]) {
    this.#api = api;
    this.#job = job;
    const titleId = uniqueId("job-title");
    const barId = uniqueId("job-progress");
    this.#bar = h("progress", { id: barId, max: job.total, value: 0 });
    this.#percent = h("span", { class: "percent" }, "0%");
    this.#counts = h("span", { class: "counts" });
    this.#status = h("span", { class: "job-status", "data-status": job.status }, job.status);
    this.#cancel = h("button", { type: "button", onclick: () => this.#onCancel() }, "Cancel");
    const format = (label: string, run: () => Promise<void>) =>
      h("button", { type: "button", disabled: true, onclick: () => this.#guard(run) }, label);
    this.#downloads = [
      format("Download NDJSON", () =>
        this.#download("ndjson", NDJSON, (text) => new Blob([text], { type: NDJSON })),
      ),
      format("Download CSV", () =>
        this.#download("csv", NDJSON, (text) => new Blob([resultsToCsv(text)], { type: "text/csv" })),
      ),
      format("Download Arrow", () => this.#download("arrows", ARROW_STREAM)),
    ];
    this.#rows = keys.map((key) =>
      h("tr", {}, h("th", { scope: "row" }, key), h("td", {}, "queued"), h("td", {}), h("td", {})),
    );
    this.element = h(
      "article",
      { class: "job panel", "aria-labelledby": titleId, "data-job": job.id },
      h("h3", { id: titleId }, `Job ${job.id.slice(0, 8)}`, " ", this.#status),
      h(
        "div",
        { class: "row" },
        h("label", { for: barId }, "Progress"),
        this.#bar,
        this.#percent,
        this.#counts,
      ),
      h("div", { class: "row" }, this.#cancel, ...this.#downloads),
      h(
        "details",
        {},
        h("summary", {}, `Series (${keys.length})`),
        h(
          "div",
          // Focusable, so a keyboard can scroll a long table too.
          { class: "table-scroll", tabindex: 0, role: "region", "aria-label": "Series of this job" },
          h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ...["Key", "Status", "Sources", "Error"].map((header) => h("th", { scope: "col" }, header)),
              ),
            ),
            h("tbody", {}, ...this.#rows),
          ),
        ),
      ),
    );
    void this.#follow();
  }

  async #guard(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.#counts.textContent =
        error instanceof ApiProblem ? `${error.title}: ${error.detail}` : String(error);
    }
  }

  async #follow(): Promise<void> {
    try {
      await followEvents(this.#job.links.events, {
        headers: this.#api.headers(),
        signal: this.#stop.signal,
        isFinal: (event) => FINAL_EVENTS.has(event.event),
        onEvent: (event) => this.#onEvent(event),
        onReconnecting: () => {
          this.#status.textContent = "reconnecting…";
        },
      });
    } catch (error) {
      if (error instanceof StreamRefused) {
        const problem = await ApiProblem.of(new Response(error.body, { status: error.response.status }));
        this.#status.textContent = `${problem.title}: ${problem.detail}`;
      }
    }
  }

  #onEvent(event: StreamEvent): void {
    const data = JSON.parse(event.data) as Progress & SeriesEvent;
    if (event.event === "series") {
      const row = this.#rows[data.index];
      if (!row) return;
      const [, status, sources, error] = row.children;
      (status as HTMLElement).textContent = data.status;
      (sources as HTMLElement).textContent = sourcesText(data.sources);
      (error as HTMLElement).textContent = data.code ? `${data.code}: ${data.detail ?? ""}` : "";
      row.dataset.status = data.status;
      return;
    }
    this.#showProgress(data);
    const status = FINAL_EVENTS.has(event.event) ? event.event : "running";
    this.#status.textContent = status;
    this.#status.dataset.status = status;
    const finished = FINAL_EVENTS.has(event.event);
    this.#cancel.disabled = finished;
    for (const button of this.#downloads) button.disabled = data.done === 0 && !finished;
  }

  #showProgress({ done, failed, total, sources }: Progress): void {
    const settled = done + failed;
    this.#bar.max = total;
    this.#bar.value = settled;
    const percent = total === 0 ? 100 : Math.floor((settled * 100) / total);
    this.#percent.textContent = `${percent}%`;
    this.#bar.dataset.percent = String(percent);
    this.#counts.textContent = `${done} done, ${failed} failed of ${total}${sources ? `; ${sourcesText(sources)}` : ""}`;
  }

  async #onCancel(): Promise<void> {
    this.#cancel.disabled = true;
    await this.#guard(async () => {
      await this.#api.fetch(this.#job.links.self, { method: "DELETE" });
    });
  }

  async #download(extension: string, accept: string, toBlob?: (text: string) => Blob): Promise<void> {
    const response = await this.#api.fetch(this.#job.links.results, { headers: { accept } });
    const blob = toBlob ? toBlob(await response.text()) : await response.blob();
    download(`job-${this.#job.id}.${extension}`, blob);
  }
}

/** Generated series: each its own seeded walk from its own level, so results differ per series. */
function generatedSeries(count: number, length: number): KeyedCandles[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `S${String(i + 1).padStart(String(count).length, "0")}`,
    candles: sampleCandles(length, i + 1, 20 + ((i * 37) % 400)),
  }));
}

/** The jobs page: start a job from a CSV of many series or generated ones, and watch it. */
export class JobsPage {
  readonly element: HTMLElement;
  readonly #api: Api;
  readonly #picker: IndicatorPicker;
  readonly #list: HTMLElement;
  readonly #error: HTMLElement;
  readonly #csv: HTMLTextAreaElement;
  readonly #count: HTMLInputElement;
  readonly #length: HTMLInputElement;
  readonly #fromCsv: HTMLInputElement;
  readonly #submit: HTMLButtonElement;

  constructor(api: Api, catalog: Catalog) {
    this.#api = api;
    this.#picker = new IndicatorPicker(catalog.indicators, "Job indicators", ["SMA", "RSI"]);
    const ids = {
      count: uniqueId("series-count"),
      length: uniqueId("series-length"),
      csv: uniqueId("series-csv"),
    };
    this.#count = h("input", { id: ids.count, type: "number", min: 1, value: 200 });
    this.#length = h("input", { id: ids.length, type: "number", min: 1, value: 500 });
    this.#csv = h("textarea", {
      id: ids.csv,
      rows: 6,
      spellcheck: "false",
      "aria-describedby": `${ids.csv}-hint`,
    });
    this.#fromCsv = h("input", { type: "radio", name: "job-source", value: "csv", id: `${ids.csv}-choice` });
    this.#error = h("div", { class: "field-error", role: "alert" });
    this.#list = h("div", { class: "jobs", "aria-label": "Jobs started in this tab" });
    this.#submit = h("button", { type: "submit", class: "primary" }, "Start job");
    this.element = h(
      "div",
      { class: "page" },
      h(
        "form",
        { novalidate: true, onsubmit: (event: Event) => this.#onSubmit(event) },
        h(
          "fieldset",
          { class: "panel" },
          h("legend", {}, "Series"),
          h(
            "div",
            { class: "row" },
            h("input", {
              type: "radio",
              name: "job-source",
              value: "generated",
              id: `${ids.count}-choice`,
              checked: true,
            }),
            h("label", { for: `${ids.count}-choice` }, "Generated series"),
          ),
          h(
            "div",
            { class: "row indent" },
            h("label", { for: ids.count }, "How many"),
            this.#count,
            h("label", { for: ids.length }, "Candles each"),
            this.#length,
          ),
          h("div", { class: "row" }, this.#fromCsv, h("label", { for: `${ids.csv}-choice` }, "From CSV")),
          h("label", { for: ids.csv }, "CSV of many series"),
          h(
            "p",
            { class: "hint", id: `${ids.csv}-hint` },
            "A header row with a key or symbol column and the candle columns; each key's rows in time order.",
          ),
          this.#csv,
        ),
        h(
          "section",
          { class: "panel", "aria-label": "Indicators" },
          h("h2", {}, "Indicators"),
          this.#picker.element,
        ),
        h("div", { class: "row" }, this.#submit),
        this.#error,
      ),
      this.#list,
    );
    // Typing a CSV means using it.
    this.#csv.addEventListener("input", () => {
      this.#fromCsv.checked = true;
    });
  }

  async #onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    this.#error.textContent = "";
    this.#picker.clearErrors();
    let series: KeyedCandles[];
    try {
      series = this.#fromCsv.checked
        ? seriesFromCsv(this.#csv.value)
        : generatedSeries(
            Math.max(1, Math.trunc(Number(this.#count.value))),
            Math.max(1, Math.trunc(Number(this.#length.value))),
          );
    } catch (error) {
      this.#error.textContent = error instanceof InputError ? error.message : String(error);
      return;
    }
    this.#submit.disabled = true;
    try {
      const accepted = await this.#api.postJson<JobAccepted>("/jobs", {
        series,
        indicators: this.#picker.specs(),
      });
      const card = new JobCard(
        this.#api,
        accepted,
        series.map((one) => one.key),
      );
      this.#list.prepend(card.element);
      card.element.scrollIntoView({ block: "nearest" });
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      const rest = this.#picker.showErrors(error.errors);
      this.#error.replaceChildren(
        h("strong", {}, `${error.title}: `),
        error.detail,
        ...(rest.length > 0 ? [issueList(rest)] : []),
      );
      this.#picker.focusFirstError();
    } finally {
      this.#submit.disabled = false;
    }
  }
}
