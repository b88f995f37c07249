import { Hono } from "hono/tiny";
import * as v from "valibot";
import { batch } from "../db/client";
import { and, eq, sql } from "drizzle-orm";
import { changesOf } from "../db/audit";
import { dropGrants } from "../db/grants";
import { findOrg, mergeChildren } from "../db/orgs";
import {
  deleteItem,
  deleteStore,
  findItem,
  findItemInStore,
  findStore,
  insertStore,
  listItemPaths,
  listStores,
  updateStore,
  upsertItem,
  type JsonStoreRow,
} from "../db/json-stores";
import { jsonStoreItems, jsonStores } from "../db/schema";
import { findUser, matchingUser } from "../db/users";
import type { AppEnv } from "../env";
import { batchInOrg, canSeeResource, moveTarget, moveTargetOf, requireOrgAccess, requireResource, type OrgAccess } from "../lib/access";
import { audit, newFields, whileRowExists } from "../lib/audit";
import { ifMatchHolds, takesIfMatch } from "../lib/if-match";
import { ApiError, invalidField, nameRequired, notFound, translateConstraint } from "../lib/errors";
import { pageOf } from "../lib/paging";
import { valid } from "../lib/validate";
import { KIB, VALUE_LIMIT } from "../middleware/body-limit";
import { ListQuery } from "../schemas/common";
import { CreateOrUpdateStoreRequest, ItemParams, type JsonStoreEntry } from "../schemas/json-stores";

const toStoreEntry = (org: OrgAccess, s: Omit<JsonStoreRow, "level">): JsonStoreEntry => ({
  id: s.id,
  name: s.name,
  orgId: org.id,
  orgName: org.name,
  visibility: s.visibility,
  ...(s.ownerId && s.ownerUsername ? { owner: { id: s.ownerId, username: s.ownerUsername } } : {}),
});

const ITEM_ROUTE = "/:storeName/item/:path{.+}";

const itemIs = (storeId: string, path: string) => and(eq(jsonStoreItems.storeId, storeId), eq(jsonStoreItems.path, path));

