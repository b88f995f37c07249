/**
 * Audit entries for routes: who (the caller), from which request (Concord's `requestId` and
 * `actionSource`), about what. See db/audit.ts for how an entry joins the batch of its change.
 */
import type { Context } from "hono";
import { eq, getTableName, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { recordAudit } from "../db/audit";
import type { AuditAction, AuditObject } from "../db/schema";
import type { AppEnv } from "../env";

/**
 * The entry for this request's change: written by the caller (`userId` in SQL when the key lookup
 * travels in the same batch), with the request's id; `opts` as in db/audit.ts recordAudit.
 */
export function audit(
  c: Context<AppEnv>,
  object: AuditObject,
  action: AuditAction,
  details: Record<string, unknown>,
  opts: { from?: SQL; when?: SQL; computed?: Record<string, SQLWrapper>; userId?: SQLWrapper } = {},
) {
  const userId = opts.userId ?? c.get("caller")?.id;
  if (userId === undefined) throw new Error("audit entry before the caller is known");
  return recordAudit(
    c.get("db"),
    { object, action, userId, details: { ...details, requestId: c.get("requestId"), actionSource: { type: "API_REQUEST" } } },
    opts,
  );
}

/** An entry's FROM and WHEN for a change of one row: written only if the row exists when the entry is (place it before a delete or update). */
export const whileRowExists = (idColumn: SQLiteColumn, id: string) => ({
  from: sql`FROM ${sql.identifier(getTableName(idColumn.table))}`,
  when: eq(idColumn, id),
});

/** A new resource's fields for `changes.new`: JSON columns (text) as JSON, absent and null ones left out. */
export function newFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    out[key] = (key === "meta" || key === "cfg") && typeof value === "string" ? JSON.parse(value) : value;
  }
  return out;
}
