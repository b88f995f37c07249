/**
 * The OpenAPI 3.1 document of the API, built from the app itself: every route of `app.routes`, the
 * request schemas of its `valid()` validators (lib/validate.ts), and operations.ts for summaries and
 * answers. `npm run openapi` writes it to public/api/openapi.json (served as a static asset, so the
 * Worker never builds it); none of this is in the Worker's bundle.
 */
import { toJsonSchema, toJsonSchemaDefs, type ConversionConfig, type JsonSchema } from "@valibot/to-json-schema";
import type { GenericSchema } from "valibot";
import { app } from "../index";
import { ERROR_STATUS } from "../lib/errors";
import { isIfMatchMarker } from "../lib/if-match";
import { VALIDATES, type Validates } from "../lib/validate";
import { BOOKMARK_HEADER } from "../middleware/db";
import { version } from "../../package.json";
import { OPERATIONS, type Operation } from "./operations";
import { COMPONENTS } from "./responses";

const METHODS = ["GET", "POST", "PUT", "DELETE"] as const;
type Target = Validates[typeof VALIDATES]["target"];

const ref = (name: string) => `#/components/schemas/${name}`;
const config = (typeMode: ConversionConfig["typeMode"]): ConversionConfig => ({
  target: "draft-2020-12",
  typeMode,
  // refinements JSON Schema cannot state (the server checks them; a refusal names the field)
  ignoreActions: ["check", "raw_check", "partial_check", "to_lower_case", "trim"],
  // a multipart field that is a file: binary, as OpenAPI 3.1 writes it
  overrideSchema: ({ valibotSchema }) =>
    valibotSchema.type === "file" || valibotSchema.type === "blob" ? { type: "string", contentMediaType: "application/octet-stream" } : undefined,
  overrideRef: ({ referenceId }) => ref(referenceId),
});

/** A schema as JSON Schema, with the named components as `$ref`s. */
function jsonSchema(schema: GenericSchema, typeMode: ConversionConfig["typeMode"]): JsonSchema {
  const { $schema: _, $defs: __, ...rest } = toJsonSchema(schema, { ...config(typeMode), definitions: COMPONENTS });
  return rest;
}

/** `/org/:orgName/item/:path{.+}` -> `/org/{orgName}/item/{path}` */
export const openApiPath = (path: string) => path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
const pathParams = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);

const operationId = (method: string, path: string) =>
  method.toLowerCase() +
  path
    .split("/")
    .filter((s) => s && s !== "api")
    .map((s) => (s.startsWith(":") ? `By-${s.slice(1).replace(/\{.*$/, "")}` : s))
    .join("-")
    .replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

const ERROR_HEADERS: Record<number, Record<string, unknown>> = {
  401: { "WWW-Authenticate": { description: 'Bearer realm="concord"', schema: { type: "string" } } },
  429: { "Retry-After": { description: "Seconds to wait before retrying", schema: { type: "string" } } },
};

const STATUS_TEXT: Record<number, string> = {
  400: "The request is invalid (VALIDATION_FAILED with a `details` entry per field, or BAD_REQUEST)",
  401: "No API key, or an unknown, expired or disabled one",
  403: "The caller may not do this",
  404: "No such thing, or one the caller may not see",
  409: "Conflicts with what exists (a name in use, a reference that would break)",
  412: "If-Match does not name the resource's current version (PRECONDITION_FAILED): nothing was changed",
  413: "The body is larger than this route accepts",
  415: "The body's Content-Type is not one this route reads",
  429: "Too many requests from this address or with this key (RATE_LIMITED; Retry-After says when to retry)",
  500: "An unexpected error (the body never carries details; the log has the request id)",
};

function responses(op: Operation, method: string, authenticated: boolean, validates: boolean, ifMatch: boolean) {
  const requestId = { "X-Request-Id": { $ref: "#/components/headers/RequestId" } };
  // every GET answers an ETag, and 304 to a matching If-None-Match (src/index.ts)
  const conditional = method === "GET";
  const headers = {
    ...requestId,
    ...(conditional ? { ETag: { $ref: "#/components/headers/ETag" } } : {}),
    ...(authenticated ? { [BOOKMARK_HEADER]: { $ref: "#/components/headers/Bookmark" } } : {}),
    ...(op.paged ? { Link: { $ref: "#/components/headers/Link" } } : {}),
  };
  const out: Record<string, unknown> = {};
  const answer = op.answer;
  if ("schema" in answer) {
    const schema = jsonSchema(answer.schema, "ignore");
    out["200"] = { description: op.summary, headers, content: { "application/json": { schema: answer.list ? { type: "array", items: schema } : schema } } };
  } else if ("media" in answer) {
    out["200"] = {
      description: answer.description,
      headers,
      content: { [answer.media]: { schema: { type: "string", contentMediaType: answer.media } }, "application/json": { schema: { $ref: ref("UsernamePassword") } } },
    };
  } else {
    out["200"] = { description: answer.description, headers, content: { "application/json": { schema: {} } } };
    if (answer.orNoContent) out["204"] = { description: "No such item", headers: requestId };
  }
  if (conditional) out["304"] = { description: "Not modified: If-None-Match named the current ETag (no body)", headers: { ...requestId, ETag: { $ref: "#/components/headers/ETag" } } };
  // Any request under /api may be refused before its route: 400 (If-Match), 401, 413, 429.
  const errors = new Set([...(validates || authenticated ? [400] : []), ...(authenticated ? [401, 413, 429] : []), ...(ifMatch ? [412] : []), ...op.errors, 500]);
  for (const status of [...errors].sort((a, b) => a - b)) out[String(status)] = { $ref: `#/components/responses/Error${status}` };
  return out;
}

