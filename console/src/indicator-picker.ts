import type { CatalogEntry, FieldIssue } from "./api.js";
import { h, uniqueId } from "./dom.js";
import { type ObjectSchema, ParamsForm } from "./params-form.js";

/** One indicator of a request, as the API takes it. */
export interface IndicatorSpec {
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly convention?: string;
}

interface Chosen {
  readonly entry: CatalogEntry;
  readonly form: ParamsForm;
  readonly convention: HTMLSelectElement;
  readonly element: HTMLElement;
  readonly error: HTMLElement;
}

/** `indicators[2].params.period` → index 2, rest "params.period". */
const INDICATOR_PATH = /^indicators\[(\d+)\](?:\.(.*))?$/;

/**
 * The indicators of a request: a catalog select to add one, and per chosen indicator its params
 * form, its implementation and a remove button. Problems the API names by path are shown at the
 * field; the ones it cannot place are handed back.
 */
export class IndicatorPicker {
  readonly element: HTMLElement;
  readonly #catalog: readonly CatalogEntry[];
  readonly #chosen: Chosen[] = [];
  readonly #list: HTMLOListElement;
  readonly #select: HTMLSelectElement;

  constructor(catalog: readonly CatalogEntry[], label: string, initial: readonly string[]) {
    this.#catalog = catalog;
    const selectId = uniqueId("indicator-select");
    // The catalog's categories in the catalog's order: a new category needs no list here.
    const categories = [...new Set(catalog.map((entry) => entry.category))];
    const byCategory = categories.map((category) =>
      h(
        "optgroup",
        { label: category },
        ...catalog
          .filter((entry) => entry.category === category)
          .map((entry) => h("option", { value: entry.name }, `${entry.name} — ${entry.description}`)),
      ),
    );
    this.#select = h("select", { id: selectId }, ...byCategory);
    this.#list = h("ol", { class: "indicators", "aria-label": `${label}: chosen indicators` });
    this.element = h(
      "div",
      { class: "picker" },
      h(
        "div",
        { class: "picker-add" },
        h("label", { for: selectId }, "Indicator"),
        this.#select,
        h("button", { type: "button", onclick: () => this.add(this.#select.value) }, "Add"),
      ),
      this.#list,
    );
    for (const name of initial) this.add(name);
  }

  add(name: string): void {
    const entry = this.#catalog.find((candidate) => candidate.name === name);
    if (!entry) return;
    const form = new ParamsForm(entry.params as ObjectSchema, `${entry.name} parameters`);
    const conventionId = uniqueId("convention");
    const convention = h(
      "select",
      { id: conventionId },
      ...entry.implementations.map((implementation) =>
        h("option", { value: implementation }, implementation),
      ),
    );
    const errorId = uniqueId("indicator-error");
    const error = h("p", { class: "field-error", id: errorId, role: "alert" });
    convention.setAttribute("aria-describedby", errorId);
    // Where the first value is depends on the implementation chosen: the hint follows the choice.
    const warmupOf = () => entry.warmups[convention.value as keyof typeof entry.warmups] ?? entry.warmup;
    const warmup = h("span", { class: "hint warmup" }, warmupOf());
    convention.addEventListener("change", () => {
      warmup.textContent = warmupOf();
    });
    const element = h(
      "li",
      { class: "indicator" },
      h(
        "div",
        { class: "indicator-head" },
        h("strong", {}, entry.name),
        h("span", { class: "hint" }, entry.description),
        h(
          "button",
          {
            type: "button",
            class: "remove",
            "aria-label": `Remove ${entry.name}`,
            onclick: () => this.#remove(element),
          },
          "Remove",
        ),
      ),
      h("div", { class: "field" }, h("label", { for: conventionId }, "Implementation"), convention, warmup),
      form.element,
      error,
    );
    this.#chosen.push({ entry, form, convention, element, error });
    this.#list.append(element);
  }

  #remove(element: HTMLElement): void {
    const index = this.#chosen.findIndex((chosen) => chosen.element === element);
    if (index < 0) return;
    this.#chosen.splice(index, 1);
    element.remove();
    this.#select.focus();
  }

  specs(): IndicatorSpec[] {
    return this.#chosen.map(({ entry, form, convention }) => ({
      name: entry.name,
      params: form.values(),
      // The default implementation is left out: the request says only what the user chose.
      ...(convention.value !== entry.implementations[0] ? { convention: convention.value } : {}),
    }));
  }

  /** Marks params that are not numbers before anything is sent; true when there are any. */
  showBadInputs(): boolean {
    const found = this.#chosen.map(({ form }) => form.showBadInputs()).some(Boolean);
    if (found) this.focusFirstError();
    return found;
  }

  clearErrors(): void {
    for (const { form, error } of this.#chosen) {
      form.clearErrors();
      error.textContent = "";
    }
  }

  /** Shows each issue at its indicator's field; returns the issues that name no indicator. */
  showErrors(issues: readonly FieldIssue[]): FieldIssue[] {
    const rest: FieldIssue[] = [];
    for (const issue of issues) {
      const match = INDICATOR_PATH.exec(issue.path);
      const chosen = match ? this.#chosen[Number(match[1])] : undefined;
      if (!chosen || !match) {
        rest.push(issue);
        continue;
      }
      const within = match[2] ?? "";
      const param = within === "params" ? "" : within.startsWith("params.") ? within.slice(7) : null;
      if (param !== null && chosen.form.showError(param, issue.message)) continue;
      chosen.error.textContent =
        `${chosen.error.textContent ?? ""} ${within ? `${within}: ` : ""}${issue.message}`.trim();
    }
    return rest;
  }

  focusFirstError(): void {
    for (const { form, error, convention } of this.#chosen) {
      if (form.focusFirstError()) return;
      if (error.textContent) {
        convention.focus();
        return;
      }
    }
  }
}
