import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import { ApiError } from "../lib/errors";
import { IF_MATCH_ROUTES } from "../lib/if-match";

/**
 * If-Match is taken by the updates of lib/if-match.ts; any other write that sends it is refused, so
 * a client that relies on it never has a write carried out unchecked.
 */
export const refuseIfMatch = createMiddleware(async (c, next) => {
  if (c.req.method !== "GET" && c.req.header("If-Match") !== undefined) {
    const route = matchedRoutes(c).at(-1);
    if (!route || !IF_MATCH_ROUTES.has(`${route.method} ${route.path}`)) {
      throw new ApiError("BAD_REQUEST", "If-Match is not supported on this route: send the request without it");
    }
  }
  await next();
});