/** Mounted at /api/v1/org/:orgName/jsonstore. */
export const jsonStoresRouter = new Hono<AppEnv>()
  .post("/", takesIfMatch, valid("json", CreateOrUpdateStoreRequest), async (c) => {
    const body = c.req.valid("json");
    if (body.id === undefined && body.name === undefined) {
      throw nameRequired();
    }
    const db = c.get("db");
    const move = moveTargetOf(body);
    const { caller, org, rows } = await batchInOrg(c, (s) => ({
      store: findStore(db, s, body.id !== undefined ? { id: body.id } : { name: body.name! }),
      owner: body.owner ? findUser(db, body.owner) : undefined,
      target: move ? findOrg(db, s.caller, move.by) : undefined,
    }));
    const found = rows.store[0];
    // An update needs WRITER on the store; a create, membership of the org. A store the caller may
    // not see is 404 (by id) and otherwise answered as the create it would be.
    const existing = found && canSeeResource(org, found) ? requireResource(org, found, `JSON store '${found.name}'`, "WRITER") : undefined;
    if (!existing) {
      if (body.id !== undefined) throw notFound(`JSON store ${body.id}`);
      requireOrgAccess(org, "create JSON stores");
    }
    // Moving (orgId / orgName naming another org) needs OWNER on the store and access to the target;
    // its items go with it.
    const target = moveTarget(org, existing, existing ? `JSON store '${existing.name}'` : "a new JSON store", move && { ...move, row: rows.target?.[0] });
    const owner = body.owner ? matchingUser(rows.owner?.[0], body.owner) : undefined;
    // Changing the owner needs OWNER on the store, however the new owner is named; checked before
    // "no such user", so WRITERs learn nothing about which users exist.
    if (existing && body.owner && owner?.id !== existing.ownerId) requireResource(org, existing, `JSON store '${existing.name}'`, "OWNER");
    if (body.owner && !owner) throw invalidField("owner", "no such user");
    const taken = { unique: `JSON store '${body.name ?? existing?.name}' already exists in '${target.name}'`, foreignKey: "The organization or owner no longer exists" };
    if (existing) {
      const moved = target.id !== org.id;
      const changes = { name: body.id !== undefined ? body.name : undefined, visibility: body.visibility, ownerId: owner?.id, orgId: moved ? target.id : undefined };
      await batch(db, {
        precondition: ifMatchHolds(c, sql`(SELECT ${jsonStores.version} FROM ${jsonStores} WHERE ${jsonStores.id} = ${existing.id})`),
        audited: audit(c, "JSON_STORE", "UPDATE", { orgId: org.id, jsonStoreId: existing.id, name: existing.name }, {
          ...whileRowExists(jsonStores.id, existing.id),
          computed: {
            changes: changesOf([
              ["name", jsonStores.name, changes.name],
              ["orgId", jsonStores.orgId, changes.orgId],
              ["visibility", jsonStores.visibility, changes.visibility],
              ["ownerId", jsonStores.ownerId, changes.ownerId],
            ]),
          },
        }),
        updated: updateStore(db, existing.id, changes),
        // its grants name teams of the old org
        ungranted: moved ? dropGrants(db, "jsonStore", existing.id) : undefined,
      }).catch((e) => translateConstraint(e, taken));
      return c.json({ ok: true, result: "UPDATED", id: existing.id } as const);
    }
    const id = crypto.randomUUID();
    const store = { id, orgId: org.id, name: body.name!, visibility: body.visibility ?? "PRIVATE", ownerId: owner?.id ?? caller.id };
    await batch(db, {
      // If-Match on a store that does not exist (yet) cannot hold
      precondition: ifMatchHolds(c, sql`NULL`),
      inserted: insertStore(db, store),
      audited: audit(c, "JSON_STORE", "CREATE", { orgId: org.id, jsonStoreId: id, name: store.name, changes: { new: newFields(store) } }),
    }).catch((e) => translateConstraint(e, taken));
    return c.json({ ok: true, result: "CREATED", id } as const);
  })

  .get("/", valid("query", ListQuery), async (c) => {
    const q = c.req.valid("query");
    const { org, rows } = await batchInOrg(c, (s) => listStores(c.get("db"), s, q));
    return c.json(pageOf(c, q, mergeChildren(rows, q), (s) => s.name).map((s) => toStoreEntry(org, s)));
  })

  .get("/:storeName", async (c) => {
    const { storeName } = c.req.param();
    const { org, rows } = await batchInOrg(c, (s) => ({ store: findStore(c.get("db"), s, { name: storeName }) }));
    const store = requireResource(org, rows.store[0], `JSON store '${storeName}'`, "SEE");
    c.set("version", store.version);
    return c.json(toStoreEntry(org, store));
  })

  .delete("/:storeName", async (c) => {
    const { storeName } = c.req.param();
    const db = c.get("db");
    const { org, rows } = await batchInOrg(c, (s) => ({ store: findStore(db, s, { name: storeName }) }));
    // Concord deletes a store without its org gate: its owner may, member of the org or not
    const store = requireResource(org, rows.store[0], `JSON store '${storeName}'`, "OWNER", { orgGate: false });
    await batch(db, {
      audited: audit(c, "JSON_STORE", "DELETE", { orgId: org.id, jsonStoreId: store.id, name: store.name }, whileRowExists(jsonStores.id, store.id)),
      deleted: deleteStore(db, store.id),
    });
    return c.json({ ok: true, result: "DELETED" } as const);
  })

  .get("/:storeName/item", valid("query", ListQuery), async (c) => {
    const { storeName } = c.req.param();
    const q = c.req.valid("query");
    const db = c.get("db");
    const { org, rows } = await batchInOrg(c, (s) => ({
      store: findStore(db, s, { name: storeName }),
      paths: listItemPaths(db, s, storeName, q),
    }));
    requireResource(org, rows.store[0], `JSON store '${storeName}'`, "READER", { orgGate: true });
    return c.json(pageOf(c, q, rows.paths, (p) => p.path).map((p) => p.path));
  })

  .get(ITEM_ROUTE, valid("param", ItemParams), async (c) => {
    const { storeName, path } = c.req.valid("param");
    const db = c.get("db");
    const { org, rows } = await batchInOrg(c, (s) => ({
      store: findStore(db, s, { name: storeName }),
      item: findItem(db, s, storeName, path),
    }));
    requireResource(org, rows.store[0], `JSON store '${storeName}'`, "READER", { orgGate: true });
    const item = rows.item[0];
    // As Concord: a missing item of a readable store is 204 (its jsonStore.get task reads null).
    if (!item) return c.body(null, 204);
    c.set("version", item.version);
    return c.body(item.data, 200, { "Content-Type": "application/json" });
  })

  .put(ITEM_ROUTE, takesIfMatch, valid("param", ItemParams), valid("json", v.unknown()), async (c) => {
    const { storeName, path } = c.req.valid("param");
    const data = JSON.stringify(c.req.valid("json"));
    if (new TextEncoder().encode(data).byteLength > VALUE_LIMIT) {
      throw new ApiError("PAYLOAD_TOO_LARGE", `An item's value may be at most ${VALUE_LIMIT / KIB} KiB`);
    }
    const db = c.get("db");
    const { org, rows } = await batchInOrg(c, (s) => ({ store: findStore(db, s, { name: storeName }) }));
    const store = requireResource(org, rows.store[0], `JSON store '${storeName}'`, "WRITER");
    // Read and upsert in one batch (atomic): the read sees the state just before the write. The
    // entry records the item's path, never its content.
    const about = { orgId: org.id, jsonStoreId: store.id, itemPath: path };
    const { before } = await batch(db, {
      precondition: ifMatchHolds(c, sql`(SELECT ${jsonStoreItems.version} FROM ${jsonStoreItems} WHERE ${itemIs(store.id, path)})`),
      before: findItemInStore(db, store.id, path),
      created: audit(c, "JSON_STORE_DATA", "CREATE", about, { when: sql`NOT EXISTS (SELECT 1 FROM ${jsonStoreItems} WHERE ${itemIs(store.id, path)})` }),
      updated: audit(c, "JSON_STORE_DATA", "UPDATE", about, { when: sql`EXISTS (SELECT 1 FROM ${jsonStoreItems} WHERE ${itemIs(store.id, path)})` }),
      upserted: upsertItem(db, store.id, path, data),
    }).catch((e) => translateConstraint(e, { foreignKey: `JSON store '${storeName}' no longer exists` }));
    return c.json({ ok: true, result: before.length ? "UPDATED" : "CREATED" } as const);
  })

  .delete(ITEM_ROUTE, valid("param", ItemParams), async (c) => {
    const { storeName, path } = c.req.valid("param");
    const db = c.get("db");
    const { org, rows } = await batchInOrg(c, (s) => ({ store: findStore(db, s, { name: storeName }) }));
    const store = requireResource(org, rows.store[0], `JSON store '${storeName}'`, "WRITER");
    const { deleted } = await batch(db, {
      // only if there is something to delete, as Concord
      audited: audit(c, "JSON_STORE_DATA", "DELETE", { orgId: org.id, jsonStoreId: store.id, itemPath: path }, {
        when: sql`EXISTS (SELECT 1 FROM ${jsonStoreItems} WHERE ${itemIs(store.id, path)})`,
      }),
      deleted: deleteItem(db, store.id, path),
    });
    if (!deleted[0]) throw notFound(`Item '${path}'`);
    return c.json({ ok: true, result: "DELETED" } as const);
  });
