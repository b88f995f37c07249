import { Hono } from "hono/tiny";
import * as v from "valibot";
import { callerIsAdmin } from "../db/caller";
import { batch } from "../db/client";
import { deleteUserAsAdmin, findUser, upsertUserBatch, type UserRow } from "../db/users";
import type { AppEnv } from "../env";
import { ADMIN_USER_ID, batchAsCaller, requireAdmin, requireCaller } from "../lib/access";
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
    const { holder: holders } = await batch(db, upsertUserBatch(db, { ...fields, id, username: body.username }, fields));
    const holder = holders[0];
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
    const { caller, rows } = await batchAsCaller(c, () => ({ user: findUser(c.get("db"), { username }) }));
    const user = rows.user[0];
    // Users see themselves; administrators see everyone; nobody learns who else exists.
    if (!user || (!caller.isAdmin && user.id !== caller.id)) throw notFound(`User '${username}'`);
    return c.json(toUserEntry(user));
  })

  .delete("/:id", valid("param", v.object({ id: Uuid })), async (c) => {
    const { id } = c.req.valid("param");
    if (id === ADMIN_USER_ID) throw forbidden("The built-in admin user cannot be deleted");
    // The delete travels with the key lookup, conditioned on the caller being an administrator.
    const { caller, rows } = await batchAsCaller(c, (ref) => ({ deleted: deleteUserAsAdmin(c.get("db"), callerIsAdmin(ref), id) }));
    requireAdmin(caller, "delete users");
    if (!rows.deleted[0]) throw notFound(`User ${id}`);
    return c.json({ ok: true, result: "DELETED" } as const);
  });
