/**
 * The one registry of coded errors. Every problem+json response carries one of these codes;
 * clients may switch on `code`, so a code never changes meaning once released.
 */
export const ERROR_REGISTRY = {
  VALIDATION_FAILED: { status: 400, title: "The request is not valid" },
  UNKNOWN_INDICATOR: { status: 400, title: "Unknown indicator" },
  MALFORMED_JSON: { status: 400, title: "The body is not valid JSON" },
  BAD_REQUEST: { status: 400, title: "The request is malformed" },
  UNAUTHORIZED: { status: 401, title: "Missing or invalid credentials" },
  NOT_FOUND: { status: 404, title: "No such route" },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed on this route" },
  BODY_TOO_LARGE: { status: 413, title: "The body is larger than the limit" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported content type" },
  REQUEST_TOO_COSTLY: { status: 422, title: "The request would take too long to compute" },
  RESPONSE_TOO_LARGE: { status: 422, title: "The response would be too large" },
  TOO_MANY_REQUESTS: { status: 429, title: "Rate limit exceeded" },
  INTERNAL: { status: 500, title: "Internal error" },
  NOT_READY: { status: 503, title: "The service is not ready" },
  OVERLOADED: { status: 503, title: "The service is overloaded" },
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

/** The `detail` line for a list of field issues: the issue itself when there is one. */
export function describeIssues(issues: readonly FieldIssue[]): string {
  const [first] = issues;
  if (issues.length === 1 && first) return `${first.path}: ${first.message}`;
  return `${issues.length} problems in the request; see errors.`;
}
