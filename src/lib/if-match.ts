/**
 * If-Match on updates (README, "Caching, CORS and rate limits"): the routes below take it; any
 * other write that sends it is refused (middleware/if-match.ts). A GET of one of these resources
 * answers an ETag `"v<version>.<digest>"` (middleware/etag.ts): If-Match compares its version with
 * the row's, inside the write's batch (db/preconditions.ts): a mismatch is 412.
 */
import type { Context } from "hono";
import type { SQL } from "drizzle-orm";
import { versionHolds } from "../db/preconditions";
import type { AppEnv } from "../env";
import { preconditionFailed } from "./errors";

/** The writes that take If-Match, as `app.routes` names them. */
export const IF_MATCH_ROUTES = new Set([
  "POST /api/v1/org",
  "POST /api/v1/org/:orgName/project",
  "POST /api/v1/org/:orgName/jsonstore",
  "PUT /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}",
  "POST /api/v1/org/:orgName/secret/:secretName",
  "POST /api/v2/org/:orgName/secret/:secretName",
]);

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

/** The batch's head statement for the request's If-Match on the row whose version `current` reads; none without If-Match. */
export function ifMatchHolds(c: Context<AppEnv>, current: SQL) {
  const expected = ifMatchVersion(c);
  return expected === undefined ? undefined : versionHolds(c.get("db"), current, expected);
}
