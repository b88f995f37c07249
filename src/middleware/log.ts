import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../env";
import { rootCause } from "../lib/errors";

/**
 * One JSON line per request (Workers Logs indexes its fields): the request id, method, the route's
 * pattern (never the raw path: it carries names), status, duration, the request's D1 round trips
 * and rows, the caller's id, the error code of an error answer, and for a 500 the error's stack.
 * Never a key, its hash, a body or SQL parameters: a 500 logs the database driver's own error,
 * not drizzle's wrapper (whose message carries the bound parameters).
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  const route = matchedRoutes(c).at(-1);
  const d1 = c.get("d1");
  const error = c.res.status >= 500 ? rootCause(c.get("error")) : undefined;
  console.log(
    JSON.stringify({
      level: c.res.status >= 500 ? "error" : "info",
      msg: "request",
      requestId: c.get("requestId"),
      method: c.req.method,
      route: route && route.method !== "ALL" ? route.path : null,
      status: c.res.status,
      durationMs: Date.now() - started,
      // `unmeasured`: calls whose answer has no meta (first, raw), whose rows the sums leave out
      ...(d1 && { d1: { roundTrips: d1.roundTrips, rowsRead: d1.rowsRead, rowsWritten: d1.rowsWritten, ...(d1.unmeasured && { unmeasured: d1.unmeasured }) } }),
      ...(c.get("caller") && { callerId: c.get("caller")!.id }),
      ...(c.get("errorCode") && { code: c.get("errorCode") }),
      ...(error !== undefined && { error: error instanceof Error ? `${error.name}: ${error.message}` : "non-Error thrown", stack: error instanceof Error ? error.stack : undefined }),
    }),
  );
});
