import { h, uniqueId } from "./dom.js";

/** The part of JSON Schema the catalog's params use (z.toJSONSchema of each indicator's params). */
interface PropertySchema {
  readonly type?: "integer" | "number" | "string" | "boolean";
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly enum?: readonly (string | number)[];
  readonly description?: string;
}

export interface ObjectSchema {
  readonly properties?: Record<string, PropertySchema>;
}

interface Field {
  readonly name: string;
  readonly schema: PropertySchema;
  readonly control: HTMLInputElement | HTMLSelectElement;
  readonly error: HTMLElement;
}

function bounds(schema: PropertySchema): string {
  const low =
    schema.minimum !== undefined
      ? `≥ ${schema.minimum}`
      : schema.exclusiveMinimum !== undefined
        ? `> ${schema.exclusiveMinimum}`
        : "";
  const high =
    schema.maximum !== undefined
      ? `≤ ${schema.maximum}`
      : schema.exclusiveMaximum !== undefined
        ? `< ${schema.exclusiveMaximum}`
        : "";
  return [low, high].filter(Boolean).join(", ");
}

/**
 * A form for one indicator's params, generated from its JSON Schema: a number input with the
 * bounds for numbers, a select for enums, a checkbox for booleans. The browser does not enforce
 * the bounds (the form is `novalidate`): the API's own message is what the user sees, next to
 * the field it names.
 */
export class ParamsForm {
  readonly element: HTMLFieldSetElement;
  readonly #fields: Field[] = [];
  /** Problems about the params as a whole (fastPeriod < slowPeriod). */
  readonly #error: HTMLElement;

  constructor(schema: ObjectSchema, legend: string) {
    this.#error = h("p", { class: "field-error", role: "alert" });
    this.element = h("fieldset", { class: "params" }, h("legend", {}, legend));
    const properties = Object.entries(schema.properties ?? {});
    if (properties.length === 0) this.element.append(h("p", { class: "hint" }, "No parameters."));
    for (const [name, property] of properties) this.#addField(name, property);
    this.element.append(this.#error);
  }

  #addField(name: string, schema: PropertySchema): void {
    const id = uniqueId(`param-${name}`);
    const errorId = `${id}-error`;
    const hintId = `${id}-hint`;
    const described = `${hintId} ${errorId}`;
    let control: HTMLInputElement | HTMLSelectElement;
    if (schema.enum) {
      control = h(
        "select",
        { id, name, "aria-describedby": described },
        ...schema.enum.map((value) =>
          h("option", { value: String(value), selected: value === schema.default }, String(value)),
        ),
      );
    } else if (schema.type === "boolean") {
      control = h("input", {
        id,
        name,
        type: "checkbox",
        checked: schema.default === true,
        "aria-describedby": described,
      });
    } else {
      const numeric = schema.type === "integer" || schema.type === "number";
      control = h("input", {
        id,
        name,
        type: numeric ? "number" : "text",
        inputmode: schema.type === "integer" ? "numeric" : numeric ? "decimal" : undefined,
        step: schema.type === "integer" ? 1 : numeric ? "any" : undefined,
        min: schema.minimum,
        max: schema.maximum,
        value: schema.default === undefined ? "" : String(schema.default),
        "aria-describedby": described,
      });
    }
    const error = h("p", { class: "field-error", id: errorId, role: "alert" });
    const hint = [
      schema.description,
      bounds(schema),
      schema.default !== undefined ? `default ${schema.default}` : "",
    ]
      .filter(Boolean)
      .join("; ");
    this.element.append(
      h(
        "div",
        { class: "field" },
        h("label", { for: id }, name),
        control,
        h("span", { class: "hint", id: hintId }, hint),
        error,
      ),
    );
    this.#fields.push({ name, schema, control, error });
  }

  /** The params to send: every field with a value, typed as the schema says. */
  values(): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    for (const { name, schema, control } of this.#fields) {
      if (control instanceof HTMLInputElement && control.type === "checkbox") {
        params[name] = control.checked;
        continue;
      }
      const text = control.value.trim();
      // A number input holding what is not a number reads as "": badInputs() reports it instead.
      if (text === "") continue;
      const numeric =
        schema.type === "integer" ||
        schema.type === "number" ||
        (schema.enum !== undefined && typeof schema.enum[0] === "number");
      params[name] = numeric ? Number(text) : text;
    }
    return params;
  }

  /** Marks the fields whose text the browser cannot read as a number; true when there are any. */
  showBadInputs(): boolean {
    let found = false;
    for (const { name, control } of this.#fields)
      if (control instanceof HTMLInputElement && control.validity.badInput) {
        this.showError(name, "Not a number.");
        found = true;
      }
    return found;
  }

  /** Shows a problem at `path` (a param name, or "" for the params as a whole); false when no field has that name. */
  showError(path: string, message: string): boolean {
    const field = this.#fields.find((candidate) => candidate.name === path);
    const target = field ? field.error : path === "" ? this.#error : null;
    if (!target) return false;
    target.textContent = target.textContent ? `${target.textContent} ${message}` : message;
    field?.control.setAttribute("aria-invalid", "true");
    return true;
  }

  clearErrors(): void {
    this.#error.textContent = "";
    for (const { error, control } of this.#fields) {
      error.textContent = "";
      control.removeAttribute("aria-invalid");
    }
  }

  /** Moves focus to the first field with a problem. */
  focusFirstError(): boolean {
    const field = this.#fields.find(({ error }) => error.textContent);
    field?.control.focus();
    return field !== undefined;
  }
}
