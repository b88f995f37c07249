import { createMiddleware } from "hono/factory";
import { cors } from "hono/cors";
import type { AppEnv } from "../env";
import { BOOKMARK_HEADER } from "./db";
import { REQUEST_ID_HEADER } from "./request-id";

type Cors = ReturnType<typeof cors>;
let cached: { origins: string; handler: Cors } | undefined;

/**
 * CORS for browser clients of the origins in `CORS_ORIGINS` (comma-separated, exact origins such as
 * `https://console.example.com`; empty, the default: no CORS headers at all). Registered before
 * authentication: a preflight (OPTIONS) is answered without a key.
 */
export const corsFromConfig = createMiddleware<AppEnv>(async (c, next) => {
  const origins = c.env.CORS_ORIGINS?.trim() ?? "";
  if (!origins) return next();
  // one handler per configured value (vars do not change within an isolate's deployment)
  if (cached?.origins !== origins) {
    const allowed = origins.split(",").map((o) => o.trim()).filter(Boolean);
    cached = {
      origins,
      handler: cors({
        origin: allowed,
        allowMethods: ["GET", "POST", "PUT", "DELETE"],
        allowHeaders: ["Authorization", "Content-Type", "If-None-Match", "If-Match", BOOKMARK_HEADER],
        exposeHeaders: [REQUEST_ID_HEADER, "Link", "ETag", BOOKMARK_HEADER],
        maxAge: 600,
      }),
    };
  }
  return cached.handler(c, next);
});
