/**
 * If-Match as a statement at the head of a write batch: D1 runs a batch as one transaction, so the
 * check and the writes cannot be raced (no check-then-write in the Worker).
 */
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "./client";
import { ifMatchFailed } from "./schema";

/**
 * Holds when `current` (a row's version, in SQL; NULL when there is no such row) is `expected`, or
 * with "*" when the row exists. When it does not hold, the statement inserts into if_match_failed,
 * whose CHECK refuses every row, and D1 rolls the whole batch back (lib/errors.ts answers 412).
 */
export const versionHolds = (db: Database, current: SQL, expected: number | "*") =>
  db.insert(ifMatchFailed).select(sql`SELECT 1 WHERE ${expected === "*" ? sql`${current} IS NULL` : sql`${current} IS NOT ${expected}`}`);
