/**
 * The database handle, and the one way this service runs queries together: `batch`.
 *
 * A request's reads travel in one D1 batch (one round trip, atomic), and so do its writes. `batch`
 * takes Drizzle query builders by name and answers their results by the same names, typed by
 * Drizzle: `const { org, projects } = await batch(db, { org: findOrg(...), projects: listProjects(...) })`.
 */
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";

export type Database = ReturnType<typeof drizzle>;

export function createDatabase(d1: D1Database | D1DatabaseSession): Database {
  return drizzle(d1 as D1Database);
}

/** Named Drizzle queries (an absent name, from a conditional spread, is simply not run). */
export type NamedQueries = Record<string, BatchItem<"sqlite"> | undefined>;

/** What each named query yields: a select's rows, a `.returning()`'s rows, or D1's result. */
export type NamedResults<T extends NamedQueries> = { [K in keyof T]: Awaited<T[K]> };

/** Runs the named queries as one D1 batch: one round trip, all or nothing. */
export async function batch<T extends NamedQueries>(db: Database, queries: T): Promise<NamedResults<T>> {
  const entries = Object.entries(queries).filter((entry): entry is [string, BatchItem<"sqlite">] => entry[1] !== undefined);
  if (entries.length === 0) return {} as NamedResults<T>;
  const items = entries.map(([, query]) => query) as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];
  const results: unknown[] = await db.batch(items);
  return Object.fromEntries(entries.map(([name], i) => [name, results[i]])) as NamedResults<T>;
}
