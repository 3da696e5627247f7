import type { z } from "zod";
import type { JobAcceptedSchema, JobSchema } from "../../src/http/schemas/jobs.js";
import type {
  CalculateResponseSchema,
  CatalogSchema,
  ProblemSchema,
} from "../../src/http/schemas/responses.js";

/** The API's answers, typed by the schemas the service documents them with. */
export type Catalog = z.output<typeof CatalogSchema>;
export type CatalogEntry = Catalog["indicators"][number];
export type CalculateResponse = z.output<typeof CalculateResponseSchema>;
export type CalculateResult = CalculateResponse["results"][number];
export type Job = z.output<typeof JobSchema>;
export type JobAccepted = z.output<typeof JobAcceptedSchema>;
type ProblemBody = z.output<typeof ProblemSchema>;
export type FieldIssue = NonNullable<ProblemBody["errors"]>[number];

/** An error answer of the API (problem+json), or a network failure shown the same way. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code: string,
    readonly errors: readonly FieldIssue[] = [],
  ) {
    super(detail);
  }

  static async of(response: Response): Promise<ApiProblem> {
    return ApiProblem.fromText(response.status, await response.text());
  }

  /** From an error answer's body: problem+json, or whatever text a proxy in between sent. */
  static fromText(status: number, text: string): ApiProblem {
    try {
      const body = JSON.parse(text) as Partial<ProblemBody>;
      return new ApiProblem(
        status,
        body.title ?? `HTTP ${status}`,
        body.detail ?? text,
        body.code ?? "",
        body.errors ?? [],
      );
    } catch {
      return new ApiProblem(status, `HTTP ${status}`, text.slice(0, 500), "");
    }
  }
}

/** What to tell the user about a failed call: the API's problem, or the error as it is. */
export function problemText(error: unknown): string {
  return error instanceof ApiProblem ? `${error.title}: ${error.detail}` : String(error);
}

/** sessionStorage: the key lives as long as the tab, is not shared with other tabs, never sent elsewhere. */
const KEY_ITEM = "indicator-service.api-key";

/** The service at this page's origin, with the tab's API key on every request. */
export class Api {
  #key: string | null = sessionStorage.getItem(KEY_ITEM);
  /** Called on 401: the key is missing or wrong, the page asks for one. */
  onUnauthorized: (problem: ApiProblem) => void = () => {};

  get hasKey(): boolean {
    return this.#key !== null;
  }

  setKey(key: string | null): void {
    this.#key = key;
    if (key === null) sessionStorage.removeItem(KEY_ITEM);
    else sessionStorage.setItem(KEY_ITEM, key);
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.#key === null ? extra : { ...extra, authorization: `Bearer ${this.#key}` };
  }

  /** The response when it is a success; otherwise its problem, thrown. */
  async fetch(
    path: string,
    init: RequestInit & { headers?: Record<string, string> } = {},
  ): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(path, { ...init, headers: this.headers(init.headers) });
    } catch (error) {
      throw new ApiProblem(0, "The service is unreachable", (error as Error).message, "NETWORK");
    }
    if (response.ok) return response;
    const problem = await ApiProblem.of(response);
    if (response.status === 401) this.onUnauthorized(problem);
    throw problem;
  }

  async json<T>(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<T> {
    return (await (await this.fetch(path, init)).json()) as T;
  }

  postJson<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>(path, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
  }
}
