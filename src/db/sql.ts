/** Small SQL fragments every query module uses. */
import { and, asc, sql, type SQLWrapper } from "drizzle-orm";

/** The current time as ISO-8601 with milliseconds, computed by SQLite. */
export const nowIso = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/**
 * Case-insensitive equality, served by the unique indexes on lower(name).
 *
 * Lookups by a primary or unique key carry no `.limit(1)`: the index already guarantees one row,
 * and Drizzle binds a limit as a parameter. Recent SQLite (workerd's) plans with the value bound to
 * a `LIMIT ?`, so binding that parameter expires the statement and SQLite prepares it again, with
 * the value, before running it: every execution pays for an extra parse and plan. The benchmark
 * measured it: one bound `LIMIT ?` in a one-row read cost about 15% of its throughput. Paged lists
 * keep their bound limit.
 */
export const lowerEq = (column: SQLWrapper, value: string | SQLWrapper) => sql`lower(${column}) = lower(${value})`;

/**
 * Substring match, case-insensitive for ASCII. Both sides go through SQLite's lower() (ASCII only),
 * so a name always matches any part of itself verbatim, whatever its other characters. instr(),
 * not LIKE: no wildcards to escape, and no pattern-length limit (D1 refuses LIKE patterns over 50 bytes).
 */
export const contains = (column: SQLWrapper, text: string | SQLWrapper) => sql`instr(lower(${column}), lower(${text})) > 0`;

/** A bound value as a named select column (for INSERT ... SELECT). */
export const literal = <T>(value: T | SQLWrapper, alias: string) => sql<T>`${value}`.as(alias);

/** A page of a list: rows [offset, offset + limit), optionally only names containing `filter`, or after a cursor. */
export interface Page {
  offset: number;
  limit: number;
  filter?: string;
  /** cursor: only rows whose name (path, username) sorts after this one, case-insensitively */
  after?: string;
}

/** Cursor paging: rows whose name sorts after `after` case-insensitively (served by the lower(name) indexes). */
export const lowerAfter = (column: SQLWrapper, after: string) => sql`lower(${column}) > lower(${after})`;

/** A page's conditions on the name column it is ordered by: contains the filter, sorts after the cursor. */
export const pageOfNames = (column: SQLWrapper, q: Page) =>
  and(q.filter !== undefined ? contains(column, q.filter) : undefined, q.after !== undefined ? lowerAfter(column, q.after) : undefined);

/**
 * Name order in the Worker, as `byLowerName` orders in SQL (names are ASCII by NAME_PATTERN, so
 * toLowerCase() is SQLite's lower()): for rows merged from several reads.
 */
export const compareNames = (a: string, b: string) => {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Name order, case-insensitive (the order of the lower(name) indexes and of `after` cursors). */
export const byLowerName = (column: SQLWrapper) => asc(sql`lower(${column})`);

/**
 * A field an update may change, for its audit entry's `changes` (db/audit.ts changesOf): its key,
 * its column (in the entry's FROM), the new value (undefined: not sent).
 */
export type ChangedField = [key: string, column: SQLWrapper, value: unknown, kind?: "json" | "boolean"];
