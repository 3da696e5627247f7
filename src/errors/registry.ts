/**
 * The one registry of coded errors. Every problem+json response carries one of these codes;
 * clients may switch on `code`, so a code never changes meaning once released.
 */
export const ERROR_REGISTRY = {
  VALIDATION_FAILED: { status: 400, title: "The request is not valid" },
  UNKNOWN_INDICATOR: { status: 400, title: "Unknown indicator" },
  MALFORMED_JSON: { status: 400, title: "The body is not valid JSON" },
  MALFORMED_ARROW: { status: 400, title: "The body is not a valid Arrow IPC stream" },
  BAD_REQUEST: { status: 400, title: "The request is malformed" },
  UNAUTHORIZED: { status: 401, title: "Missing or invalid credentials" },
  NOT_FOUND: { status: 404, title: "No such route" },
  JOB_NOT_FOUND: { status: 404, title: "No such job" },
  SERIES_NOT_FOUND: { status: 404, title: "No such series in the job" },
  SERIES_NOT_FINISHED: { status: 409, title: "The series has not finished yet" },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed on this route" },
  NOT_ACCEPTABLE: { status: 406, title: "No acceptable response format" },
  BODY_TOO_LARGE: { status: 413, title: "The body is larger than the limit" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported content type" },
  REQUEST_TOO_COSTLY: { status: 422, title: "The request would take too long to compute" },
  RESPONSE_TOO_LARGE: { status: 422, title: "The response would be too large" },
  JOB_TOO_LARGE: { status: 422, title: "The job is larger than the limits" },
  TOO_MANY_REQUESTS: { status: 429, title: "Rate limit exceeded" },
  INTERNAL: { status: 500, title: "Internal error" },
  NOT_READY: { status: 503, title: "The service is not ready" },
  OVERLOADED: { status: 503, title: "The service is overloaded" },
  JOBS_UNAVAILABLE: { status: 503, title: "The job store is unreachable" },
  DEADLINE_EXCEEDED: { status: 504, title: "The request took longer than its deadline" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_REGISTRY;

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

export class ServiceError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues: readonly FieldIssue[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { issues?: readonly FieldIssue[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = "ServiceError";
    this.code = code;
    this.status = ERROR_REGISTRY[code].status;
    this.issues = options.issues ?? [];
    this.headers = options.headers ?? {};
  }
}

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

  toError(code: ErrorCode = "VALIDATION_FAILED"): ServiceError {
    return new ServiceError(code, this.describe(), { issues: this.listed });
  }
}
