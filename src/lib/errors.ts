import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The closed set of error codes; each maps to exactly one HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  PRECONDITION_FAILED: 412,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  /** path of the offending field, e.g. "owner.username" or "[2].role" */
  id: string;
  message: string;
}

export interface ErrorBody {
  ok: false;
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[];
}

export class ApiError extends HTTPException {
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];

  constructor(code: ErrorCode, message: string, details?: ErrorDetail[]) {
    super(ERROR_STATUS[code], { message });
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string) => new ApiError("NOT_FOUND", `${what} not found`);

/** VALIDATION_FAILED for one field, for rules a schema cannot check alone (e.g. "no such user"). */
export const invalidField = (id: string, message: string, what = "request body") =>
  new ApiError("VALIDATION_FAILED", `Invalid ${what}`, [{ id, message }]);

/** Create-or-update bodies: without an id, the name says what to create or update. */
export const nameRequired = () => invalidField("name", "is required when id is not given");
export const forbidden = (message: string) => new ApiError("FORBIDDEN", message);

/** If-Match named a version the row is not at (lib/if-match.ts), whether seen before the batch or by it. */
const PRECONDITION_MESSAGE = "If-Match does not name the current version: GET it again, and retry with its ETag";
export const preconditionFailed = () => new ApiError("PRECONDITION_FAILED", PRECONDITION_MESSAGE);

/** hono's own HTTPExceptions (malformed JSON, ...) mapped onto our codes. */
const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  412: "PRECONDITION_FAILED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
};

function envelope(c: Context, code: ErrorCode, message: string, details?: ErrorDetail[]) {
  const body: ErrorBody = { ok: false, code, message, ...(details?.length ? { details } : {}) };
  c.set("errorCode", code);
  if (code === "UNAUTHORIZED") c.header("WWW-Authenticate", 'Bearer realm="concord"');
  return c.json(body, ERROR_STATUS[code]);
}

/** Walks an error's `cause` chain to the driver's own error (drizzle wraps it with the SQL and parameters). */
export function rootCause(err: unknown): unknown {
  let e = err;
  while (e instanceof Error && e.cause !== undefined && e.cause !== e) e = e.cause;
  return e;
}

/** A trigger that refuses a write raises a message starting with this (migrations/0010). */
const REFUSED_BY_TRIGGER = "refused: ";

const constraintKind = (err: unknown): "UNIQUE" | "FOREIGN KEY" | "REFUSED" | "PRECONDITION" | undefined => {
  const message = String(rootCause(err) instanceof Error ? (rootCause(err) as Error).message : rootCause(err));
  // db/preconditions.ts: an If-Match that did not hold rolled the batch back
  if (message.includes("CHECK constraint failed: if_match_failed_ck")) return "PRECONDITION";
  if (message.includes("UNIQUE constraint failed")) return "UNIQUE";
  if (message.includes("FOREIGN KEY constraint failed")) return "FOREIGN KEY";
  if (message.includes(REFUSED_BY_TRIGGER) && message.includes("SQLITE_CONSTRAINT")) return "REFUSED";
  // db/preconditions.ts refuseIf: a rule checked after the batch's writes did not hold
  if (message.includes("CHECK constraint failed: write_refused_ck")) return "REFUSED";
  return undefined;
};

/**
 * Translates the database's constraint answers into API errors; anything else is rethrown.
 * Use around writes: the constraint decides, so there is no check-then-write race.
 */
export function translateConstraint(
  err: unknown,
  messages: { unique?: string; foreignKey?: string; refused?: string },
): never {
  const kind = constraintKind(err);
  if (kind === "UNIQUE" && messages.unique) throw new ApiError("CONFLICT", messages.unique);
  if (kind === "FOREIGN KEY" && messages.foreignKey) throw new ApiError("CONFLICT", messages.foreignKey);
  if (kind === "REFUSED" && messages.refused) throw new ApiError("CONFLICT", messages.refused);
  throw err;
}

export const onError: ErrorHandler = (err, c) => {
  if (err instanceof ApiError && err.code !== "INTERNAL") return envelope(c, err.code, err.message, err.details);
  if (err instanceof HTTPException && err.status < 500) {
    const code = CODE_BY_STATUS[err.status] ?? "BAD_REQUEST";
    return envelope(c, code, err.message || code);
  }
  const kind = constraintKind(err);
  if (kind === "UNIQUE") return envelope(c, "CONFLICT", "The request conflicts with an existing record");
  if (kind === "FOREIGN KEY") return envelope(c, "CONFLICT", "The request refers to a record that does not exist");
  if (kind === "REFUSED") return envelope(c, "CONFLICT", "The request would break a rule of the stored data");
  if (kind === "PRECONDITION") return envelope(c, "PRECONDITION_FAILED", PRECONDITION_MESSAGE);
  // The request's log line (middleware/log.ts) reports it, as the driver's own error.
  c.set("error", err);
  // An ApiError("INTERNAL") carries a message written for the operator (e.g. missing configuration).
  const message = err instanceof ApiError ? err.message : "Internal server error";
  return envelope(c, "INTERNAL", `${message} (request id ${c.get("requestId") ?? "unknown"})`);
};

export const onNotFound: NotFoundHandler = (c) =>
  envelope(c, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`);
