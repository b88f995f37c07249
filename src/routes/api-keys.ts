import { and, asc, eq, or, sql } from "drizzle-orm";
import { Hono } from "hono";
import * as v from "valibot";
import { batchAsCaller } from "../db/caller";
import { apiKeys } from "../db/schema";
import { findUser } from "../db/users";
import type { AppEnv } from "../env";
import { randomBase64Url, sha256Hex } from "../lib/crypto";
import { forbidden, invalidField, notFound, translateConstraint } from "../lib/errors";
import { valid } from "../lib/validate";
import { Uuid } from "../schemas/common";
import { CreateApiKeyRequest } from "../schemas/users";

export const apiKeysRouter = new Hono<AppEnv>()
  .post("/", valid("json", CreateApiKeyRequest), async (c) => {
    const body = c.req.valid("json");
    const db = c.get("db");
    const [caller, [targets]] = await batchAsCaller(c, () => [
      ...(body.username !== undefined ? [findUser(db, { username: body.username })] : []),
    ]);
    let userId = caller.id;
    if (body.username !== undefined && body.username.toLowerCase() !== caller.username.toLowerCase()) {
      if (!caller.isAdmin) throw forbidden("Only administrators may create API keys for other users");
      const target = targets?.[0];
      if (!target) {
        throw invalidField("username", "no such user");
      }
      userId = target.id;
    }
    const id = crypto.randomUUID();
    const name = body.name ?? `key-${id.slice(0, 8)}`;
    // 32 random bytes; only their SHA-256 is stored, the key itself is shown once, here.
    const key = randomBase64Url(32);
    await db
      .insert(apiKeys)
      .values({ id, userId, name, keyHash: await sha256Hex(key) })
      .catch((e) =>
        translateConstraint(e, {
          unique: `An API key named '${name}' already exists for this user`,
          foreignKey: "The user no longer exists",
        }),
      );
    return c.json({ ok: true, id, name, key, result: "CREATED" } as const);
  })

  .get("/", async (c) => {
    const db = c.get("db");
    const [, [rows]] = await batchAsCaller(c, (ref) => [
      db
        .select({ id: apiKeys.id, userId: apiKeys.userId, name: apiKeys.name, createdAt: apiKeys.createdAt, expiredAt: apiKeys.expiresAt })
        .from(apiKeys)
        .where(eq(apiKeys.userId, ref.id))
        .orderBy(asc(sql`lower(${apiKeys.name})`)),
    ]);
    return c.json(rows);
  })

  .delete("/:id", valid("param", v.object({ id: Uuid })), async (c) => {
    const { id } = c.req.valid("param");
    const db = c.get("db");
    const [, [deleted]] = await batchAsCaller(c, (ref) => [
      db
        .delete(apiKeys)
        .where(and(eq(apiKeys.id, id), or(eq(apiKeys.userId, ref.id), sql`${ref.isAdmin} = 1`)))
        .returning({ id: apiKeys.id }),
    ]);
    if (!deleted[0]) throw notFound(`API key ${id}`);
    return c.json({ ok: true, result: "DELETED" } as const);
  });
