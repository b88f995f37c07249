import type { Database } from "./db/client";
import type { Credential } from "./middleware/auth";
import type { Caller } from "./lib/access";

export interface Bindings {
  DB: D1Database;
  /** Authenticates as the built-in `admin` user. A Worker secret (`wrangler secret put ADMIN_API_KEY`). */
  ADMIN_API_KEY?: string;
  /** Root key for secret encryption (issue 3). A Worker secret. */
  SECRETS_KEY?: string;
}

export interface Variables {
  requestId: string;
  db: Database;
  /** The presented API key, parsed but not yet looked up (see lib/access.ts). */
  credential: Credential;
  /** Set once the credential has been resolved against the database. */
  caller?: Caller;
}

/** Read variables with c.get("db"): hono's c.var builds a fresh object from all variables on every access. */
export type AppEnv = { Bindings: Bindings; Variables: Variables };
