import { eq } from "drizzle-orm";
import { Hono } from "hono";
import * as v from "valibot";
import { batchInOrg } from "../db/caller";
import { deleteItem, findItem, findStore, listItemPaths, listStores, upsertItem, type JsonStoreRow } from "../db/json-stores";
import { runBatch } from "../db/prepared";
import { jsonStores } from "../db/schema";
import { nowIso } from "../db/sql";
import { findUser, matchingUser } from "../db/users";
import type { AppEnv } from "../env";
import { requireOrgAccess, requireReadableChild, type OrgAccess } from "../lib/access";
import { ApiError, invalidField, nameRequired, notFound, translateConstraint } from "../lib/errors";
import { pageOf } from "../lib/paging";
import { valid } from "../lib/validate";
import { KIB, VALUE_LIMIT } from "../middleware/body-limit";
import { CreateOrUpdateStoreRequest, ItemParams, ListItemsQuery, ListStoresQuery, type JsonStoreEntry } from "../schemas/json-stores";

const toStoreEntry = (org: OrgAccess, s: JsonStoreRow): JsonStoreEntry => ({
  id: s.id,
  name: s.name,
  orgId: org.id,
  orgName: org.name,
  visibility: s.visibility,
  ...(s.ownerId && s.ownerUsername ? { owner: { id: s.ownerId, username: s.ownerUsername } } : {}),
});

const ITEM_ROUTE = "/:storeName/item/:path{.+}";

