import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { hasAccessToOrg } from "./orgs";
import { jsonStoreItems, jsonStores, users } from "./schema";
import { contains, lowerEq, nowIso } from "./sql";

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

export const findStore = (db: Database, orgId: SQL, by: { id: string } | { name: string }) =>
  db
    .select(storeColumns)
    .from(jsonStores)
    .leftJoin(users, eq(users.id, jsonStores.ownerId))
    .where(and(eq(jsonStores.orgId, orgId), "id" in by ? eq(jsonStores.id, by.id) : lowerEq(jsonStores.name, by.name)));

export const listStores = (db: Database, ref: CallerRef, orgId: SQL) =>
  db
    .select(storeColumns)
    .from(jsonStores)
    .leftJoin(users, eq(users.id, jsonStores.ownerId))
    .where(and(eq(jsonStores.orgId, orgId), sql`(${jsonStores.visibility} = 'PUBLIC' OR ${hasAccessToOrg(orgId, ref)})`))
    .orderBy(asc(sql`lower(${jsonStores.name})`));

/** The store of that name in the org, as a scalar subquery. */
export const storeIdOf = (orgId: SQL, storeName: string) =>
  sql<string>`(SELECT ${jsonStores.id} FROM ${jsonStores} WHERE ${jsonStores.orgId} = ${orgId} AND ${lowerEq(jsonStores.name, storeName)})`;

export const findItem = (db: Database, storeId: SQL | string, path: string) =>
  db
    .select({ data: jsonStoreItems.data })
    .from(jsonStoreItems)
    .where(and(eq(jsonStoreItems.storeId, storeId), eq(jsonStoreItems.path, path)));

/** A page of item paths, in path order; one extra row tells "more". */
export const listItemPaths = (db: Database, storeId: SQL, q: { offset: number; limit: number; filter?: string }) =>
  db
    .select({ path: jsonStoreItems.path })
    .from(jsonStoreItems)
    .where(and(eq(jsonStoreItems.storeId, storeId), q.filter ? contains(jsonStoreItems.path, q.filter.toLowerCase()) : undefined))
    .orderBy(asc(jsonStoreItems.path))
    .limit(q.limit + 1)
    .offset(q.offset);

export const upsertItem = (db: Database, storeId: string, path: string, data: string) =>
  db
    .insert(jsonStoreItems)
    .values({ storeId, path, data })
    .onConflictDoUpdate({
      target: [jsonStoreItems.storeId, jsonStoreItems.path],
      set: { data: sql`excluded.data`, updatedAt: nowIso },
    });
