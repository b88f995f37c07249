/** JSON stores of the org of id `orgId` (a value such as `orgIdNamed(name)`) and their items. */
import { and, asc, eq, sql, type SQLWrapper } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { readableChildren } from "./orgs";
import { jsonStoreItems, jsonStores, organizations, users } from "./schema";
import { contains, lowerEq, nowIso, pageOfNames, byLowerName, type Page } from "./sql";

const storeColumns = {
  id: jsonStores.id,
  name: jsonStores.name,
  visibility: jsonStores.visibility,
  ownerId: jsonStores.ownerId,
  ownerUsername: sql<string | null>`${users.username}`.as("owner_username"),
};

/** A store of the org by id or name. */
export const findStore = (db: Database, orgId: SQLWrapper, by: { id: string } | { name: string }) =>
  db
    .select(storeColumns)
    .from(jsonStores)
    .leftJoin(users, eq(users.id, jsonStores.ownerId))
    .where(and(eq(jsonStores.orgId, orgId), "id" in by ? eq(jsonStores.id, by.id) : lowerEq(jsonStores.name, by.name)));

export type JsonStoreRow = Awaited<ReturnType<typeof findStore>>[number];

/** A page of the stores of the org of that name the caller may read (see readableChildren); one extra row tells "more". */
export const listStores = (db: Database, ref: CallerRef, orgName: string, q: Page) =>
  readableChildren(ref, orgName, jsonStores.visibility, (where) =>
    db
      .select(storeColumns)
      .from(ref.table)
      .crossJoin(organizations)
      .crossJoin(jsonStores)
      .leftJoin(users, eq(users.id, jsonStores.ownerId))
      .where(and(where, eq(jsonStores.orgId, organizations.id), pageOfNames(jsonStores.name, q)))
      .orderBy(byLowerName(jsonStores.name))
      .limit(q.limit + 1)
      .offset(q.offset),
  );

/** The org's store of that name, as a value. */
export const storeIdNamed = (orgId: SQLWrapper, storeName: string) =>
  sql<string>`(SELECT ${jsonStores.id} FROM ${jsonStores} WHERE ${jsonStores.orgId} = ${orgId} AND ${lowerEq(jsonStores.name, storeName)})`;

/** An item of the store of id `storeId` (an id, or a value such as `storeIdNamed(...)`). */
export const findItem = (db: Database, storeId: string | SQLWrapper, path: string) =>
  db
    .select({ data: jsonStoreItems.data })
    .from(jsonStoreItems)
    .where(and(eq(jsonStoreItems.storeId, storeId), eq(jsonStoreItems.path, path)));

/** A page of the item paths of the org's store of that name, in path order; one extra row tells "more". */
export const listItemPaths = (db: Database, orgId: SQLWrapper, storeName: string, q: Page) =>
  db
    .select({ path: jsonStoreItems.path })
    .from(jsonStoreItems)
    .where(
      and(
        eq(jsonStoreItems.storeId, storeIdNamed(orgId, storeName)),
        q.filter !== undefined ? contains(jsonStoreItems.path, q.filter) : undefined,
        // Paths are case-sensitive and ordered as stored (the primary key's order).
        q.after !== undefined ? sql`${jsonStoreItems.path} > ${q.after}` : undefined,
      ),
    )
    .orderBy(asc(jsonStoreItems.path))
    .limit(q.limit + 1)
    .offset(q.offset);

export const insertStore = (db: Database, store: typeof jsonStores.$inferInsert) => db.insert(jsonStores).values(store);

export const updateStore = (db: Database, id: string, changes: { name?: string; visibility?: "PUBLIC" | "PRIVATE"; ownerId?: string }) =>
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
