import type { Database } from "./db/client";
import type { D1Stats } from "./db/d1-stats";
import type { ErrorCode } from "./lib/errors";

/**
 * The API key a request presented (middleware/auth.ts). The Worker's ADMIN_API_KEY is recognised
 * without D1; any other key is only hashed, and looked up with the request's first reads (lib/access.ts).
 */
export type Credential = { kind: "admin" } | { kind: "key"; keyHash: string };

/** Who is calling, once the credential is resolved. */
export interface Caller {
  id: string;
  username: string;
  isAdmin: boolean;
}

/**
 * The Worker's bindings, vars and secrets: `Env`, generated from wrangler.jsonc by `npm run types`
 * (worker-configuration.d.ts; the secrets' names come from .dev.vars.example).
 */
export type Bindings = Env;

export interface Variables {
  requestId: string;
  db: Database;
  /** The presented API key, parsed but not yet looked up (see lib/access.ts). */
  credential: Credential;
  /** Set once the credential has been resolved against the database. */
  caller?: Caller;
  /** The version of the row a GET answers, for its ETag (middleware/etag.ts, lib/if-match.ts). */
  version?: number;
  /** Set by a route that honours If-Match (lib/if-match.ts `takesIfMatch`). */
  takesIfMatch?: boolean;
  /** The request's D1 calls, counted (middleware/db.ts), for its log line. */
  d1?: D1Stats;
  /** The error code the request was answered with, and for a 500 the error (lib/errors.ts), for its log line. */
  errorCode?: ErrorCode;
  error?: unknown;
}

/** Read variables with c.get("db"): hono's c.var builds a fresh object from all variables on every access. */
export type AppEnv = { Bindings: Bindings; Variables: Variables };
