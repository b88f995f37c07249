/**
 * Recording the audit log: each write adds its entry as one more statement of the batch that makes
 * the change, so a failed change leaves no entry and a committed one always has it (lib/audit.ts
 * builds entries for routes).
 */
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Database } from "./client";
import { auditLog, type AuditAction, type AuditObject } from "./schema";
import { nowIso } from "./sql";

export interface AuditEntry {
  object: AuditObject;
  action: AuditAction;
  /** the caller: an id, or the caller's id column in SQL when the key lookup travels in the same batch */
  userId: string | SQLWrapper;
  /**
   * Concord's details. `orgId`, `projectId`, `secretId`, `jsonStoreId` and `teamId` are also copied
   * into columns to filter by. Never a secret value, a store password or an API key.
   */
  details: Record<string, unknown>;
}

const keyOf = (details: Record<string, unknown>, key: string) => (typeof details[key] === "string" ? (details[key] as string) : null);

/**
 * The entry as an `INSERT ... SELECT`: written only if `when` holds (the change it records is
 * happening), with `computed` details (values built in SQL, e.g. `changes` from the row as it is
 * before the update: place the entry before the update in the batch) set over `details`. `from`
 * is a FROM clause for both. A computed id key (`orgId`, ...) fills its column too.
 */
export function recordAudit(db: Database, e: AuditEntry, opts: { from?: SQL; when?: SQL; computed?: Record<string, SQLWrapper> } = {}) {
  const computed = Object.entries(opts.computed ?? {});
  const details = computed.length
    ? sql`json_set(${JSON.stringify(e.details)}, ${sql.join(
        computed.map(([k, value]) => sql`${`$.${k}`}, ${value}`),
        sql`, `,
      )})`
    : sql`${JSON.stringify(e.details)}`;
  const key = (k: string) => opts.computed?.[k] ?? keyOf(e.details, k);
  return db.insert(auditLog).select(
    sql`SELECT NULL, ${nowIso}, ${e.userId}, ${e.object}, ${e.action}, ${key("orgId")}, ${key("projectId")}, ${key("secretId")},
      ${key("jsonStoreId")}, ${key("teamId")}, ${details} ${opts.from ?? sql``} WHERE ${opts.when ?? sql`true`}`,
  );
}

/** A field an update may change: its key in `changes`, its column (in the entry's FROM), the new value (undefined: not sent). */
export type ChangedField = [key: string, column: SQLWrapper, value: unknown, kind?: "json" | "boolean"];

/**
 * Concord's `changes: {prev: {...}, new: {...}}` of the sent fields whose value differs from the
 * row's, as a JSON value computed in SQL (from the row the entry's FROM reads).
 */
export function changesOf(fields: ChangedField[]): SQL {
  const sent = fields.filter(([, , value]) => value !== undefined);
  if (sent.length === 0) return sql`json_object()`;
  // each value as JSON text (a JSON column's text normalized by json()), parsed back when aggregated
  const as = (kind: ChangedField[3], value: unknown) =>
    kind === "json" ? sql`json(${value})` : kind === "boolean" ? sql`(CASE WHEN ${value} THEN 'true' ELSE 'false' END)` : sql`json_quote(${value})`;
  // booleans are stored as 0/1
  const bound = (kind: ChangedField[3], value: unknown) => (kind === "boolean" ? (value ? 1 : 0) : value);
  const pairs = sql.join(
    sent.map(([key, column, value, kind]) => sql`SELECT ${key} AS k, ${as(kind, column)} AS p, ${as(kind, bound(kind, value))} AS n`),
    sql` UNION ALL `,
  );
  // json(): a subquery's value loses its JSON type, and would be set as a string
  return sql`json((SELECT json_object('prev', json_group_object(k, json(p)), 'new', json_group_object(k, json(n))) FROM (${pairs}) WHERE p IS NOT n))`;
}
