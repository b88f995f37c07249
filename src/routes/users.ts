import { and, eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import * as v from "valibot";
import { ADMIN_USER_ID, batchAsCaller, requireAdmin, requireCaller } from "../db/caller";
import { users } from "../db/schema";
import { findUser, upsertUserBatch, type UserRow } from "../db/users";
import type { AppEnv } from "../env";
import { forbidden, invalidField, notFound } from "../lib/errors";
import { valid } from "../lib/validate";
import { Uuid } from "../schemas/common";
import { ADMIN_ROLE, CreateOrUpdateUserRequest, type UserEntry } from "../schemas/users";

const toUserEntry = (user: UserRow): UserEntry => ({
  id: user.id,
  name: user.username,
  ...(user.displayName !== null ? { displayName: user.displayName } : {}),
  ...(user.email !== null ? { email: user.email } : {}),
  type: user.type,
  disabled: user.disabled,
  roles: user.isAdmin ? [{ name: ADMIN_ROLE }] : [],
});

export const usersRouter = new Hono<AppEnv>()
  .post("/", valid("json", CreateOrUpdateUserRequest), async (c) => {
    const body = c.req.valid("json");
    if (body.type !== undefined && body.userType !== undefined && body.type !== body.userType) {
      throw invalidField("userType", "differs from type (send one of them)");
    }
    requireAdmin(await requireCaller(c), "create or update users");
    const fields = {
      type: body.userType ?? body.type,
      isAdmin: body.roles === undefined ? undefined : body.roles.includes(ADMIN_ROLE),
      displayName: body.displayName,
      email: body.email,
      disabled: body.disabled,
    };
    const id = crypto.randomUUID();
    const db = c.get("db");
    const results = await db.batch(upsertUserBatch(db, { ...fields, id, username: body.username }, fields));
    const holder = results[3][0];
    if (!holder) throw new Error("user missing right after its upsert");
    return c.json({
      ok: true,
      id: holder.id,
      username: holder.username,
      result: holder.id === id ? "CREATED" : "UPDATED",
    } as const);
  })

  .get("/:username", async (c) => {
    const username = c.req.param("username");
    const [caller, [rows]] = await batchAsCaller(c, () => [findUser(c.get("db"), { username })]);
    const user = rows[0];
    // Users see themselves; administrators see everyone; nobody learns who else exists.
    if (!user || (!caller.isAdmin && user.id !== caller.id)) throw notFound(`User '${username}'`);
    return c.json(toUserEntry(user));
  })

  .delete("/:id", valid("param", v.object({ id: Uuid })), async (c) => {
    const { id } = c.req.valid("param");
    if (id === ADMIN_USER_ID) throw forbidden("The built-in admin user cannot be deleted");
    const db = c.get("db");
    const [caller, [deleted]] = await batchAsCaller(c, (ref) => [
      db
        .delete(users)
        .where(and(eq(users.id, id), sql`${ref.isAdmin} = 1`))
        .returning({ id: users.id }),
    ]);
    requireAdmin(caller, "delete users");
    if (!deleted[0]) throw notFound(`User ${id}`);
    return c.json({ ok: true, result: "DELETED" } as const);
  });
