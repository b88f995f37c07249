import { createMiddleware } from "hono/factory";
import { createDatabase } from "../db/client";
import type { AppEnv } from "../env";

export const BOOKMARK_HEADER = "X-D1-Bookmark";
/** D1 bookmarks look like 00000000-00000006-00000000-<32 hex>; anything else is ignored, not sent to D1. */
const BOOKMARK_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/i;

/**
 * Builds the request's database handle once: a D1 Sessions API session (read replicas in
 * production; a client that sends back the bookmark it got reads its own writes).
 */
export const database = createMiddleware<AppEnv>(async (c, next) => {
  const bookmark = c.req.header(BOOKMARK_HEADER)?.trim();
  const session = c.env.DB.withSession(
    bookmark && BOOKMARK_PATTERN.test(bookmark) ? bookmark : "first-unconstrained",
  );
  c.set("db", createDatabase(session));
  await next();
  // Set on the finished response directly: c.header() after next() would copy the Response each time.
  const latest = session.getBookmark();
  if (latest) c.res.headers.set(BOOKMARK_HEADER, latest);
});
