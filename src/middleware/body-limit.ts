import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../lib/errors";

export const KIB = 1024;

/** Bodies up to this size everywhere, unless a route below allows more. */
export const DEFAULT_BODY_LIMIT = 256 * KIB;
/** Secret values and JSON store items may be 512 KiB each; the body carries encoding overhead on top. */
export const VALUE_LIMIT = 512 * KIB;

const LARGER_BODIES: [RegExp, number][] = [
  // Creating or updating a secret: a KEY_PAIR carries two files of up to 512 KiB each (multipart),
  // and a JSON update's DATA value is base64 (4/3 of its size).
  [/^\/api\/v[12]\/org\/[^/]+\/secret(\/[^/]+)?\/?$/, 2 * VALUE_LIMIT + 64 * KIB],
  [/^\/api\/v1\/org\/[^/]+\/jsonstore\/[^/]+\/item\//, VALUE_LIMIT + 64 * KIB],
];

const limiters = new Map<number, ReturnType<typeof bodyLimit>>();
const limiterFor = (maxBytes: number) => {
  let limiter = limiters.get(maxBytes);
  if (!limiter) {
    limiter = bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `Request body exceeds ${Math.floor(maxBytes / KIB)} KiB`);
      },
    });
    limiters.set(maxBytes, limiter);
  }
  return limiter;
};

/** One body limit per request, whether or not Content-Length is sent: 413 PAYLOAD_TOO_LARGE past it. */
export const limitBody = createMiddleware((c, next) => {
  if (!c.req.raw.body) return next();
  const path = c.req.path;
  const max = LARGER_BODIES.find(([pattern]) => pattern.test(path))?.[1] ?? DEFAULT_BODY_LIMIT;
  return limiterFor(max)(c, next);
});
