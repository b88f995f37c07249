import { drizzle } from "drizzle-orm/d1";

export type Database = ReturnType<typeof drizzle>;

export function createDatabase(d1: D1Database | D1DatabaseSession): Database {
  return drizzle(d1 as D1Database);
}
