/** JSON stores of the org of id `orgId` (a value such as `orgIdNamed(name)`) and their items. */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Database } from "./client";
import { callerLevel, fromCallerAndOrg, LEVEL_RANK, readableChildren, type OrgScope } from "./orgs";
import { jsonStoreItems, jsonStores, organizations, users } from "./schema";
import { contains, lowerEq, nowIso, pageOfNames, byLowerName, type Page } from "./sql";

const storeColumns = {
  id: jsonStores.id,
  name: jsonStores.name,
  visibility: jsonStores.visibility,
  ownerId: jsonStores.ownerId,
  ownerUsername: sql<string | null>`${users.username}`.as("owner_username"),
  version: sql<number>`${jsonStores.version}`.as("store_version"),
};

/** A store of the path's org by id or name, with the caller's level on it. */
export const findStore = (db: Database, s: OrgScope, by: { id: string } | { name: string }) =>
  fromCallerAndOrg(db, s, { ...storeColumns, level: callerLevel("jsonStore", s.caller).as("level") })
    .crossJoin(jsonStores)
    .leftJoin(users, eq(users.id, jsonStores.ownerId))
    .where(
      and(
        lowerEq(organizations.name, s.orgName),
        eq(jsonStores.orgId, organizations.id),
        "id" in by ? eq(jsonStores.id, by.id) : lowerEq(jsonStores.name, by.name),
      ),
    );

export type JsonStoreRow = Awaited<ReturnType<typeof findStore>>[number];

/** A page of the stores of the org of that name the caller may read (see readableChildren and mergeChildren). */
export const listStores = (db: Database, s: OrgScope, q: Page) =>
  readableChildren(s, "jsonStore", q, (where, window) =>
    fromCallerAndOrg(db, s, storeColumns)
      .crossJoin(jsonStores)
      .leftJoin(users, eq(users.id, jsonStores.ownerId))
      .where(and(where, pageOfNames(jsonStores.name, q)))
      .orderBy(byLowerName(jsonStores.name))
      .limit(window.limit)
      .offset(window.offset),
  );

/**
 * For reads `FROM caller CROSS JOIN organizations CROSS JOIN json_stores CROSS JOIN json_store_items`:
 * the items of the store of that name, if the caller holds READER on the store.
 */
const itemsOfReadableStore = (s: OrgScope, storeName: string) =>
  and(
    lowerEq(organizations.name, s.orgName),
    sql`${callerLevel("jsonStore", s.caller)} >= ${sql.raw(String(LEVEL_RANK.READER))}`,
    eq(jsonStores.orgId, organizations.id),
    lowerEq(jsonStores.name, storeName),
    eq(jsonStoreItems.storeId, jsonStores.id),
  );

/** The item at that path of the store of that name, if the caller holds READER on the store. */
export const findItem = (db: Database, s: OrgScope, storeName: string, path: string) =>
  fromCallerAndOrg(db, s, { data: jsonStoreItems.data, version: sql<number>`${jsonStoreItems.version}`.as("item_version") })
    .crossJoin(jsonStores)
    .crossJoin(jsonStoreItems)
    .where(and(itemsOfReadableStore(s, storeName), eq(jsonStoreItems.path, path)));

/** The item at that path of the store of that id (inside a write's batch: the store was checked by the reads). */
export const findItemInStore = (db: Database, storeId: string, path: string) =>
  db
    .select({ data: jsonStoreItems.data })
    .from(jsonStoreItems)
    .where(and(eq(jsonStoreItems.storeId, storeId), eq(jsonStoreItems.path, path)));

/** A page of the item paths of the store of that name, in path order; one extra row tells "more". */
export const listItemPaths = (db: Database, s: OrgScope, storeName: string, q: Page) =>
  fromCallerAndOrg(db, s, { path: jsonStoreItems.path })
    .crossJoin(jsonStores)
    .crossJoin(jsonStoreItems)
    .where(
      and(
        itemsOfReadableStore(s, storeName),
        q.filter !== undefined ? contains(jsonStoreItems.path, q.filter) : undefined,
        // Paths are case-sensitive and ordered as stored (the primary key's order).
        q.after !== undefined ? sql`${jsonStoreItems.path} > ${q.after}` : undefined,
      ),
    )
    .orderBy(asc(jsonStoreItems.path))
    .limit(q.limit + 1)
    .offset(q.offset);

export const insertStore = (db: Database, store: typeof jsonStores.$inferInsert) => db.insert(jsonStores).values(store);

/** `orgId` moves it, with its items. */
export const updateStore = (db: Database, id: string, changes: { name?: string; visibility?: "PUBLIC" | "PRIVATE"; ownerId?: string; orgId?: string }) =>
  db.update(jsonStores).set({ ...changes, updatedAt: nowIso }).where(eq(jsonStores.id, id));

/** Its items go with it (CASCADE). */
export const deleteStore = (db: Database, id: string) => db.delete(jsonStores).where(eq(jsonStores.id, id));

export const upsertItem = (db: Database, storeId: string, path: string, data: string) =>
  db
    .insert(jsonStoreItems)
    .values({ storeId, path, data })
    .onConflictDoUpdate({
      target: [jsonStoreItems.storeId, jsonStoreItems.path],
      set: { data: sql`excluded.data`, updatedAt: nowIso },
    });

/** Deletes an item; yields its path, or no row if there was none. */
export const deleteItem = (db: Database, storeId: string, path: string) =>
  db
    .delete(jsonStoreItems)
    .where(and(eq(jsonStoreItems.storeId, storeId), eq(jsonStoreItems.path, path)))
    .returning({ path: jsonStoreItems.path });
