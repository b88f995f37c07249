import { Hono } from "hono/tiny";
import * as v from "valibot";
import { and, eq, ne, sql } from "drizzle-orm";
import { changesOf } from "../db/audit";
import { callerIdOf, callerIsAdmin } from "../db/caller";
import { batch } from "../db/client";
import { refuseIf } from "../db/preconditions";
import { lowerEq } from "../db/sql";
import { deleteUserAsAdmin, findUser, upsertUserBatch, type UserRow } from "../db/users";
import { users } from "../db/schema";
import type { AppEnv } from "../env";
import { ADMIN_USER_ID, batchAsCaller, requireAdmin, requireCaller } from "../lib/access";
import { audit, newFields } from "../lib/audit";
import { forbidden, invalidField, notFound, translateConstraint } from "../lib/errors";
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
    const upsert = upsertUserBatch(db, { ...fields, id, username: body.username }, fields);
    const username = body.username.toLowerCase();
    const { holder: holders } = await batch(db, {
      // Concord keys users by name, domain and type, so another type would be another user; here a
      // username is one user whatever its type: naming another type than the stored one is refused
      sameType: fields.type === undefined ? undefined : refuseIf(db, sql`EXISTS (SELECT 1 FROM ${users} WHERE ${lowerEq(users.username, username)} AND ${users.type} <> ${fields.type})`),
      user: upsert.user,
      // CREATE if this request's row went in; else UPDATE of the user of that name, before the update
      created: audit(c, "USER", "CREATE", { userId: id, username, changes: { new: newFields({ username, ...fields }) } }, {
        when: sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${id})`,
      }),
      membership: upsert.membership,
      changed: audit(c, "USER", "UPDATE", { username }, {
        from: sql`FROM ${users}`,
        when: and(sql`lower(${users.username}) = ${username}`, ne(users.id, id)),
        computed: {
          userId: users.id,
          changes: changesOf([
            ["type", users.type, fields.type],
            ["isAdmin", users.isAdmin, fields.isAdmin, "boolean"],
            ["displayName", users.displayName, fields.displayName],
            ["email", users.email, fields.email],
            ["disabled", users.disabled, fields.disabled, "boolean"],
          ]),
        },
      }),
      updated: upsert.updated,
      holder: upsert.holder,
    }).catch((e) =>
      translateConstraint(e, { refused: `User '${body.username}' exists with another type: this API keeps one user per username, and does not change a user's type` }),
    );
    const holder = holders[0];
    if (!holder) throw new Error("user missing right after its upsert");
    return c.json({
      ok: true,
      result: holder.id === id ? "CREATED" : "UPDATED",
      id: holder.id,
      username: holder.username,
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
    const { caller, rows } = await batchAsCaller(c, (ref) => ({
      audited: audit(c, "USER", "DELETE", {}, {
        userId: callerIdOf(ref),
        from: sql`FROM ${users}`,
        when: and(eq(users.id, id), sql`${callerIsAdmin(ref)} = 1`),
        computed: { userId: users.id, name: users.username },
      }),
      deleted: deleteUserAsAdmin(c.get("db"), callerIsAdmin(ref), id),
    }));
    requireAdmin(caller, "delete users");
    if (!rows.deleted[0]) throw notFound(`User ${id}`);
    return c.json({ ok: true, result: "DELETED" } as const);
  });
