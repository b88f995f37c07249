import { Hono } from "hono/tiny";
import type { AppEnv, Bindings } from "./env";
import { onError, onNotFound } from "./lib/errors";
import { pruneAuditLog } from "./lib/retention";
import { authenticate } from "./middleware/auth";
import { limitBody } from "./middleware/body-limit";
import { corsFromConfig } from "./middleware/cors";
import { conditionalGet } from "./middleware/etag";
import { limitByIp, limitByKey } from "./middleware/rate-limit";
import { refuseIfMatch } from "./middleware/if-match";
import { requestLog } from "./middleware/log";
import { requestId } from "./middleware/request-id";
import { database } from "./middleware/db";
import { accessRouter } from "./routes/access";
import { apiKeysRouter } from "./routes/api-keys";
import { auditRouter } from "./routes/audit";
import { jsonStoresRouter } from "./routes/json-stores";
import { orgsRouter } from "./routes/orgs";
import { projectsRouter, repositoriesRouter } from "./routes/projects";
import { secretsRouter, secretsV2Router } from "./routes/secrets";
import { teamsRouter } from "./routes/teams";
import { serverRouter } from "./routes/server";
import { usersRouter } from "./routes/users";

// Every router here is built from hono/tiny (PatternRouter: one regular expression per route, tried
// in order). For our ~50 routes that costs microseconds per request and keeps ~2.4 KB gzip of
// router code (RegExpRouter + TrieRouter + SmartRouter) out of the bundle; `npm run bench` measures
// both. A file that imports `Hono` from "hono" instead brings those routers back.
const app = new Hono<AppEnv>();

app.use(requestLog, requestId, corsFromConfig);
// The reference page (public/docs.html, a static asset) describes everything below.
app.get("/", (c) => c.redirect("/docs"));
// Every GET under /api answers an ETag, the unauthenticated ones too.
app.use("/api/v1/server/*", ...conditionalGet);
app.route("/api/v1/server", serverRouter);
// Everything else under /api needs an API key; the key is resolved in the request's first D1 batch.
// The per-key limit is checked before the key is looked up (it protects D1: a refused request reads
// nothing, so a key over its limit is 429 whether or not it exists); everything after `database`
// is refused only after the key is known (401 first). Conditional GETs come after `database`, so a
// 304 still carries the session's bookmark.
app.use("/api/*", limitByIp, authenticate, limitByKey, database, refuseIfMatch, ...conditionalGet, limitBody);
app.route("/api/v1/org", orgsRouter);
app.route("/api/v1/org/:orgName/team", teamsRouter);
app.route("/api/v1/org/:orgName/project", projectsRouter);
app.route("/api/v1/org/:orgName/project/:projectName/repository", repositoriesRouter);
app.route("/api/v1/org/:orgName/secret", secretsRouter);
app.route("/api/v2/org/:orgName/secret", secretsV2Router);
app.route("/api/v1/org/:orgName/jsonstore", jsonStoresRouter);
app.route("/api/v1/org/:orgName/project/:resourceName/access", accessRouter("project"));
app.route("/api/v1/org/:orgName/secret/:resourceName/access", accessRouter("secret"));
app.route("/api/v1/org/:orgName/jsonstore/:resourceName/access", accessRouter("jsonStore"));
app.route("/api/v1/user", usersRouter);
app.route("/api/v1/apikey", apiKeysRouter);
app.route("/api/v1/audit", auditRouter);

app.notFound(onNotFound);
app.onError(onError);

export { app };

export default {
  fetch: app.fetch,
  /** The Cron Trigger (wrangler.jsonc): audit log retention. One JSON log line per run. */
  async scheduled(controller, env, _ctx) {
    const result = await pruneAuditLog(env, new Date(controller.scheduledTime));
    console.log(JSON.stringify({ level: "info", job: "audit-retention", cron: controller.cron, ...result }));
  },
} satisfies ExportedHandler<Bindings>;
