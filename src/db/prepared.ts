/**
 * Placeholders bound per request, and queries built once per isolate.
 *
 * Drizzle turns a query builder into SQL text each time one is constructed: tens of microseconds of
 * CPU per statement, which the benchmark showed to be the largest per-request cost of this Worker
 * after D1 itself. `prepared(build)` builds a query once per shape with `sql.placeholder`s, and a
 * request only supplies values. Items from here go to `db.batch` (through `batchAsCaller`), where
 * they mix freely with ordinary query builders; `batchAsCaller` adds the caller's own values.
 *
 * This relies on two details of drizzle-orm's D1 driver (pinned in package.json): a batch item is
 * anything with `_prepare()`, and the prepared query it returns binds `query.params` to `stmt`.
 * The test suite runs every endpoint through it.
 */
import { fillPlaceholders } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Database } from "./client";

interface D1PreparedQueryLike {
  query: { sql: string; params: unknown[] };
  stmt: D1PreparedStatement;
  /** drizzle's selected fields, in column order (select queries only) */
  fields?: { path: string[]; field: unknown }[];
  mapAllResult?: (rows: unknown, isFromBatch?: boolean) => unknown;
}

interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}

/**
 * For a flat select (every field a top-level key), a row mapper with each column's key and decoder
 * looked up once, instead of drizzle's generic per-row walk. Other queries keep drizzle's mapping.
 */
function fastRowMapper(template: D1PreparedQueryLike): ((rows: unknown) => unknown) | undefined {
  const fields = template.fields;
  if (!fields || fields.some((f) => f.path.length !== 1)) return undefined;
  const keys = fields.map((f) => f.path[0]!);
  const decoders = fields.map(({ field }) => {
    const f = field as { mapFromDriverValue?: unknown; decoder?: Decoder; sql?: { decoder?: Decoder } };
    if (typeof f.mapFromDriverValue === "function") return f as Decoder; // a column
    return f.decoder ?? f.sql?.decoder; // an sql`` expression, plain or aliased
  });
  if (decoders.some((d) => d === undefined)) return undefined;
  return (result) =>
    (result as { results: Record<string, unknown>[] }).results.map((row) => {
      const values = Object.values(row);
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const raw = values[i];
        out[keys[i]!] = raw === null || raw === undefined ? null : decoders[i]!.mapFromDriverValue(raw);
      }
      return out;
    });
}

type Preparable = BatchItem<"sqlite"> & { prepare(): unknown };

/** A batch item whose placeholders are filled with `values` when the batch runs. */
class BoundQuery {
  constructor(
    private readonly db: Database,
    readonly template: () => D1PreparedQueryLike,
    readonly values: Record<string, unknown>,
  ) {}

  _prepare(): D1PreparedQueryLike {
    const template = this.template();
    const copy: D1PreparedQueryLike = Object.create(template);
    copy.query = { ...template.query, params: fillPlaceholders(template.query.params, this.values) };
    copy.stmt = this.db.$client.prepare(template.query.sql);
    return copy;
  }
}

/** Adds `values` for the placeholders of a batch item (a query builder, or one from `prepared`). */
export function bindPlaceholders<T extends BatchItem<"sqlite">>(db: Database, item: T, values: Record<string, unknown>): T {
  const bound =
    item instanceof BoundQuery
      ? new BoundQuery(db, item.template, { ...item.values, ...values })
      : new BoundQuery(db, () => (item as unknown as { _prepare(): D1PreparedQueryLike })._prepare(), values);
  return bound as unknown as T;
}

/** Shape arguments are strings, numbers, booleans or a CallerRef (which counts by its kind). */
const shapeKey = (shape: unknown[]) =>
  shape.map((part) => (typeof part === "object" && part !== null && "kind" in part ? part.kind : String(part))).join("|");

/**
 * `prepared(build)` gives a function of (db, values, ...shape) returning a batch item. `build` is
 * called with placeholders in its SQL once per distinct `shape` (the caller's kind, which optional
 * clauses the query has), and that SQL is reused by every later request of the isolate.
 */
export function prepared<TShape extends unknown[], TQuery extends Preparable>(
  build: (db: Database, ...shape: TShape) => TQuery,
) {
  const templates = new Map<string, D1PreparedQueryLike>();
  return (db: Database, values: Record<string, unknown>, ...shape: TShape): TQuery => {
    const key = shapeKey(shape);
    let template = templates.get(key);
    if (!template) {
      template = build(db, ...shape).prepare() as D1PreparedQueryLike;
      const mapper = fastRowMapper(template);
      const generic = template.mapAllResult;
      if (mapper && generic) {
        template.mapAllResult = (rows, isFromBatch) => (isFromBatch ? mapper(rows) : generic.call(template, rows, isFromBatch));
      }
      templates.set(key, template);
    }
    const ready = template;
    return new BoundQuery(db, () => ready, values) as unknown as TQuery;
  };
}

/**
 * Runs batch items (query builders or prepared) as one D1 batch: what drizzle's own `db.batch`
 * does, without its per-call bookkeeping, which showed in the hot path's CPU profile.
 */
export async function runBatch<T extends readonly BatchItem<"sqlite">[]>(db: Database, items: T): Promise<BatchResponse<T>> {
  const queries = items.map((item) => (item as unknown as { _prepare(): D1PreparedQueryLike & PreparedMapping })._prepare());
  const results = await db.$client.batch(queries.map((q) => q.stmt.bind(...q.query.params)));
  return results.map((result, i) => queries[i]!.mapResult(result, true)) as BatchResponse<T>;
}

interface PreparedMapping {
  mapResult(result: unknown, isFromBatch: boolean): unknown;
}
