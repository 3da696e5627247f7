import {
  type CandlestickData,
  CandlestickSeries,
  CrosshairMode,
  createChart,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  LineSeries,
  type MouseEventParams,
  type SeriesType,
  type Time,
  type UTCTimestamp,
  type WhitespaceData,
} from "lightweight-charts";
import type { CalculateResult, CatalogEntry } from "./api.js";
import type { Candles } from "./candles.js";
import { h } from "./dom.js";
import { formatTime, formatValue } from "./format.js";
import { resultColumns } from "./result-columns.js";

/** One drawn line: a result's output, named as the Arrow and CSV results name its column. */
interface Line {
  readonly column: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
}

/** Line colours readable on both themes' backgrounds (WCAG non-text contrast ≥ 3:1 on each). */
const PALETTE = ["#2962ff", "#e65100", "#8e24aa", "#00897b", "#c2185b", "#6d4c41", "#1e88e5", "#7cb342"];
const HISTOGRAM_OUTPUT = /hist/i;
const DAY_SECONDS = 86_400;

function cssVariable(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * The chart's time axis: the candles' own times in seconds when they are strictly increasing at
 * that resolution; otherwise (no times, or several candles in one second) the candle index, shown
 * as `#index`.
 */
function axisTimes(candles: Candles): { times: UTCTimestamp[]; byIndex: boolean } {
  const seconds = candles.time?.map((time) => Math.floor(time / 1_000));
  if (seconds?.every((second, i) => i === 0 || second > (seconds[i - 1] as number)))
    return { times: seconds as UTCTimestamp[], byIndex: false };
  return { times: candles.close.map((_, i) => i as UTCTimestamp), byIndex: true };
}

/**
 * Candles with the results over them: outputs on the price scale (as the catalog's `priceScale`
 * says) on the candles' pane, each other result in a pane of its own, a histogram for MACD-like
 * histogram outputs. Warm-up values are whitespace: the line starts where the indicator does.
 * The legend shows the values under the crosshair (the last candle otherwise).
 */
export class IndicatorChart {
  readonly element: HTMLElement;
  readonly #legend: HTMLElement;
  readonly #canvasHost: HTMLElement;
  #chart: IChartApi | null = null;
  #render: (() => void) | null = null;

  constructor() {
    this.#legend = h("div", { class: "legend", "aria-live": "off" });
    // Canvas has no semantics: the host is one image with a name, and the arrow keys move the
    // crosshair (the legend, then a polite live region, says what is under it).
    this.#canvasHost = h("div", {
      class: "chart-canvas",
      role: "img",
      tabindex: 0,
      "aria-label": "Chart of the candles and results; left and right arrow keys move between candles",
    });
    this.element = h(
      "figure",
      { class: "chart" },
      h("figcaption", { class: "visually-hidden" }, "Candles with the results over them and in panes below"),
      this.#legend,
      this.#canvasHost,
    );
  }

  show(candles: Candles, results: readonly CalculateResult[], catalog: readonly CatalogEntry[]): void {
    this.#render = () => this.#draw(candles, results, catalog);
    this.#render();
  }

  /** Redraws with the current theme's colours. */
  refreshTheme(): void {
    this.#render?.();
  }

  #draw(candles: Candles, results: readonly CalculateResult[], catalog: readonly CatalogEntry[]): void {
    this.#chart?.remove();
    const { times, byIndex } = axisTimes(candles);
    const text = cssVariable("--text");
    const grid = cssVariable("--grid");
    const up = cssVariable("--up");
    const down = cssVariable("--down");
    const label = (time: Time) => (byIndex ? `#${time as number}` : formatTime((time as number) * 1_000));
    const chart = createChart(this.#canvasHost, {
      autoSize: true,
      layout: {
        background: { color: cssVariable("--surface") },
        textColor: text,
        fontFamily: cssVariable("--font"),
        // Attribution is in the page footer: the logo would be an inline style, which the CSP forbids.
        attributionLogo: false,
        panes: { separatorColor: grid, enableResize: true },
      },
      grid: { vertLines: { color: grid }, horzLines: { color: grid } },
      crosshair: { mode: CrosshairMode.Normal },
      localization: { timeFormatter: label },
      timeScale: {
        timeVisible:
          !byIndex && times.length > 1 && (times[1] as number) - (times[0] as number) < DAY_SECONDS,
        tickMarkFormatter: byIndex ? (time: Time) => `#${time as number}` : undefined,
      },
    });
    this.#chart = chart;

    const ohlc = candles.open && candles.high && candles.low;
    const price = ohlc
      ? chart.addSeries(CandlestickSeries, {
          upColor: up,
          downColor: down,
          borderUpColor: up,
          borderDownColor: down,
          wickUpColor: up,
          wickDownColor: down,
        })
      : chart.addSeries(LineSeries, { color: text, lineWidth: 1 });
    // What each drawn series shows, for the pane structure the chart element reports.
    const shows = new Map<ISeriesApi<SeriesType>, string>([[price, ohlc ? "candles" : "close"]]);
    price.setData(
      ohlc
        ? times.map(
            (time, i): CandlestickData => ({
              time,
              open: candles.open?.[i] as number,
              high: candles.high?.[i] as number,
              low: candles.low?.[i] as number,
              close: candles.close[i] as number,
            }),
          )
        : times.map((time, i) => ({ time, value: candles.close[i] as number })),
    );

    const lines: Line[] = [];
    let pane = 0;
    for (const result of results) {
      const onPrice = new Set(catalog.find((entry) => entry.name === result.name)?.priceScale ?? []);
      const columns = resultColumns(result);
      const ownPane = columns.some(({ output }) => !onPrice.has(output ?? "value")) ? ++pane : 0;
      for (const { name, output, values } of columns) {
        const color = PALETTE[lines.length % PALETTE.length] as string;
        lines.push({ column: name, values, color });
        const target = onPrice.has(output ?? "value") ? 0 : ownPane;
        const data = times.map(
          (time, i): WhitespaceData | { time: UTCTimestamp; value: number; color?: string } => {
            const value = values[i];
            return value === null || value === undefined ? { time } : { time, value };
          },
        );
        if (output !== null && HISTOGRAM_OUTPUT.test(output)) {
          const series = chart.addSeries(
            HistogramSeries,
            { priceLineVisible: false, lastValueVisible: false },
            target,
          );
          shows.set(series, name);
          series.setData(
            data.map((point) =>
              "value" in point ? { ...point, color: point.value >= 0 ? up : down } : point,
            ),
          );
        } else {
          const series = chart.addSeries(
            LineSeries,
            {
              color,
              lineWidth: 2,
              priceLineVisible: false,
              lastValueVisible: false,
              crosshairMarkerVisible: false,
            },
            target,
          );
          shows.set(series, name);
          series.setData(data);
        }
      }
    }
    chart.panes()[0]?.setStretchFactor(Math.max(2, pane));
    // The panes as the chart holds them, top to bottom: what each series shows and how it is drawn.
    this.#canvasHost.dataset.panes = JSON.stringify(
      chart
        .panes()
        .map((each) =>
          each.getSeries().map((series) => ({ shows: shows.get(series), type: series.seriesType() })),
        ),
    );
    this.#canvasHost.style.height = `${360 + 150 * pane}px`;
    chart.timeScale().fitContent();

    const index = new Map(times.map((time, i) => [time as number, i]));
    const last = candles.close.length - 1;
    let at = last;
    const showLegend = (candle: number) => {
      at = candle;
      this.#showLegend(candle, candles, lines, byIndex);
    };
    chart.subscribeCrosshairMove((param: MouseEventParams) => {
      const candle = param.time === undefined ? undefined : index.get(param.time as number);
      showLegend(candle ?? last);
    });
    const steps: Record<string, (candle: number, big: boolean) => number> = {
      ArrowLeft: (candle, big) => candle - (big ? 10 : 1),
      ArrowRight: (candle, big) => candle + (big ? 10 : 1),
      Home: () => 0,
      End: () => last,
    };
    // Properties, not listeners: a redraw (theme change) replaces them instead of adding more.
    // What the mouse shows is not read out; what the arrow keys move to is.
    this.#canvasHost.onpointermove = () => this.#legend.setAttribute("aria-live", "off");
    this.#canvasHost.onkeydown = (event: KeyboardEvent) => {
      const step = steps[event.key];
      if (!step) return;
      event.preventDefault();
      const candle = Math.min(last, Math.max(0, step(at, event.shiftKey)));
      this.#legend.setAttribute("aria-live", "polite");
      showLegend(candle);
      chart.setCrosshairPosition(candles.close[candle] as number, times[candle] as UTCTimestamp, price);
    };
    showLegend(last);
  }

  #showLegend(at: number, candles: Candles, lines: readonly Line[], byIndex: boolean): void {
    const time = candles.time?.[at];
    const item = (label: string, value: number | null | undefined, color?: string) => {
      const swatch = color ? h("span", { class: "swatch" }) : null;
      // Set as a property by script, which the CSP allows (an inline style attribute it would not).
      if (swatch && color) swatch.style.backgroundColor = color;
      return h(
        "span",
        { class: "legend-item", "data-column": label, "data-value": value ?? "" },
        swatch,
        `${label} `,
        h("b", {}, formatValue(value)),
      );
    };
    this.#legend.dataset.index = String(at);
    this.#legend.replaceChildren(
      h("span", { class: "legend-time" }, time !== undefined && !byIndex ? formatTime(time) : `#${at}`),
      ...(["open", "high", "low", "close", "volume"] as const)
        .filter((field) => candles[field])
        .map((field) => item(field, candles[field]?.[at])),
      ...lines.map((line) => item(line.column, line.values[at], line.color)),
    );
  }
}