/** Mounted at /api/v1/org/:orgName/jsonstore. */
export const jsonStoresRouter = new Hono<AppEnv>()
  .post("/", valid("json", CreateOrUpdateStoreRequest), async (c) => {
    const body = c.req.valid("json");
    if (body.id === undefined && body.name === undefined) {
      throw nameRequired();
    }
    const db = c.get("db");
    const [caller, visibleOrg, [found, owners]] = await batchInOrg(c, () => [
      findStore(db, body.id !== undefined ? { id: body.id } : { name: body.name! }),
      ...(body.owner ? [findUser(db, body.owner)] : []),
    ]);
    const org = requireOrgAccess(visibleOrg, "create or change JSON stores");
    if (body.orgName !== undefined && body.orgName.toLowerCase() !== org.name.toLowerCase()) {
      throw invalidField("orgName", "is not supported when it differs from the organization of the path: moving JSON stores between organizations is not supported");
    }
    const owner = body.owner ? matchingUser(owners?.[0], body.owner) : undefined;
    if (body.owner && !owner) {
      throw invalidField("owner", "no such user");
    }
    const taken = { unique: `JSON store '${body.name}' already exists in '${org.name}'`, foreignKey: "The organization or owner no longer exists" };
    const existing = found[0];
    if (existing) {
      await db
        .update(jsonStores)
        .set({
          name: body.id !== undefined ? body.name : undefined,
          visibility: body.visibility,
          ownerId: owner?.id,
          updatedAt: nowIso,
        })
        .where(eq(jsonStores.id, existing.id))
        .catch((e) => translateConstraint(e, taken));
      return c.json({ ok: true, result: "UPDATED", id: existing.id } as const);
    }
    if (body.id !== undefined) throw notFound(`JSON store ${body.id}`);
    const id = crypto.randomUUID();
    await db
      .insert(jsonStores)
      .values({ id, orgId: org.id, name: body.name!, visibility: body.visibility ?? "PRIVATE", ownerId: owner?.id ?? caller.id })
      .catch((e) => translateConstraint(e, taken));
    return c.json({ ok: true, result: "CREATED", id } as const);
  })

  .get("/", valid("query", ListStoresQuery), async (c) => {
    const q = c.req.valid("query");
    const [, org, [rows]] = await batchInOrg(c, (ref) => [listStores(c.get("db"), ref, q)]);
    return c.json(pageOf(c, q, rows).map((s) => toStoreEntry(org, s)));
  })

  .get("/:storeName", async (c) => {
    const { storeName } = c.req.param();
    const [, org, [rows]] = await batchInOrg(c, () => [findStore(c.get("db"), { name: storeName })]);
    return c.json(toStoreEntry(org, requireReadableChild(org, rows[0], `JSON store '${storeName}'`)));
  })

  .delete("/:storeName", async (c) => {
    const { storeName } = c.req.param();
    const db = c.get("db");
    const [, visibleOrg, [rows]] = await batchInOrg(c, () => [findStore(db, { name: storeName })]);
    const store = requireReadableChild(visibleOrg, rows[0], `JSON store '${storeName}'`);
    requireOrgAccess(visibleOrg, "delete JSON stores");
    await db.delete(jsonStores).where(eq(jsonStores.id, store.id)); // its items go with it (CASCADE)
    return c.json({ ok: true, result: "DELETED" } as const);
  })

  .get("/:storeName/item", valid("query", ListItemsQuery), async (c) => {
    const { storeName } = c.req.param();
    const q = c.req.valid("query");
    const db = c.get("db");
    const [, org, [rows, paths]] = await batchInOrg(c, () => [
      findStore(db, { name: storeName }),
      listItemPaths(db, storeName, q),
    ]);
    requireReadableChild(org, rows[0], `JSON store '${storeName}'`);
    return c.json(pageOf(c, q, paths).map((p) => p.path));
  })

  .get(ITEM_ROUTE, valid("param", ItemParams), async (c) => {
    const { storeName, path } = c.req.valid("param");
    const db = c.get("db");
    const [, org, [rows, items]] = await batchInOrg(c, () => [
      findStore(db, { name: storeName }),
      findItem(db, { name: storeName }, path),
    ]);
    requireReadableChild(org, rows[0], `JSON store '${storeName}'`);
    const item = items[0];
    // As Concord: a missing item of a readable store is 204 (its jsonStore.get task reads null).
    if (!item) return c.body(null, 204);
    return c.body(item.data, 200, { "Content-Type": "application/json" });
  })

  .put(ITEM_ROUTE, valid("param", ItemParams), valid("json", v.unknown()), async (c) => {
    const { storeName, path } = c.req.valid("param");
    const data = JSON.stringify(c.req.valid("json"));
    if (new TextEncoder().encode(data).byteLength > VALUE_LIMIT) {
      throw new ApiError("PAYLOAD_TOO_LARGE", `An item's value may be at most ${VALUE_LIMIT / KIB} KiB`);
    }
    const db = c.get("db");
    const [, visibleOrg, [rows]] = await batchInOrg(c, () => [findStore(db, { name: storeName })]);
    const store = requireReadableChild(visibleOrg, rows[0], `JSON store '${storeName}'`);
    requireOrgAccess(visibleOrg, "change JSON store items");
    // Read and upsert in one batch (atomic): the read sees the state just before the write.
    const [before] = await runBatch(db, [
      findItem(db, { id: store.id }, path),
      upsertItem(db, store.id, path, data),
    ] as const).catch((e) => translateConstraint(e, { foreignKey: `JSON store '${storeName}' no longer exists` }));
    return c.json({ ok: true, result: before.length ? "UPDATED" : "CREATED" } as const);
  })

  .delete(ITEM_ROUTE, valid("param", ItemParams), async (c) => {
    const { storeName, path } = c.req.valid("param");
    const db = c.get("db");
    const [, visibleOrg, [rows]] = await batchInOrg(c, () => [findStore(db, { name: storeName })]);
    const store = requireReadableChild(visibleOrg, rows[0], `JSON store '${storeName}'`);
    requireOrgAccess(visibleOrg, "change JSON store items");
    const [deleted] = await runBatch(db, [deleteItem(db, store.id, path)] as const);
    if (!deleted[0]) throw notFound(`Item '${path}'`);
    return c.json({ ok: true, result: "DELETED" } as const);
  });
