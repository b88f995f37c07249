/**
 * Checks as statements of a write batch: D1 runs a batch as one transaction, so the check and the
 * writes cannot be raced (no check-then-write in the Worker). If-Match at the head of the batch;
 * rules that the batch's own writes could break, after them.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "./client";
import { ifMatchFailed, writeRefused } from "./schema";

/**
 * Holds when `current` (a row's version, in SQL; NULL when there is no such row) is `expected`, or
 * with "*" when the row exists. When it does not hold, the statement inserts into if_match_failed,
 * whose CHECK refuses every row, and D1 rolls the whole batch back (lib/errors.ts answers 412).
 */
export const versionHolds = (db: Database, current: SQL, expected: number | "*") =>
  db.insert(ifMatchFailed).select(sql`SELECT 1 WHERE ${expected === "*" ? sql`${current} IS NULL` : sql`${current} IS NOT ${expected}`}`);

/**
 * Refuses the whole batch when `broken` holds (place it after the writes it checks): the statement
 * inserts into write_refused, whose CHECK refuses every row, and D1 rolls the batch back
 * (lib/errors.ts translateConstraint answers it as a trigger's refusal: 409).
 */
export const refuseIf = (db: Database, broken: SQL) => db.insert(writeRefused).select(sql`SELECT 1 WHERE ${broken}`);
