import { etag, RETAINED_304_HEADERS } from "hono/etag";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

const encoder = new TextEncoder();

/**
 * The tags hono/etag does not compute itself: a paged answer's covers its `Link` (a page that gains
 * or loses a next page is a new answer even when its body is the same), and the answer of a row
 * that If-Match can name (the handler sets `version`) is `"v<version>.<digest>"`, so a write can
 * name the version it read (lib/if-match.ts). Other answers are tagged by hono/etag from the body.
 */
const tagAnswer = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const link = c.res.headers.get("Link");
  const version = c.get("version");
  if (c.req.method !== "GET" || !c.res.ok || (!link && version === undefined)) return;
  const head = encoder.encode(`${link ?? ""}\n`);
  const body = new Uint8Array(await c.res.clone().arrayBuffer());
  const tagged = new Uint8Array(head.length + body.length);
  tagged.set(head);
  tagged.set(body, head.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", tagged)).toHex();
  c.res.headers.set("ETag", version === undefined ? `"${digest}"` : `"v${version}.${digest}"`);
});

/**
 * Conditional GETs: every 2xx GET answers an ETag, and a matching If-None-Match answers 304 without
 * a body. The handler still runs its read (the tag is computed from the answer), so a 304 is never
 * stale. A 304 keeps the CORS headers, or a browser could not read it.
 */
export const conditionalGet = [
  etag({ retainedHeaders: [...RETAINED_304_HEADERS, "access-control-allow-origin", "access-control-expose-headers"] }),
  tagAnswer,
] as const;
