import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./env";
import { onError, onNotFound } from "./lib/errors";
import { authenticate } from "./middleware/auth";
import { database } from "./middleware/db";
import { apiKeysRouter } from "./routes/api-keys";
import { orgs } from "./routes/orgs";
import { serverRouter } from "./routes/server";
import { usersRouter } from "./routes/users";

const app = new Hono<AppEnv>();

app.use(requestId({ generator: () => crypto.randomUUID() }));
app.route("/api/v1/server", serverRouter);
// Everything else under /api needs an API key; the key is resolved in the request's first D1 batch.
app.use("/api/*", authenticate, database);
app.route("/api/v1/org", orgs);
app.route("/api/v1/user", usersRouter);
app.route("/api/v1/apikey", apiKeysRouter);

app.notFound(onNotFound);
app.onError(onError);

export default app;
