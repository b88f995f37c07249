import { drizzle } from "drizzle-orm/d1";

export type Database = ReturnType<typeof drizzle>;

/**
 * Counts D1 round trips: every batch/run/all/first/raw/exec on the binding is one network round
 * trip from a deployed Worker, the main latency cost of a request. Statements are wrapped only to
 * count their execution; `batch` hands the real statements to D1. Used when D1_STATS=1.
 */
export function countRoundTrips(
  d1: D1Database | D1DatabaseSession,
  stats: { roundTrips: number },
): D1Database | D1DatabaseSession {
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => new CountedStatement(stmt, stats);
  return new Proxy(d1, {
    get(target, prop, receiver) {
      if (prop === "prepare") return (query: string) => wrap(target.prepare(query));
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          stats.roundTrips++;
          return target.batch(statements.map((s) => (s instanceof CountedStatement ? s.inner : s)));
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
    readonly inner: D1PreparedStatement,
    private readonly stats: { roundTrips: number },
  ) {}
  bind(...values: unknown[]): D1PreparedStatement {
    return new CountedStatement(this.inner.bind(...values), this.stats);
  }
  first<T>(colName?: string): Promise<T | null> {
    this.stats.roundTrips++;
    return colName === undefined ? this.inner.first<T>() : this.inner.first<T>(colName);
  }
  run<T>(): Promise<D1Result<T>> {
    this.stats.roundTrips++;
    return this.inner.run<T>();
  }
  all<T>(): Promise<D1Result<T>> {
    this.stats.roundTrips++;
    return this.inner.all<T>();
  }
  raw<T>(options?: { columnNames?: boolean }): Promise<any> {
    this.stats.roundTrips++;
    return this.inner.raw<T>(options as { columnNames?: false });
  }
}

export function createDatabase(d1: D1Database | D1DatabaseSession): Database {
  return drizzle(d1 as D1Database);
}
