import { and, eq, or, sql } from "drizzle-orm";
import { Hono } from "hono/tiny";
import * as v from "valibot";
import { deleteApiKey, insertApiKey, listApiKeys } from "../db/api-keys";
import { callerIdOf, callerIsAdmin } from "../db/caller";
import { batch } from "../db/client";
import { apiKeys } from "../db/schema";
import { findUser } from "../db/users";
import type { AppEnv } from "../env";
import { batchAsCaller } from "../lib/access";
import { audit } from "../lib/audit";
import { pageOf } from "../lib/paging";
import { randomBase64Url, sha256Hex } from "../lib/crypto";
import { ApiError, forbidden, invalidField, notFound, rootCause, translateConstraint } from "../lib/errors";
import { valid } from "../lib/validate";
import { Uuid } from "../schemas/common";
import { isAdminKey } from "../middleware/auth";
import { CreateApiKeyRequest, ListApiKeysQuery } from "../schemas/users";

const keyTaken = () => new ApiError("CONFLICT", "This key value is already in use");
const isDuplicateKeyHash = (e: unknown) => String(rootCause(e)).includes("api_keys.key_hash");

export const apiKeysRouter = new Hono<AppEnv>()
  .post("/", valid("json", CreateApiKeyRequest), async (c) => {
    const body = c.req.valid("json");
    const db = c.get("db");
    // Concord's order: the user by id, else by username (of userType, if given); else the caller.
    const target = body.userId !== undefined ? { id: body.userId } : body.username !== undefined ? { username: body.username } : undefined;
    const field = body.userId !== undefined ? "userId" : "username";
    const { caller, rows } = await batchAsCaller(c, () => ({ target: target ? findUser(db, target) : undefined }));
    let userId = caller.id;
    if (target) {
      const found = rows.target?.[0];
      const isSelf = found !== undefined && found.id === caller.id;
      // A non-administrator learns nothing about other users: 403 whether or not they exist.
      if (!isSelf && !caller.isAdmin) throw forbidden("Only administrators may create API keys for other users");
      if (!found || (body.userType !== undefined && found.type !== body.userType)) {
        throw invalidField(field, body.userType !== undefined ? `no such ${body.userType} user` : "no such user");
      }
      userId = found.id;
    }
    if (body.key !== undefined) {
      if (!caller.isAdmin) throw forbidden("Only administrators may choose an API key's value");
      // Would authenticate as the built-in admin, whoever the key is for.
      if (await isAdminKey(c.env.ADMIN_API_KEY, body.key)) throw keyTaken();
    }
    const id = crypto.randomUUID();
    const name = body.name ?? `key-${id.slice(0, 8)}`;
    // 32 random bytes unless an administrator chose the value; only the SHA-256 is stored.
    const key = body.key ?? randomBase64Url(32);
    await batch(db, {
      inserted: insertApiKey(db, { id, userId, name, keyHash: await sha256Hex(key) }),
      // never the key or its hash
      audited: audit(c, "API_KEY", "CREATE", { id, name, userId }),
    }).catch((e) => {
        if (body.key !== undefined && isDuplicateKeyHash(e)) throw keyTaken();
        return translateConstraint(e, {
          unique: `An API key named '${name}' already exists for this user`,
          foreignKey: "The user no longer exists",
        });
      });
    return c.json({ ok: true, result: "CREATED", id, name, key } as const, 200, { "Cache-Control": "no-store" });
  })

  .get("/", valid("query", ListApiKeysQuery), async (c) => {
    const q = c.req.valid("query");
    const { caller, rows } = await batchAsCaller(c, (ref) => ({ keys: listApiKeys(c.get("db"), ref, q.userId, q) }));
    if (q.userId !== undefined && q.userId !== caller.id && !caller.isAdmin) {
      throw forbidden("Only administrators may list other users' API keys");
    }
    const keys = pageOf(c, q, rows.keys, (k) => k.name);
    return c.json(keys.map((k) => ({ id: k.id, userId: k.userId, name: k.name, createdAt: k.createdAt, ...(k.expiredAt !== null ? { expiredAt: k.expiredAt } : {}) })));
  })

  .delete("/:id", valid("param", v.object({ id: Uuid })), async (c) => {
    const { id } = c.req.valid("param");
    // The delete travels with the key lookup, conditioned on the key being the caller's (or an administrator's call).
    const { rows } = await batchAsCaller(c, (ref) => ({
      audited: audit(c, "API_KEY", "DELETE", { id }, {
        userId: callerIdOf(ref),
        from: sql`FROM ${apiKeys}`,
        when: and(eq(apiKeys.id, id), or(eq(apiKeys.userId, callerIdOf(ref)), sql`${callerIsAdmin(ref)} = 1`)),
      }),
      deleted: deleteApiKey(c.get("db"), callerIdOf(ref), callerIsAdmin(ref), id),
    }));
    if (!rows.deleted[0]) throw notFound(`API key ${id}`);
    return c.json({ ok: true, result: "DELETED" } as const);
  });
