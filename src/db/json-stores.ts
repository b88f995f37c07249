/** JSON stores of the org of the request's path (ORG_ID, db/orgs.ts) and their items. */
import { and, asc, eq, sql } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { hasAccessToOrg, ORG_ID } from "./orgs";
import { prepared } from "./prepared";
import { jsonStoreItems, jsonStores, users } from "./schema";
import { contains, lowerEq, nowIso, type Page } from "./sql";

const p = {
  store: sql.placeholder("store"),
  storeId: sql.placeholder("storeId"),
  storeName: sql.placeholder("storeName"),
  path: sql.placeholder("path"),
  filter: sql.placeholder("filter"),
  limit: sql.placeholder("limit"),
  offset: sql.placeholder("offset"),
};

const storeColumns = {
  id: jsonStores.id,
  name: jsonStores.name,
  visibility: jsonStores.visibility,
  ownerId: jsonStores.ownerId,
  ownerUsername: users.username,
};

export type JsonStoreRow = {
  id: string;
  name: string;
  visibility: "PUBLIC" | "PRIVATE";
  ownerId: string | null;
  ownerUsername: string | null;
};

const findStorePrepared = prepared((db: Database, by: "id" | "name") =>
  db
    .select(storeColumns)
    .from(jsonStores)
    .leftJoin(users, eq(users.id, jsonStores.ownerId))
    .where(and(eq(jsonStores.orgId, ORG_ID), by === "id" ? eq(jsonStores.id, p.store) : lowerEq(jsonStores.name, p.store))),
);

/** A store of the org by id or name. */
export const findStore = (db: Database, by: { id: string } | { name: string }) =>
  "id" in by ? findStorePrepared(db, { store: by.id }, "id") : findStorePrepared(db, { store: by.name }, "name");

const listStoresPrepared = prepared((db: Database, ref: CallerRef, filtered: boolean) =>
  db
    .select(storeColumns)
    .from(jsonStores)
    .leftJoin(users, eq(users.id, jsonStores.ownerId))
    .where(
      and(
        eq(jsonStores.orgId, ORG_ID),
        sql`(${jsonStores.visibility} = 'PUBLIC' OR ${hasAccessToOrg(ORG_ID, ref)})`,
        filtered ? contains(jsonStores.name, p.filter) : undefined,
      ),
    )
    .orderBy(asc(sql`lower(${jsonStores.name})`))
    .limit(p.limit)
    .offset(p.offset),
);

/** A page of the stores the caller may read; one extra row tells "more". */
export const listStores = (db: Database, ref: CallerRef, q: Page) =>
  listStoresPrepared(db, { filter: q.filter ?? null, limit: q.limit + 1, offset: q.offset }, ref, q.filter !== undefined);

/** The org's store named by the placeholder `storeName`, as a scalar subquery. */
const STORE_ID = sql<string>`(SELECT ${jsonStores.id} FROM ${jsonStores}
  WHERE ${jsonStores.orgId} = ${ORG_ID} AND ${lowerEq(jsonStores.name, p.storeName)})`;

const findItemPrepared = prepared((db: Database, by: "storeId" | "storeName") =>
  db
    .select({ data: jsonStoreItems.data })
    .from(jsonStoreItems)
    .where(and(eq(jsonStoreItems.storeId, by === "storeId" ? p.storeId : STORE_ID), eq(jsonStoreItems.path, p.path))),
);

/** An item of a store, given by id or by its name in the org of the request's path. */
export const findItem = (db: Database, store: { id: string } | { name: string }, path: string) =>
  "id" in store
    ? findItemPrepared(db, { storeId: store.id, path }, "storeId")
    : findItemPrepared(db, { storeName: store.name, path }, "storeName");

const listItemPathsPrepared = prepared((db: Database, filtered: boolean) =>
  db
    .select({ path: jsonStoreItems.path })
    .from(jsonStoreItems)
    .where(and(eq(jsonStoreItems.storeId, STORE_ID), filtered ? contains(jsonStoreItems.path, p.filter) : undefined))
    .orderBy(asc(jsonStoreItems.path))
    .limit(p.limit)
    .offset(p.offset),
);

/** A page of the item paths of the org's store of that name, in path order; one extra row tells "more". */
export const listItemPaths = (db: Database, storeName: string, q: Page) =>
  listItemPathsPrepared(db, { storeName, filter: q.filter ?? null, limit: q.limit + 1, offset: q.offset }, q.filter !== undefined);

const upsertItemPrepared = prepared((db: Database) =>
  db
    .insert(jsonStoreItems)
    .values({ storeId: p.storeId, path: p.path, data: sql.placeholder("data") })
    .onConflictDoUpdate({
      target: [jsonStoreItems.storeId, jsonStoreItems.path],
      set: { data: sql`excluded.data`, updatedAt: nowIso },
    }),
);

export const upsertItem = (db: Database, storeId: string, path: string, data: string) =>
  upsertItemPrepared(db, { storeId, path, data });

const deleteItemPrepared = prepared((db: Database) =>
  db
    .delete(jsonStoreItems)
    .where(and(eq(jsonStoreItems.storeId, p.storeId), eq(jsonStoreItems.path, p.path)))
    .returning({ path: jsonStoreItems.path }),
);

/** Deletes an item; yields its path, or no row if there was none. */
export const deleteItem = (db: Database, storeId: string, path: string) => deleteItemPrepared(db, { storeId, path });
