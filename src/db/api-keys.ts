/** API keys: only their SHA-256 is stored. */
import { and, eq, or, sql, type SQLWrapper } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { apiKeys } from "./schema";
import { byLowerName, lowerAfter, type Page } from "./sql";

export const insertApiKey = (db: Database, key: { id: string; userId: string; name: string; keyHash: string }) =>
  db.insert(apiKeys).values(key);

/**
 * A page of a user's keys in name order (the caller's own unless `userId`): another user's only for
 * administrators, a condition that travels with the read. One extra row tells "more".
 */
export const listApiKeys = (db: Database, ref: CallerRef, userId: string | undefined, q: Page) =>
  db
    .select({ id: apiKeys.id, userId: apiKeys.userId, name: apiKeys.name, createdAt: apiKeys.createdAt, expiredAt: apiKeys.expiresAt })
    .from(ref.table)
    .crossJoin(apiKeys)
    .where(
      and(
        userId !== undefined
          ? and(eq(apiKeys.userId, userId), or(eq(apiKeys.userId, sql`${ref.id}`), sql`${ref.isAdmin} = 1`))
          : eq(apiKeys.userId, sql`${ref.id}`),
        q.after !== undefined ? lowerAfter(apiKeys.name, q.after) : undefined,
      ),
    )
    .orderBy(byLowerName(apiKeys.name))
    .limit(q.limit + 1)
    .offset(q.offset);

/** Deletes a key of the caller (any key for administrators); yields its id, or no row. */
export const deleteApiKey = (db: Database, callerId: SQLWrapper, adminFlag: SQLWrapper, id: string) =>
  db
    .delete(apiKeys)
    .where(and(eq(apiKeys.id, id), or(eq(apiKeys.userId, callerId), sql`${adminFlag} = 1`)))
    .returning({ id: apiKeys.id });
