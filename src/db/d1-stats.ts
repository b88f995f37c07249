/**
 * D1 calls counted per request: round trips (each batch/run/all/first/raw/exec call is one network
 * round trip from a deployed Worker) and D1's own `meta.rows_read`/`rows_written` (what D1 bills).
 * The database middleware counts every request's session (middleware/db.ts) for its log line
 * (middleware/log.ts); the tests' entry (test/worker.ts) answers the same counts as headers.
 */
export interface D1Stats {
  /** batch/run/all/first/raw/exec calls: each is one network round trip from a deployed Worker */
  roundTrips: number;
  /** executed statements with a bound `LIMIT ?`, which SQLite prepares twice every time (db/sql.ts) */
  boundLimits: number;
  /** sums of D1's `meta.rows_read` / `meta.rows_written` (what D1 bills) over the request's calls */
  rowsRead: number;
  rowsWritten: number;
  /** calls whose answer carries no meta (`first`, `raw`): their rows are not in the sums above */
  unmeasured: number;
}

export const newD1Stats = (): D1Stats => ({ roundTrips: 0, boundLimits: 0, rowsRead: 0, rowsWritten: 0, unmeasured: 0 });

const BOUND_LIMIT = /\blimit\s+\?/i;

function addMeta(stats: D1Stats, result: D1Result | D1ExecResult | undefined) {
  const meta = (result as D1Result | undefined)?.meta;
  if (!meta) return;
  stats.rowsRead += meta.rows_read ?? 0;
  stats.rowsWritten += meta.rows_written ?? 0;
}

/** Statements are wrapped only to count their execution; `batch` hands the real statements to D1. */
export function countCalls<T extends D1Database | D1DatabaseSession>(d1: T, stats: D1Stats): T {
  return new Proxy(d1, {
    get(target, prop, receiver) {
      if (prop === "prepare") return (query: string) => new CountedStatement(target.prepare(query), query, stats);
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          stats.roundTrips++;
          const results = await target.batch(statements.map((s) => (s instanceof CountedStatement ? s.executed(false) : s)));
          for (const result of results) addMeta(stats, result);
          return results;
        };
      }
      if (prop === "exec" && "exec" in target) {
        return (query: string) => {
          stats.roundTrips++;
          stats.unmeasured++;
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
    this.stats.unmeasured++;
    return colName === undefined ? stmt.first<T>() : stmt.first<T>(colName);
  }
  async run<T>(): Promise<D1Result<T>> {
    const result = await this.executed().run<T>();
    addMeta(this.stats, result);
    return result;
  }
  async all<T>(): Promise<D1Result<T>> {
    const result = await this.executed().all<T>();
    addMeta(this.stats, result);
    return result;
  }
  raw<T>(options?: { columnNames?: boolean }): Promise<any> {
    this.stats.unmeasured++;
    return this.executed().raw<T>(options as { columnNames?: false });
  }
}
