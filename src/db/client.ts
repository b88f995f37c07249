import { drizzle } from "drizzle-orm/d1";

export type Database = ReturnType<typeof drizzle>;

export interface D1Stats {
  /** batch/run/all/first/raw/exec calls: each is one network round trip from a deployed Worker */
  roundTrips: number;
  /** executed statements with a bound `LIMIT ?`, which SQLite re-prepares every time (db/sql.ts) */
  boundLimits: number;
}

const BOUND_LIMIT = /\blimit\s+\?/i;

/**
 * Counts D1 round trips, the main latency cost of a request, and executed statements whose LIMIT
 * is bound. Statements are wrapped only to count their execution; `batch` hands the real
 * statements to D1. Used when D1_STATS=1.
 */
export function countRoundTrips(d1: D1Database | D1DatabaseSession, stats: D1Stats): D1Database | D1DatabaseSession {
  return new Proxy(d1, {
    get(target, prop, receiver) {
      if (prop === "prepare") return (query: string) => new CountedStatement(target.prepare(query), query, stats);
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          stats.roundTrips++;
          return target.batch(statements.map((s) => (s instanceof CountedStatement ? s.executed(false) : s)));
        };
      }
      if (prop === "exec" && "exec" in target) {
        return (query: string) => {
          stats.roundTrips++;
          return target.exec(query);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

class CountedStatement implements D1PreparedStatement {
  constructor(
    private readonly inner: D1PreparedStatement,
    private readonly query: string,
    private readonly stats: D1Stats,
  ) {}
  /** The real statement, counted as executed (alone: one round trip; in a batch: the batch's). */
  executed(alone = true): D1PreparedStatement {
    if (alone) this.stats.roundTrips++;
    if (BOUND_LIMIT.test(this.query)) this.stats.boundLimits++;
    return this.inner;
  }
  bind(...values: unknown[]): D1PreparedStatement {
    return new CountedStatement(this.inner.bind(...values), this.query, this.stats);
  }
  first<T>(colName?: string): Promise<T | null> {
    const stmt = this.executed();
    return colName === undefined ? stmt.first<T>() : stmt.first<T>(colName);
  }
  run<T>(): Promise<D1Result<T>> {
    return this.executed().run<T>();
  }
  all<T>(): Promise<D1Result<T>> {
    return this.executed().all<T>();
  }
  raw<T>(options?: { columnNames?: boolean }): Promise<any> {
    return this.executed().raw<T>(options as { columnNames?: false });
  }
}

export function createDatabase(d1: D1Database | D1DatabaseSession): Database {
  return drizzle(d1 as D1Database);
}
