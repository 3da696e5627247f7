import type { FieldIssue } from "./api.js";

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

/**
 * Creates an element: `on*` attributes become listeners, `true` a bare attribute, false and
 * null none. Text children are text nodes (never parsed as HTML: API messages are shown as
 * they are).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined)
      element.setAttribute(name, String(value));
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false)
      element.append(typeof child === "number" ? String(child) : child);
  return element;
}

let ids = 0;
/** A document-unique id for label/aria pairs. */
export function uniqueId(prefix: string): string {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** Offers bytes as a file download (a blob: URL the page made; CSP allows it). */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The API's field problems as a list: path, then message. */
export function issueList(issues: readonly FieldIssue[]): HTMLUListElement {
  return h("ul", {}, ...issues.map((issue) => h("li", {}, h("code", {}, issue.path), " ", issue.message)));
}

/** An integer input's value within [min, max]; `fallback` when it holds no number. */
export function integerIn(input: HTMLInputElement, fallback: number, min: number, max: number): number {
  const value = Math.trunc(Number(input.value));
  return input.value.trim() === "" || !Number.isFinite(value)
    ? fallback
    : Math.min(max, Math.max(min, value));
}
