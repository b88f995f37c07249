import { createMiddleware } from "hono/factory";
import { createDatabase } from "../db/client";
import { countCalls, newD1Stats } from "../db/d1-stats";
import type { AppEnv } from "../env";

export const BOOKMARK_HEADER = "X-D1-Bookmark";
/** D1 bookmarks look like 00000000-00000006-00000000-<32 hex>; anything else is ignored, not sent to D1. */
const BOOKMARK_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/i;

/** Methods that only read: their session may start on any read replica. */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Builds the request's database handle once: a D1 Sessions API session, its D1 calls counted
 * (db/d1-stats.ts). A read starts on any replica (production), or at least at the bookmark the
 * client sends back (it reads its own writes). A write starts on the primary: its key lookup and
 * access checks, and the state its batch is conditioned on, are then current (a key revoked or a
 * member removed a moment ago cannot write through a lagging replica, and an update is not refused
 * as "changed meanwhile" for having read an old copy); its writes go to the primary anyway.
 */
export const database = createMiddleware<AppEnv>(async (c, next) => {
  const bookmark = c.req.header(BOOKMARK_HEADER)?.trim();
  const session = c.env.DB.withSession(
    !READS.has(c.req.method) ? "first-primary" : bookmark && BOOKMARK_PATTERN.test(bookmark) ? bookmark : "first-unconstrained",
  );
  // counted for the request's log line (middleware/log.ts)
  const d1 = newD1Stats();
  c.set("d1", d1);
  c.set("db", createDatabase(countCalls(session, d1)));
  await next();
  // Set on the finished response directly: c.header() after next() would copy the Response each time.
  const latest = session.getBookmark();
  if (latest) c.res.headers.set(BOOKMARK_HEADER, latest);
});
