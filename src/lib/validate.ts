/**
 * The one validation wrapper: every body, query and path parameter goes through Valibot here, and a
 * failure becomes the VALIDATION_FAILED envelope with one `{id, message}` per problem.
 */
import type { Context, MiddlewareHandler, ValidationTargets } from "hono";
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

/** What a target's value is before validation; absent fields are absent, never an error here. */
async function rawInput(c: Context, target: Target): Promise<unknown> {
  switch (target) {
    case "json":
      if (!isJsonRequest(c)) throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
      try {
        return await c.req.json();
      } catch {
        throw new ApiError("BAD_REQUEST", "Malformed JSON in request body");
      }
    case "form": {
      // A form endpoint called without Content-Type (e.g. `curl -X POST` with no fields) has no fields.
      if (!c.req.header("Content-Type")) return {};
      if (!isFormRequest(c)) throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be multipart/form-data");
      let data: FormData;
      try {
        data = await c.req.formData();
      } catch {
        throw new ApiError("BAD_REQUEST", "Malformed form data in request body");
      }
      // A field sent twice becomes an array, which the schemas refuse where one value is expected.
      const fields: Record<string, File | string | (File | string)[]> = Object.create(null);
      data.forEach((value, key) => {
        const seen = fields[key];
        fields[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
      });
      return fields;
    }
    case "query":
      return Object.fromEntries(Object.entries(c.req.queries()).map(([k, vs]) => [k, vs.length === 1 ? vs[0] : vs]));
    case "param":
      return c.req.param();
  }
}

/**
 * What a `valid()` middleware validates, carried on the middleware itself: the OpenAPI document
 * (src/openapi/document.ts) reads it from `app.routes`, so it describes the schemas the routes use.
 */
export const VALIDATES = Symbol("validates");
export interface Validates {
  [VALIDATES]: { target: Target; schema: AnySchema };
}

/**
 * `valid("json", Schema)` as route middleware; the handler reads `c.req.valid("json")`, typed.
 * JSON is read only with a JSON content type (anything else is 415, not an empty body) and
 * malformed JSON is 400 BAD_REQUEST. Forms (multipart or urlencoded) may also be sent without any
 * body or Content-Type: then every field is absent.
 */
export function valid<T extends Target, S extends AnySchema>(
  target: T,
  schema: S,
): MiddlewareHandler<any, string, { in: { [K in T]: ValidationTargets[T] }; out: { [K in T]: v.InferOutput<S> } }> & Validates {
  const middleware: MiddlewareHandler = async (c, next) => {
    c.req.addValidatedData(target, parseWith(schema, await rawInput(c, target), WHAT[target]) as {});
    await next();
  };
  return Object.assign(middleware, { [VALIDATES]: { target, schema } });
}
