/**
 * Audit log retention, run by the Cron Trigger (wrangler.jsonc `triggers`, the `scheduled` handler
 * of src/index.ts): entries older than AUDIT_RETENTION_DAYS (default 90) are deleted, oldest first,
 * in chunks of bounded size, and a run stops after a bounded number of chunks so that it stays
 * within D1's limits at any table size; the next run goes on where it stopped.
 */
import { pruneAuditChunk } from "../db/audit";
import { createDatabase } from "../db/client";
import type { Bindings } from "../env";

export const DEFAULT_RETENTION_DAYS = 90;

/** Rows per DELETE, and DELETEs per run: at most 10,000 entries a run (hourly: 240,000 a day). */
export const RETENTION_LIMITS = { chunk: 500, chunks: 20 };

export function retentionDays(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_RETENTION_DAYS;
  // digits only ("1e3", "0x10" are refused), and at most 100,000 days so that the cutoff is a date
  const days = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(days >= 1 && days <= 100_000)) throw new Error(`AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 100000, not '${value}'`);
  return days;
}

export async function pruneAuditLog(env: Bindings, now: Date, limits = RETENTION_LIMITS): Promise<{ cutoff: string; deleted: number; done: boolean }> {
  const cutoff = new Date(now.getTime() - retentionDays(env.AUDIT_RETENTION_DAYS) * 86_400_000).toISOString();
  const db = createDatabase(env.DB);
  let deleted = 0;
  for (let i = 0; i < limits.chunks; i++) {
    const n = await pruneAuditChunk(db, cutoff, limits.chunk);
    deleted += n;
    if (n < limits.chunk) return { cutoff, deleted, done: true };
  }
  return { cutoff, deleted, done: false };
}
