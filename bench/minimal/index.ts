// The bundle-size yardstick: the smallest worker built from the same three libraries as the app
// (Hono routing, a Valibot-validated body, a Drizzle query on D1), bundled the same way.
import { drizzle } from "drizzle-orm/d1";
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import * as v from "valibot";

const organizations = sqliteTable("organizations", { id: text("id").primaryKey(), name: text("name").notNull() });
const Body = v.object({ name: v.pipe(v.string(), v.minLength(3)) });

const app = new Hono<{ Bindings: { DB: D1Database } }>();
app.post("/org", async (c) => {
  const body = v.parse(Body, await c.req.json());
  const rows = await drizzle(c.env.DB).select().from(organizations).where(eq(organizations.name, body.name));
  return c.json(rows);
});

export default app;
