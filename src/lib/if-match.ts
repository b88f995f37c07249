/**
 * If-Match on updates (README, "Caching, CORS and rate limits"): a write takes it when its route
 * carries `takesIfMatch` and its handler puts `ifMatchHolds` at the head of its write batch; any
 * other write that sends it is refused (middleware/if-match.ts), and the OpenAPI document declares
 * it on exactly the marked routes. A GET of one of these resources answers an ETag
 * `"v<version>.<digest>"` (middleware/etag.ts): If-Match compares its version with the row's,
 * inside the write's batch (db/preconditions.ts): a mismatch is 412.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { SQL } from "drizzle-orm";
import { versionHolds } from "../db/preconditions";
import type { AppEnv } from "../env";
import { preconditionFailed } from "./errors";

const TAKES_IF_MATCH = Symbol("takesIfMatch");

/**
 * Marks a route whose handler honours If-Match (with `ifMatchHolds`): put it first in the route's
 * handlers, e.g. `.post("/", takesIfMatch, valid("json", ...), handler)`.
 */
export const takesIfMatch = Object.assign(
  createMiddleware<AppEnv>(async (c, next) => {
    c.set("takesIfMatch", true);
    await next();
  }),
  { [TAKES_IF_MATCH]: true },
);

/** Whether a route handler (an `app.routes` entry's) is the `takesIfMatch` marker. */
export const isIfMatchMarker = (handler: unknown) => typeof handler === "function" && TAKES_IF_MATCH in handler;

/** The version an If-Match names, "*" (any current version), or undefined without the header. */
function ifMatchVersion(c: Context<AppEnv>): number | "*" | undefined {
  const header = c.req.header("If-Match");
  if (header === undefined) return undefined;
  if (header.trim() === "*") return "*";
  // Only a strong tag this API issued can match (RFC 9110: If-Match compares strongly).
  const match = /^\s*"v(\d{1,15})\.[0-9a-f]+"\s*$/.exec(header);
  if (!match) throw preconditionFailed();
  return Number(match[1]);
}

/**
 * The batch's head statement for the request's If-Match on the row whose version `current` reads;
 * none without If-Match. Only on a route marked `takesIfMatch` (a route that is not would refuse
 * the header before its handler runs, so the precondition would never be checked).
 */
export function ifMatchHolds(c: Context<AppEnv>, current: SQL) {
  if (!c.get("takesIfMatch")) throw new Error(`ifMatchHolds on ${c.req.method} ${c.req.routePath}, a route not marked takesIfMatch`);
  const expected = ifMatchVersion(c);
  return expected === undefined ? undefined : versionHolds(c.get("db"), current, expected);
}