/** The parameters of a query validator's object schema, one per field. */
function queryParams(schema: GenericSchema) {
  const object = jsonSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, s]) => ({ name, in: "query", required: object.required?.includes(name) ?? false, schema: s }));
}

function bodyOf(validators: Map<Target, GenericSchema>) {
  const json = validators.get("json");
  if (json) return { required: true, content: { "application/json": { schema: jsonSchema(json, "input") } } };
  const form = validators.get("form");
  if (form) {
    const schema = jsonSchema(form, "input");
    return { required: false, content: { "multipart/form-data": { schema }, "application/x-www-form-urlencoded": { schema } } };
  }
  return undefined;
}

/** Every API route of the app (method and Hono path, as operations.ts keys them) with its validators. */
export function appRoutes() {
  const routes = new Map<string, { validators: Map<Target, GenericSchema>; takesIfMatch: boolean }>();
  for (const route of app.routes) {
    if (!(METHODS as readonly string[]).includes(route.method) || !route.path.startsWith("/api/")) continue;
    const key = `${route.method} ${route.path}`;
    const found = routes.get(key) ?? { validators: new Map<Target, GenericSchema>(), takesIfMatch: false };
    const validates = (route.handler as Partial<Validates>)[VALIDATES];
    if (validates) found.validators.set(validates.target, validates.schema);
    if (isIfMatchMarker(route.handler)) found.takesIfMatch = true;
    routes.set(key, found);
  }
  return routes;
}

/** One error answer per status (components.responses), its codes those of that status. */
const errorResponses = () =>
  Object.fromEntries(
    Object.keys(STATUS_TEXT).map((s) => {
      const status = Number(s);
      const codes = Object.entries(ERROR_STATUS).filter(([, st]) => st === status).map(([code]) => code);
      return [
        `Error${status}`,
        {
          description: STATUS_TEXT[status],
          headers: { "X-Request-Id": { $ref: "#/components/headers/RequestId" }, ...ERROR_HEADERS[status] },
          content: { "application/json": { schema: { allOf: [{ $ref: ref("Error") }, { properties: { code: { enum: codes } } }] } } },
        },
      ];
    }),
  );

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, { validators, takesIfMatch }] of appRoutes()) {
    const op = OPERATIONS[key];
    if (!op) throw new Error(`${key}: not described in src/openapi/operations.ts`);
    const [method, path] = key.split(" ") as [string, string];
    const authenticated = path.startsWith("/api/") && !path.startsWith("/api/v1/server/");
    const paramSchema = validators.get("param");
    const paramProps = paramSchema ? ((jsonSchema(paramSchema, "input") as { properties?: Record<string, JsonSchema> }).properties ?? {}) : {};
    const parameters = [
      ...pathParams(path).map((name) => ({ name, in: "path", required: true, schema: paramProps[name] ?? { type: "string" } })),
      ...(validators.has("query") ? queryParams(validators.get("query")!) : []),
      ...(authenticated ? [{ $ref: "#/components/parameters/Bookmark" }] : []),
      ...(method === "GET" ? [{ $ref: "#/components/parameters/IfNoneMatch" }] : []),
      ...(takesIfMatch ? [{ $ref: "#/components/parameters/IfMatch" }] : []),
    ];
    const requestBody = bodyOf(validators);
    (paths[openApiPath(path)] ??= {})[method.toLowerCase()] = {
      operationId: operationId(method, path),
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      ...(authenticated ? {} : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: responses(op, method, authenticated, validators.size > 0, takesIfMatch),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Concord Organization API",
      version,
      description:
        "Concord's Organization API on Cloudflare Workers: organizations and what they own (teams, projects, repositories, " +
        "secrets, JSON stores, team access), users, API keys and the audit log. Every call under /api carries an API key " +
        "in `Authorization`. Errors answer `{ok: false, code, message, details?}`; codes: " +
        Object.entries(ERROR_STATUS)
          .map(([code, status]) => `${code} (${status})`)
          .join(", ") +
        ".",
    },
    security: [{ apiKey: [] }],
    tags: [...new Set(Object.values(OPERATIONS).map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "Authorization", description: "An API key (`POST /api/v1/apikey`)" } },
      schemas: toJsonSchemaDefs(COMPONENTS, config("ignore")),
      responses: errorResponses(),
      headers: {
        RequestId: { description: "The request's id (also in the log line and the audit entry)", schema: { type: "string" } },
        ETag: { description: "The answer's entity tag: send it as If-None-Match to get 304 while the answer is unchanged", schema: { type: "string" } },
        Bookmark: { description: "The D1 session bookmark after this request: send it back to read what it wrote", schema: { type: "string" } },
        Link: { description: 'The next page: `<path?query&after=...>; rel="next"` (absent on the last page)', schema: { type: "string" } },
      },
      parameters: {
        IfMatch: {
          name: "If-Match",
          in: "header",
          required: false,
          description: 'The ETag of this resource\'s GET ("v<version>.<digest>"), or *: the update is carried out only if the resource is still at that version (412 otherwise)',
          schema: { type: "string" },
        },
        IfNoneMatch: { name: "If-None-Match", in: "header", required: false, description: "An ETag of an earlier answer: 304 while it is still the answer", schema: { type: "string" } },
        Bookmark: {
          name: BOOKMARK_HEADER,
          in: "header",
          required: false,
          description: "A D1 session bookmark from an earlier answer: this request reads at least what that one wrote (read replicas)",
          schema: { type: "string" },
        },
      },
    },
  };
}
