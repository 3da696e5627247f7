import { type JobStatus, TERMINAL_STATUSES } from "../../src/jobs/model.js";
import { ARROW_STREAM_MEDIA_TYPE, NDJSON_MEDIA_TYPE } from "../../src/wire/media-type-names.js";
import { type Api, ApiProblem, type Catalog, type Job, type JobAccepted, problemText } from "./api.js";
import { InputError, type KeyedCandles, sampleCandles, seriesFromCsv } from "./candles.js";
import { download, h, integerIn, issueList, uniqueId } from "./dom.js";
import { followEvents, type StreamEvent, StreamRefused } from "./event-stream.js";
import { IndicatorPicker } from "./indicator-picker.js";
import { resultsToCsv } from "./results-csv.js";

type Progress = Job["progress"];

/** Generated jobs are built as one JSON body in the tab: past this, the tab stalls for seconds. */
const MAX_GENERATED_CANDLES = 5_000_000;

/** A job's events as the service sends them (see its SSE route's description). */
type JobEventData =
  | { readonly event: "progress" | "completed" | "failed" | "cancelled"; readonly data: Progress }
  | {
      readonly event: "series";
      readonly data: {
        readonly index: number;
        readonly status: string;
        readonly sources?: Record<string, number>;
        readonly code?: string;
        readonly detail?: string;
      };
    }
  | { readonly event: "error"; readonly data: { readonly detail: string } };

function isFinal(event: StreamEvent): boolean {
  return TERMINAL_STATUSES.has(event.event as JobStatus);
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
    this.#status = h("span", { class: "job-status", role: "status", "data-status": job.status }, job.status);
    this.#cancel = h("button", { type: "button", onclick: () => this.#onCancel() }, "Cancel");
    const downloadButton = (label: string, run: () => Promise<void>) =>
      h("button", { type: "button", disabled: true, onclick: () => this.#reportingErrors(run) }, label);
    this.#downloads = [
      downloadButton("Download NDJSON", () => this.#download("ndjson", NDJSON_MEDIA_TYPE)),
      downloadButton("Download CSV", () =>
        this.#download(
          "csv",
          NDJSON_MEDIA_TYPE,
          (text) => new Blob([resultsToCsv(text)], { type: "text/csv" }),
        ),
      ),
      downloadButton("Download Arrow", () => this.#download("arrows", ARROW_STREAM_MEDIA_TYPE)),
    ];
    this.#rows = keys.map((key) =>
      h("tr", {}, h("th", { scope: "row" }, key), h("td", {}, "queued"), h("td", {}), h("td", {})),
    );
    this.element = h(
      "article",
      { class: "job panel", "aria-labelledby": titleId, "data-job": job.id },
      h("h3", { id: titleId }, `Job ${job.id.slice(0, 8)}`),
      this.#status,
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
          {
            class: "table-scroll",
            tabindex: 0,
            role: "region",
            "aria-label": `Series of job ${job.id.slice(0, 8)}`,
          },
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

  /** Stops following: the card is gone (a new key, or the key forgotten). */
  dispose(): void {
    this.#stop.abort();
  }

  async #reportingErrors(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.#counts.textContent = problemText(error);
    }
  }

  async #follow(): Promise<void> {
    try {
      await followEvents(this.#job.links.events, {
        headers: () => this.#api.headers(),
        signal: this.#stop.signal,
        isFinal,
        onEvent: (event) =>
          this.#onEvent({ event: event.event, data: JSON.parse(event.data) } as JobEventData),
        onReconnecting: () => this.#setStatus("reconnecting…"),
      });
    } catch (error) {
      this.#setStatus(
        error instanceof StreamRefused
          ? problemText(ApiProblem.fromText(error.response.status, error.body))
          : `stopped: ${String(error)}`,
      );
    }
  }

  #setStatus(status: string): void {
    // Written only on a change: the status is a live region, and a screen reader reads each write.
    if (this.#status.textContent === status) return;
    this.#status.textContent = status;
    this.#status.dataset.status = status;
  }

  #onEvent(message: JobEventData): void {
    switch (message.event) {
      case "series": {
        const { data } = message;
        const row = this.#rows[data.index];
        if (!row) return;
        const [, status, sources, error] = row.children;
        (status as HTMLElement).textContent = data.status;
        (sources as HTMLElement).textContent = sourcesText(data.sources);
        (error as HTMLElement).textContent = data.code ? `${data.code}: ${data.detail ?? ""}` : "";
        row.dataset.status = data.status;
        return;
      }
      case "error":
        // The service could not read the job's events; the stream ends and is resumed.
        this.#counts.textContent = message.data.detail;
        return;
      default: {
        const finished = message.event !== "progress";
        this.#showProgress(message.data);
        this.#setStatus(finished ? message.event : "running");
        this.#cancel.disabled = finished;
        for (const button of this.#downloads) button.disabled = message.data.done === 0 && !finished;
      }
    }
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
    try {
      await this.#api.fetch(this.#job.links.self, { method: "DELETE" });
    } catch (error) {
      this.#cancel.disabled = false;
      this.#counts.textContent = problemText(error);
    }
  }

  async #download(extension: string, accept: string, convert?: (text: string) => Blob): Promise<void> {
    const response = await this.#api.fetch(this.#job.links.results, { headers: { accept } });
    download(
      `job-${this.#job.id}.${extension}`,
      convert ? convert(await response.text()) : await response.blob(),
    );
  }
}

/** Generated series: each its own seeded walk from its own level, so results differ per series. */
function generatedSeries(count: number, length: number): KeyedCandles[] {
  if (count * length > MAX_GENERATED_CANDLES)
    throw new InputError(
      `At most ${MAX_GENERATED_CANDLES.toLocaleString("en")} generated candles in all (${count} × ${length} asked): this tab would build the whole body in memory.`,
    );
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
  readonly #cards: JobCard[] = [];
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
      list: uniqueId("jobs-list"),
      indicators: uniqueId("job-indicators"),
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
    this.#list = h("div", { class: "jobs-list" });
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
          { class: "panel", "aria-labelledby": ids.indicators },
          h("h2", { id: ids.indicators }, "Indicators"),
          this.#picker.element,
        ),
        h("div", { class: "row" }, this.#submit),
        this.#error,
      ),
      h(
        "section",
        { class: "jobs", "aria-labelledby": ids.list },
        h("h2", { id: ids.list }, "Jobs started in this tab"),
        this.#list,
      ),
    );
    // Typing a CSV means using it.
    this.#csv.addEventListener("input", () => {
      this.#fromCsv.checked = true;
    });
  }

  /** Stops following every job: the page is being replaced. */
  dispose(): void {
    for (const card of this.#cards) card.dispose();
  }

  async #onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    this.#error.textContent = "";
    this.#picker.clearErrors();
    if (this.#picker.showBadInputs()) return;
    let series: KeyedCandles[];
    try {
      series = this.#fromCsv.checked
        ? seriesFromCsv(this.#csv.value)
        : generatedSeries(integerIn(this.#count, 200, 1, 10_000), integerIn(this.#length, 500, 1, 100_000));
    } catch (error) {
      this.#error.textContent = error instanceof InputError ? error.message : String(error);
      (this.#fromCsv.checked ? this.#csv : this.#count).focus();
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
      this.#cards.push(card);
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
