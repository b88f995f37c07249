/**
 * The Worker as the tests and the benchmark's counted run see it: the app (src/index.ts), with every
 * D1 call of a request counted. A response to a request that opened a D1 session carries
 * X-D1-Round-Trips, X-D1-Bound-Limits, X-D1-Rows-Read and X-D1-Rows-Written (see D1Stats).
 * Production runs src/index.ts, without any of this.
 */
import { app } from "../src/index";
import type { Bindings } from "../src/env";

interface D1Stats {
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

const BOUND_LIMIT = /\blimit\s+\?/i;

function addMeta(stats: D1Stats, result: D1Result | D1ExecResult | undefined) {
  const meta = (result as D1Result | undefined)?.meta;
  if (!meta) return;
  stats.rowsRead += meta.rows_read ?? 0;
  stats.rowsWritten += meta.rows_written ?? 0;
}

/** Statements are wrapped only to count their execution; `batch` hands the real statements to D1. */
function countCalls(d1: D1Database | D1DatabaseSession, stats: D1Stats): D1Database | D1DatabaseSession {
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

export default {
  async fetch(request, env, ctx) {
    const stats: D1Stats = { roundTrips: 0, boundLimits: 0, rowsRead: 0, rowsWritten: 0, unmeasured: 0 };
    let opened = false;
    const DB = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === "withSession") {
          return (constraint?: string) => {
            opened = true;
            return countCalls(target.withSession(constraint), stats);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const response = await app.fetch(request, { ...env, DB }, ctx);
    if (!opened) return response;
    const counted = new Response(response.body, response);
    counted.headers.set("X-D1-Round-Trips", String(stats.roundTrips));
    counted.headers.set("X-D1-Bound-Limits", String(stats.boundLimits));
    // A call without meta makes the sums incomplete: say so rather than under-report.
    counted.headers.set("X-D1-Rows-Read", stats.unmeasured ? "unmeasured" : String(stats.rowsRead));
    counted.headers.set("X-D1-Rows-Written", stats.unmeasured ? "unmeasured" : String(stats.rowsWritten));
    return counted;
  },
} satisfies ExportedHandler<Bindings>;
