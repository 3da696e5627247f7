import { Api, ApiProblem, type Catalog, problemText } from "./api.js";
import { h } from "./dom.js";
import { JobsPage } from "./jobs-page.js";
import { Playground } from "./playground.js";

/** The console's entry point: theme, API key, the two pages and the hash that picks one. */

const THEME_ITEM = "indicator-service.theme";
type Theme = "light" | "dark";

const api = new Api();
const main = document.getElementById("main") as HTMLElement;
const themeButton = document.getElementById("theme") as HTMLButtonElement;
const forgetKey = document.getElementById("forget-key") as HTMLButtonElement;
const health = document.getElementById("health") as HTMLElement;
const navLinks = [...document.querySelectorAll<HTMLAnchorElement>("nav a")];
let pages: { playground: Playground; jobs: JobsPage } | null = null;

function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  // A toggle keeps its name; aria-pressed says whether it is on.
  themeButton.setAttribute("aria-pressed", String(theme === "dark"));
  pages?.playground.refreshTheme();
}

function initialTheme(): Theme {
  const stored = localStorage.getItem(THEME_ITEM);
  if (stored === "light" || stored === "dark") return stored;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

themeButton.addEventListener("click", () => {
  const next: Theme = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
  localStorage.setItem(THEME_ITEM, next);
  applyTheme(next);
});
applyTheme(initialTheme());

function route(): void {
  if (!pages) return;
  const name = location.hash === "#jobs" ? "jobs" : "playground";
  for (const link of navLinks)
    if (link.hash === `#${name}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  main.replaceChildren(pages[name].element);
  document.title = `${name === "jobs" ? "Jobs" : "Playground"} · Indicator service`;
}
window.addEventListener("hashchange", () => {
  route();
  main.focus();
});

/** Asks for the API key; the catalog is loaded again with it. */
function askForKey(problem: ApiProblem | null): void {
  pages?.jobs.dispose();
  pages = null;
  forgetKey.hidden = true;
  const input = h("input", { id: "api-key", type: "password", autocomplete: "off", required: true });
  const error = h("p", { class: "field-error", id: "api-key-error", role: "alert" }, problem?.detail ?? "");
  input.setAttribute("aria-describedby", "api-key-hint api-key-error");
  const form = h(
    "form",
    {
      class: "panel key-form",
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        if (input.value.trim() === "") {
          error.textContent = "Enter a key.";
          return;
        }
        api.setKey(input.value.trim());
        void start();
      },
    },
    h("h2", {}, "This service needs an API key"),
    h("label", { for: "api-key" }, "API key"),
    h(
      "p",
      { class: "hint", id: "api-key-hint" },
      "Kept for this tab only and sent as Authorization: Bearer.",
    ),
    input,
    error,
    h("button", { type: "submit", class: "primary" }, "Use key"),
  );
  main.replaceChildren(form);
  input.focus();
}

api.onUnauthorized = (problem) => {
  // Without a key, being asked for one is no error; with one, the API's reason is shown.
  const hadKey = api.hasKey;
  api.setKey(null);
  askForKey(hadKey ? problem : null);
};
forgetKey.addEventListener("click", () => {
  api.setKey(null);
  askForKey(null);
});

async function showHealth(): Promise<void> {
  try {
    const response = await fetch("/health", { headers: { accept: "application/json" } });
    const body = (await response.json()) as { status: string; mode: string; version: string };
    health.textContent = `${body.mode} · v${body.version}`;
    health.dataset.status = body.status;
  } catch {
    health.textContent = "unreachable";
    health.dataset.status = "down";
  }
}

async function start(): Promise<void> {
  main.replaceChildren(h("p", { class: "status", role: "status" }, "Loading the catalog…"));
  try {
    const catalog = await api.json<Catalog>("/indicators");
    forgetKey.hidden = !api.hasKey;
    pages = { playground: new Playground(api, catalog), jobs: new JobsPage(api, catalog) };
    route();
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 401) return; // onUnauthorized asked for a key
    main.replaceChildren(h("p", { class: "field-error", role: "alert" }, problemText(error)));
  }
}

void showHealth();
void start();
