import type { Database } from "./db/client";
import type { Credential } from "./middleware/auth";
import type { Caller } from "./db/caller";

export interface Bindings {
  DB: D1Database;
  /** Authenticates as the built-in `admin` user. A Worker secret (`wrangler secret put ADMIN_API_KEY`). */
  ADMIN_API_KEY?: string;
  /** Root key for secret encryption (issue 3). A Worker secret. */
  SECRETS_KEY?: string;
  /**
   * "1" adds `X-D1-Round-Trips` and `X-D1-Bound-Limits` to every response that used D1 (the tests
   * and the benchmark count them; see db/client.ts).
   */
  D1_STATS?: string;
}

export interface Variables {
  requestId: string;
  db: Database;
  /** The presented API key, parsed but not yet looked up (see db/caller.ts). */
  credential: Credential;
  /** Set once the credential has been resolved against the database. */
  caller?: Caller;
}

/** Read variables with c.get("db"): hono's c.var builds a fresh object from all variables on every access. */
export type AppEnv = { Bindings: Bindings; Variables: Variables };
