/**
 * The contract test's check: an answer the test suite receives must be one the OpenAPI document
 * (public/api/openapi.json, current by `npm test`'s `openapi --check`) declares for its route: the
 * status, and a JSON body that matches that status's schema. test/helpers.ts `call()` runs it on
 * every answer. Routes are matched as the app matches them (its own paths, in its order).
 */
import { Validator, type Schema } from "@cfworker/json-schema";
import document from "../public/api/openapi.json";
import { appRoutes, openApiPath } from "../src/openapi/document";

interface MediaType {
  schema: Schema;
}
interface Response {
  $ref?: string;
  content?: Record<string, MediaType>;
}
interface OperationObject {
  responses: Record<string, Response>;
}

const definitions = document.components.schemas as unknown as Record<string, Schema>;
/** `#/components/schemas/X` as the validator resolves it: `#/$defs/X` of each schema */
const withDefs = (schema: Schema): Schema =>
  JSON.parse(JSON.stringify({ ...schema, $defs: definitions }).replaceAll('"#/components/schemas/', '"#/$defs/')) as Schema;

/**
 * The app's routes as Hono matches them, in the order it registered them: `:name` one segment,
 * `:name{re}` the route's own pattern (an item's path may contain `/`); each with its operation in
 * the document.
 */
const routes = [...appRoutes().keys()].map((key) => {
  const [method, path] = key.split(" ") as [string, string];
  const pattern = path.replace(/:\w+(\{([^}]*)\})?/g, (_, __, re: string | undefined) => (re ? `(?:${re})` : "[^/]+"));
  const template = openApiPath(path);
  const operation = (document.paths as unknown as Record<string, Record<string, OperationObject>>)[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${key}: not in public/api/openapi.json (npm run openapi)`);
  return { method, template, operation, pattern: new RegExp(`^${pattern}$`) };
});

const validators = new Map<Schema, Validator>();

/** Why the answer breaks the contract, or undefined when it keeps it. */
export function contractViolation(method: string, url: string, status: number, contentType: string, body: unknown): string | undefined {
  const path = new URL(url).pathname;
  const found = routes.find((r) => r.method === method && r.pattern.test(path));
  if (!found) {
    // A path the app has no route for answers the error envelope: 404, or what comes before routing
    // (401 for a bad key, 413 for a body over the limit).
    return [401, 404, 413].includes(status) ? checkBody(definitions.Error!, body, `${method} ${path} ${status}`) : `${method} ${path}: not in the document`;
  }
  const { operation } = found;
  const declared = operation.responses[String(status)];
  // an error answer is declared by reference (components.responses)
  const response = declared?.$ref ? (document.components.responses as unknown as Record<string, Response>)[declared.$ref.split("/").pop()!] : declared;
  if (!response) return `${method} ${found.template}: status ${status} is not declared (declared: ${Object.keys(operation.responses).join(", ")})`;
  if (!response.content) return body === "" || body === undefined ? undefined : `${method} ${found.template} ${status}: declares no body, got one`;
  const mediaType = contentType.split(";")[0]!.trim();
  const media = response.content[mediaType];
  if (!media) return `${method} ${found.template} ${status}: Content-Type ${mediaType || "(none)"} is not declared (declared: ${Object.keys(response.content).join(", ")})`;
  return mediaType === "application/json" ? checkBody(media.schema, body, `${method} ${found.template} ${status}`) : undefined;
}

function checkBody(schema: Schema, body: unknown, what: string) {
  let validator = validators.get(schema);
  if (!validator) validators.set(schema, (validator = new Validator(withDefs(schema), "2020-12", false)));
  const result = validator.validate(body);
  if (result.valid) return undefined;
  const errors = result.errors
    .filter((e) => e.keyword !== "$ref" && e.keyword !== "properties" && e.keyword !== "items" && e.keyword !== "anyOf")
    .slice(0, 3)
    .map((e) => `${e.instanceLocation}: ${e.error}`);
  return `${what}: the body does not match the document: ${errors.join("; ")} (${JSON.stringify(body).slice(0, 300)})`;
}
