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
 * binding IP_RATE_LIMIT, keyed by CF-Connecting-IP (set by Cloudflare on every request, and by
 * `wrangler dev`; a request without it, e.g. in the vitest tests, is not limited here).
 */
export const limitByIp = createMiddleware<AppEnv>(async (c, next) => {
  const ip = c.req.header("CF-Connecting-IP");
  if (ip && !(await allowed(c.env.IP_RATE_LIMIT, addressKey(ip)))) refuse(c, "from this address");
  await next();
});

/**
 * The bucket of an address: an IPv4 address itself; an IPv6 address by its /64 network (one
 * subscriber's allocation: rotating addresses inside it must not give a client more buckets).
 */
export function addressKey(ip: string): string {
  if (!ip.includes(":")) return ip;
  const [head = "", tail] = ip.toLowerCase().split("::", 2);
  const groups = head ? head.split(":") : [];
  if (tail !== undefined) {
    const rest = tail ? tail.split(":") : [];
    groups.push(...Array<string>(Math.max(0, 8 - groups.length - rest.length)).fill("0"), ...rest);
  }
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

/** Whether the limiter lets one more request through; a limiter that fails lets it (and says so in the log). */
async function allowed(limiter: RateLimit | undefined, key: string): Promise<boolean> {
  if (!limiter) return true;
  try {
    return (await limiter.limit({ key })).success;
  } catch (err) {
    console.log(JSON.stringify({ level: "error", msg: "rate limiter failed; request let through", error: String(err) }));
    return true;
  }
}

/**
 * Per API key, after the key is read (before it is looked up): KEY_RATE_LIMIT, keyed by the key's
 * SHA-256 (never the key itself); the Worker's admin key has one bucket of its own. Checked before
 * the key is looked up, so a refused request costs D1 nothing: a key over its limit is 429 whether
 * or not it exists (the bucket is the presented key's, so that tells nothing).
 */
export const limitByKey = createMiddleware<AppEnv>(async (c, next) => {
  const credential = c.get("credential");
  const key = credential.kind === "admin" ? "admin" : credential.keyHash;
  if (!(await allowed(c.env.KEY_RATE_LIMIT, key))) refuse(c, "with this API key");
  await next();
});
