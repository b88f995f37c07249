import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";

/** The limiters' period (wrangler.jsonc `ratelimits`: 60 s): the longest a refused client waits. */
const RETRY_AFTER_SECONDS = "60";

function refuse(c: { header: (name: string, value: string) => void }, what: string): never {
  c.header("Retry-After", RETRY_AFTER_SECONDS);
  throw new ApiError("RATE_LIMITED", `Too many requests ${what}; retry after ${RETRY_AFTER_SECONDS} seconds`);
}

/**
 * Per client IP, before authentication (it protects the key lookup): the Workers Rate Limiting
 * binding IP_RATE_LIMIT, keyed by CF-Connecting-IP (set by Cloudflare on every request; a request
 * without it, e.g. in local tests, is not limited here).
 */
export const limitByIp = createMiddleware<AppEnv>(async (c, next) => {
  const ip = c.req.header("CF-Connecting-IP");
  if (ip && c.env.IP_RATE_LIMIT && !(await c.env.IP_RATE_LIMIT.limit({ key: ip })).success) refuse(c, "from this address");
  await next();
});

/**
 * Per API key, after the key is read (before it is looked up): KEY_RATE_LIMIT, keyed by the key's
 * SHA-256 (never the key itself); the Worker's admin key has one bucket of its own.
 */
export const limitByKey = createMiddleware<AppEnv>(async (c, next) => {
  const credential = c.get("credential");
  const key = credential.kind === "admin" ? "admin" : credential.keyHash;
  if (c.env.KEY_RATE_LIMIT && !(await c.env.KEY_RATE_LIMIT.limit({ key })).success) refuse(c, "with this API key");
  await next();
});
