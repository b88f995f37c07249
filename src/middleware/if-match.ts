import { createMiddleware } from "hono/factory";
import { ApiError } from "../lib/errors";

/**
 * `If-Match` is not implemented (README, "Caching, CORS and rate limits"): a write that sends it is
 * refused, so a client that relies on it to prevent a lost update never has one carried out unchecked.
 */
export const refuseIfMatch = createMiddleware(async (c, next) => {
  if (c.req.method !== "GET" && c.req.header("If-Match") !== undefined) {
    throw new ApiError("BAD_REQUEST", "If-Match is not supported by this API: send the update without it");
  }
  await next();
});
