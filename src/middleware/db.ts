import { createMiddleware } from "hono/factory";
import { countRoundTrips, createDatabase } from "../db/client";
import type { AppEnv } from "../env";

export const BOOKMARK_HEADER = "X-D1-Bookmark";
/** D1 bookmarks look like 00000000-00000006-00000000-<32 hex>; anything else is ignored, not sent to D1. */
const BOOKMARK_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/i;

/**
 * Builds the request's database handle once: a D1 Sessions API session (read replicas in
 * production; a client that sends back the bookmark it got reads its own writes), counted.
 */
export const database = createMiddleware<AppEnv>(async (c, next) => {
  const bookmark = c.req.header(BOOKMARK_HEADER)?.trim();
  const session = c.env.DB.withSession(
    bookmark && BOOKMARK_PATTERN.test(bookmark) ? bookmark : "first-unconstrained",
  );
  const stats = { roundTrips: 0 };
  c.set("d1Stats", stats);
  c.set("db", createDatabase(countRoundTrips(session, stats)));
  try {
    await next();
  } finally {
    const latest = session.getBookmark();
    if (latest) c.header(BOOKMARK_HEADER, latest);
    if (c.env.D1_STATS === "1") c.header("X-D1-Round-Trips", String(stats.roundTrips));
  }
});
