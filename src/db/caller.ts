/**
 * The caller inside SQL.
 *
 * A request with an issued API key does not know its caller until D1 answers, yet its reads must
 * travel in the same round trip as the key lookup. So the caller is a derived table of at most one
 * row, `caller (caller_id, caller_is_admin)`: a constant for a caller already known, the key's row
 * (valid: that hash, not expired, its user not disabled) for a key. Queries put it first
 * (`FROM caller CROSS JOIN ...`: SQLite keeps that order, so the lookup costs its 2 rows once per
 * statement, and an unknown key reads nothing else), or use `callerIsAdmin`/`callerIdOf` where a
 * single value is needed (a scalar subquery, evaluated once per statement).
 */
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "./client";
import { apiKeys, users } from "./schema";

export interface CallerRef {
  /** the derived table, aliased `caller`: use as the first table of a query */
  table: SQL;
  /** its columns, for conditions */
  id: SQL;
  isAdmin: SQL;
  username: SQL;
}

const columns = {
  id: sql.raw(`"caller"."caller_id"`),
  isAdmin: sql.raw(`"caller"."caller_is_admin"`),
  username: sql.raw(`"caller"."caller_username"`),
};

/**
 * A caller known without D1 (the admin key) or already resolved earlier in the request. Its user's
 * row is read by primary key (1 row): from a constant row instead, SQLite would no longer see that
 * `caller` is one row and would sort pages instead of reading them in index order.
 */
export const knownCaller = (caller: { id: string; isAdmin: boolean }): CallerRef => ({
  table: sql`(SELECT ${users.id} AS caller_id, ${caller.isAdmin ? 1 : 0} AS caller_is_admin, ${users.username} AS caller_username
    FROM ${users} WHERE ${users.id} = ${caller.id}) AS "caller"`,
  ...columns,
});

/** A valid key: that hash, not expired at `now`, its user (joined as `users`) not disabled. */
const validKey = (keyHash: string, now: string) =>
  sql`${apiKeys.keyHash} = ${keyHash} AND (${apiKeys.expiresAt} IS NULL OR ${apiKeys.expiresAt} > ${now}) AND ${users.disabled} = 0`;

/** The caller of an issued API key, known by its hash; `now` decides expiry. */
export const keyCaller = (keyHash: string, now: string): CallerRef => ({
  table: sql`(SELECT ${apiKeys.userId} AS caller_id, ${users.isAdmin} AS caller_is_admin, ${users.username} AS caller_username
    FROM ${apiKeys} INNER JOIN ${users} ON ${users.id} = ${apiKeys.userId} WHERE ${validKey(keyHash, now)}) AS "caller"`,
  ...columns,
});

/** The caller's row: for a key, the request's authentication (no row: the key is not valid). */
export const lookupCaller = (db: Database, ref: CallerRef) =>
  db
    .select({
      id: sql<string>`${ref.id}`,
      username: sql<string>`${ref.username}`,
      isAdmin: sql<number>`${ref.isAdmin}`.mapWith(Boolean),
    })
    .from(ref.table);

/** The caller's user id as a value (NULL for an unknown key). */
export const callerIdOf = (ref: CallerRef) => sql<string | null>`(SELECT ${ref.id} FROM ${ref.table})`;

/** 1 when the caller is an administrator (NULL for an unknown key), as a value. */
export const callerIsAdmin = (ref: CallerRef) => sql<number | null>`(SELECT ${ref.isAdmin} FROM ${ref.table})`;
