/** Small SQL fragments every query module uses. */
import { sql, type SQLWrapper } from "drizzle-orm";

/** The current time as ISO-8601 with milliseconds, computed by SQLite. */
export const nowIso = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/** Case-insensitive equality, served by the unique indexes on lower(name). */
export const lowerEq = (column: SQLWrapper, value: string | SQLWrapper) => sql`lower(${column}) = lower(${value})`;

/** The LIKE pattern for a case-insensitive substring match, with LIKE's wildcards in `text` escaped. */
export const likePattern = (text: string) => "%" + text.toLowerCase().replace(/[\\%_]/g, (ch) => "\\" + ch) + "%";

/** Case-insensitive substring match of `text`. */
export const containsPattern = (column: SQLWrapper, text: string) =>
  sql`lower(${column}) LIKE ${likePattern(text)} ESCAPE '\\'`;

/** A bound value as a named select column (for INSERT ... SELECT). */
export const literal = <T>(value: T | SQLWrapper, alias: string) => sql<T>`${value}`.as(alias);
