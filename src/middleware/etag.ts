import { etag, RETAINED_304_HEADERS } from "hono/etag";
import { createMiddleware } from "hono/factory";

const encoder = new TextEncoder();

/**
 * A paged answer's tag covers its `Link` too: a page that gains (or loses) a next page is a new
 * answer even when its body is the same, so its old tag must not get a 304. Other answers are
 * tagged by hono/etag from the body alone.
 */
const tagPagedAnswer = createMiddleware(async (c, next) => {
  await next();
  const link = c.res.headers.get("Link");
  if (c.req.method !== "GET" || !c.res.ok || !link) return;
  const body = new Uint8Array(await c.res.clone().arrayBuffer());
  const tagged = new Uint8Array(encoder.encode(`${link}\n`).length + body.length);
  tagged.set(encoder.encode(`${link}\n`));
  tagged.set(body, tagged.length - body.length);
  c.res.headers.set("ETag", `"${new Uint8Array(await crypto.subtle.digest("SHA-1", tagged)).toHex()}"`);
});

/**
 * Conditional GETs: every 2xx GET answers an ETag, and a matching If-None-Match answers 304 without
 * a body. The handler still runs its read (the tag is computed from the answer), so a 304 is never
 * stale. A 304 keeps the CORS headers, or a browser could not read it.
 */
export const conditionalGet = [
  etag({ retainedHeaders: [...RETAINED_304_HEADERS, "access-control-allow-origin", "access-control-expose-headers"] }),
  tagPagedAnswer,
] as const;
