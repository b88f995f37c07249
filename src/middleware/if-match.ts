import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import { ApiError } from "../lib/errors";
import { isIfMatchMarker } from "../lib/if-match";

/**
 * If-Match is taken by the writes whose route is marked `takesIfMatch` (lib/if-match.ts); any other
 * write that sends it is refused, so a client that relies on it never has a write carried out unchecked.
 */
export const refuseIfMatch = createMiddleware(async (c, next) => {
  if (c.req.method !== "GET" && c.req.header("If-Match") !== undefined) {
    if (!matchedRoutes(c).some((route) => isIfMatchMarker(route.handler))) {
      throw new ApiError("BAD_REQUEST", "If-Match is not supported on this route: send the request without it");
    }
  }
  await next();
});
