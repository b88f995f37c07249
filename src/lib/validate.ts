/**
 * The one validation wrapper: every body, query and path parameter goes through Valibot here, and a
 * failure becomes the VALIDATION_FAILED envelope with one `{id, message}` per problem.
 */
import type { Context, MiddlewareHandler, ValidationTargets } from "hono";
import { validator } from "hono/validator";
import * as v from "valibot";
import { ApiError, type ErrorDetail } from "./errors";

type AnySchema = v.GenericSchema;

function toDetails(issues: readonly v.BaseIssue<unknown>[]): ErrorDetail[] {
  return issues.map((issue) => ({
    id: v.getDotPath(issue) ?? "body",
    message: issue.message,
  }));
}

/** Validates a value already in hand (e.g. a multipart field); throws VALIDATION_FAILED. */
export function parseWith<S extends AnySchema>(schema: S, value: unknown, what = "request"): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortPipeEarly: true });
  if (!result.success) throw new ApiError("VALIDATION_FAILED", `Invalid ${what}`, toDetails(result.issues));
  return result.output;
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

function isJsonRequest(c: Context): boolean {
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim();
  return JSON_MEDIA_TYPE.test(mediaType);
}

const FORM_MEDIA_TYPES = ["multipart/form-data", "application/x-www-form-urlencoded"];

function isFormRequest(c: Context): boolean {
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  return FORM_MEDIA_TYPES.includes(mediaType);
}

type Target = "json" | "form" | "query" | "param";
const WHAT: Record<Target, string> = {
  json: "request body",
  form: "form fields",
  query: "query parameters",
  param: "path parameters",
};

/**
 * `valid("json", Schema)` as route middleware; the handler reads `c.req.valid("json")`, typed.
 * hono parses JSON only for JSON content types and answers malformed JSON with a 400 itself;
 * any other content type is refused here with 415 rather than validated as an empty body.
 * Forms (multipart or urlencoded) may also be sent without any body or Content-Type: then every
 * field is absent.
 */
export function valid<T extends Target, S extends AnySchema>(target: T, schema: S) {
  return validator(target, (value, c) => {
    if (target === "json" && !isJsonRequest(c)) {
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
    }
    // A form endpoint called without Content-Type (e.g. `curl -X POST` with no fields) has no fields.
    if (target === "form" && c.req.header("Content-Type") && !isFormRequest(c)) {
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be multipart/form-data");
    }
    return parseWith(schema, value, WHAT[target]);
  }) as MiddlewareHandler<
    any,
    string,
    { in: { [K in T]: ValidationTargets[T] }; out: { [K in T]: v.InferOutput<S> } }
  >;
}
