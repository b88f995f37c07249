import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { version } from "../../package.json";

/** Unauthenticated liveness and version endpoints (Concord's /api/v1/server/*). */
export const serverRouter = new Hono<AppEnv>()
  .get("/ping", (c) => c.json({ ok: true }))
  .get("/version", (c) => c.json({ ok: true, version }));
