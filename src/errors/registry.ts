/**
 * The one registry of coded errors. Every problem+json response carries one of these codes;
 * clients may switch on `code`, so a code never changes meaning once released.
 */
/**
 * What the registry keeps per code, as fastify's own error registry does: the status, the title,
 * and the template of the `detail` line over the arguments each throw site passes. Arguments with
 * `retryAfterSeconds` also set the Retry-After header, so the text and the header never disagree.
 */
interface ErrorEntry {
  readonly status: number;
  readonly title: string;
  readonly detail: (args: never) => string;
  readonly headers?: (args: never) => Readonly<Record<string, string>>;
}

/** The field issues' summary (IssueList.describe()). */
const summarized = (a: { summary: string }) => a.summary;
/** A detail only the thrower can word: a parser's message, which part of a stream is broken. */
const explained = (a: { reason: string }) => a.reason;
const retryLater = (a: { reason: string; retryAfterSeconds: number }) =>
  `${a.reason}; retry in ${a.retryAfterSeconds} s.`;

export const ERROR_REGISTRY = {
  VALIDATION_FAILED: { status: 400, title: "The request is not valid", detail: summarized },
  UNKNOWN_INDICATOR: { status: 400, title: "Unknown indicator", detail: summarized },
  MALFORMED_JSON: {
    status: 400,
    title: "The body is not valid JSON",
    detail: (a: { where: string; problem: string }) => `${a.where} ${a.problem}`,
  },
  MALFORMED_ARROW: { status: 400, title: "The body is not a valid Arrow IPC stream", detail: explained },
  BAD_REQUEST: { status: 400, title: "The request is malformed", detail: explained },
  UNAUTHORIZED: {
    status: 401,
    title: "Missing or invalid credentials",
    detail: (a: { keyGiven: boolean }) =>
      a.keyGiven ? "The API key is not valid." : "Send an API key as Authorization: Bearer <key>.",
    headers: () => ({ "www-authenticate": 'Bearer realm="indicator-service"' }),
  },
  NOT_FOUND: {
    status: 404,
    title: "No such route",
    detail: (a: { missing: string; hint?: string }) => `No ${a.missing}.${a.hint ? ` ${a.hint}` : ""}`,
  },
  JOB_NOT_FOUND: {
    status: 404,
    title: "No such job",
    detail: (a: { id: string }) => `No job ${a.id}; jobs expire JOB_TTL_SECONDS after they were created.`,
  },
  SERIES_NOT_FOUND: {
    status: 404,
    title: "No such series in the job",
    detail: (a: { id: string; key: string }) =>
      `Job ${a.id} has no series with key ${JSON.stringify(a.key)}.`,
  },
  SERIES_NOT_FINISHED: {
    status: 409,
    title: "The series has not finished yet",
    detail: (a: { key: string }) =>
      `Series ${JSON.stringify(a.key)} has not finished; follow the job's events.`,
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    title: "Method not allowed on this route",
    detail: (a: { method: string; path: string; allowed: readonly string[] }) =>
      `${a.method} is not allowed on ${a.path}; use ${a.allowed.join(", ")}.`,
    headers: (a: { allowed: readonly string[] }) => ({ allow: a.allowed.join(", ") }),
  },
  NOT_ACCEPTABLE: {
    status: 406,
    title: "No acceptable response format",
    detail: (a: { offered: readonly string[] }) =>
      `The Accept header asks for none of the formats this route produces: ${a.offered.join(", ")}. Errors are always application/problem+json.`,
  },
  BODY_TOO_LARGE: {
    status: 413,
    title: "The body is larger than the limit",
    detail: () => "The body is larger than BODY_LIMIT_BYTES allows.",
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: "Unsupported content type",
    detail: (a: { accepted: readonly string[] }) => `Send the body as ${a.accepted.join(" or ")}.`,
  },
  REQUEST_TOO_COSTLY: {
    status: 422,
    title: "The request would take too long to compute",
    detail: (a: { estimatedMs: number; limitMs: number }) =>
      `The request is estimated at ${Math.round(a.estimatedMs)} ms of computation; the limit is ${a.limitMs} ms (MAX_REQUEST_COMPUTE_MS). Send fewer candles, fewer indicators or shorter periods; the costliest are listed.`,
  },
  RESPONSE_TOO_LARGE: {
    status: 422,
    title: "The response would be too large",
    detail: (a: { values: number; limit: number }) =>
      `The response would hold ${a.values} numbers; the limit is ${a.limit} (MAX_RESPONSE_VALUES). Use options.tail or fewer indicators.`,
  },
  JOB_TOO_LARGE: { status: 422, title: "The job is larger than the limits", detail: summarized },
  TOO_MANY_REQUESTS: { status: 429, title: "Rate limit exceeded", detail: retryLater },
  INTERNAL: {
    status: 500,
    title: "Internal error",
    detail: (a: { reason?: string }) =>
      a.reason ?? "The service failed to handle this request; the request id is logged.",
  },
  NOT_READY: {
    status: 503,
    title: "The service is not ready",
    detail: (a: { phase: string; retryAfterSeconds: number }) =>
      `The service is ${a.phase}; retry in ${a.retryAfterSeconds} s.`,
  },
  OVERLOADED: { status: 503, title: "The service is overloaded", detail: retryLater },
  JOBS_UNAVAILABLE: {
    status: 503,
    title: "The job store is unreachable",
    detail: (a: { retryAfterSeconds: number }) =>
      `The job store (Redis) did not answer; retry in ${a.retryAfterSeconds} s.`,
  },
  DEADLINE_EXCEEDED: {
    status: 504,
    title: "The request took longer than its deadline",
    detail: (a: { deadlineMs: number }) =>
      `The calculation took longer than ${a.deadlineMs} ms (REQUEST_DEADLINE_MS); it goes on, so a retry may find it cached.`,
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_REGISTRY;
export const ERROR_CODES = Object.keys(ERROR_REGISTRY) as [ErrorCode, ...ErrorCode[]];

export function problemType(code: ErrorCode): string {
  return `urn:indicator-service:problem:${code.toLowerCase().replaceAll("_", "-")}`;
}

/** A response lists at most this many field issues (a bad 100k-candle column is 100k of them). */
export const MAX_REPORTED_ISSUES = 20;

export interface FieldIssue {
  /** Where in the request, e.g. `indicators[1].params.period` or `candles.high`. */
  readonly path: string;
  readonly message: string;
}

/** The codes whose detail is a summary of field issues (IssueList.toError). */
type SummarizedCode = {
  [C in ErrorCode]: (typeof ERROR_REGISTRY)[C]["detail"] extends typeof summarized ? C : never;
}[ErrorCode];

function isSummarized(code: ErrorCode): code is SummarizedCode {
  return ERROR_REGISTRY[code].detail === summarized;
}

/** The arguments of a code's detail template. */
type DetailArgs<C extends ErrorCode> = Parameters<(typeof ERROR_REGISTRY)[C]["detail"]>[0];

interface ErrorOptions {
  readonly issues?: readonly FieldIssue[];
  readonly cause?: unknown;
}

/**
 * A coded error. Built only from the registry: `problem(code, args)` words its detail with the
 * code's template, `reworded` rebuilds one worded earlier in another thread or a job's record.
 */
export class ServiceError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues: readonly FieldIssue[];
  readonly headers: Readonly<Record<string, string>>;

  private constructor(
    code: ErrorCode,
    detail: string,
    headers: Readonly<Record<string, string>>,
    options: ErrorOptions,
  ) {
    super(detail, { cause: options.cause });
    this.name = "ServiceError";
    this.code = code;
    this.status = ERROR_REGISTRY[code].status;
    this.issues = options.issues ?? [];
    this.headers = headers;
  }

  static of<C extends ErrorCode>(code: C, args: DetailArgs<C>, options: ErrorOptions = {}): ServiceError {
    const entry: ErrorEntry = ERROR_REGISTRY[code];
    const headers: Record<string, string> = { ...entry.headers?.(args as never) };
    const retryAfter = (args as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
    return new ServiceError(code, entry.detail(args as never), headers, options);
  }

  static reworded(code: ErrorCode, detail: string, issues: readonly FieldIssue[] = []): ServiceError {
    return new ServiceError(code, detail, {}, { issues });
  }
}

/** The error of `code`, its detail worded by the registry's template from `args`. */
export const problem = ServiceError.of;

/**
 * Field issues of one request: lists the first MAX_REPORTED_ISSUES and counts the rest, so a
 * body with a million bad values costs a counter, not a million messages. A check that stops
 * looking once the list is full calls `stopped()`, and the count becomes a lower bound.
 */
export class IssueList {
  readonly listed: FieldIssue[] = [];
  total = 0;
  #exact = true;

  get full(): boolean {
    return this.listed.length >= MAX_REPORTED_ISSUES;
  }

  get empty(): boolean {
    return this.total === 0;
  }

  /** `message` may be a function: building it (close-match suggestions) is skipped once the list is full. */
  add(path: string, message: string | (() => string)): void {
    this.total++;
    if (!this.full) this.listed.push({ path, message: typeof message === "function" ? message() : message });
  }

  /** Counts problems known to exist that are not worth describing (the list is full). */
  count(problems: number): void {
    this.total += problems;
  }

  stopped(): void {
    this.#exact = false;
  }

  /** Adds another list's issues after this one's (listed while there is room, counted after). */
  append(other: IssueList): void {
    for (const issue of other.listed) this.add(issue.path, issue.message);
    this.count(other.total - other.listed.length);
    if (!other.#exact) this.stopped();
  }

  /** The `detail` line: the issue itself when there is one, else how many and how many are listed. */
  describe(): string {
    const [first] = this.listed;
    if (this.total === 1 && first) return `${first.path}: ${first.message}`;
    const count = this.#exact ? `${this.total}` : `At least ${this.total}`;
    const listed =
      this.listed.length < this.total ? `the first ${this.listed.length} are listed` : "see errors";
    return `${count} problems in the request; ${listed}.`;
  }

  /**
   * The refusal listing these issues. A job's series can also fail with other codes (too costly,
   * say); named after the one kind they had, its detail is still this summary.
   */
  toError(code: ErrorCode = "VALIDATION_FAILED"): ServiceError {
    const summary = this.describe();
    return isSummarized(code)
      ? problem(code, { summary }, { issues: this.listed })
      : ServiceError.reworded(code, summary, this.listed);
  }
}
