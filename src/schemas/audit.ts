import * as v from "valibot";
import { AUDIT_ACTIONS, AUDIT_OBJECTS } from "../db/schema";
import { EntityName, QueryInt, Uuid } from "./common";

/** A YYYY-MM-DD that names a day of the calendar (Date.parse takes 2026-02-30 as March 2nd). */
function isCalendarDate(ymd: string): boolean {
  const [y, m, d] = ymd.split("-").map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d); // not Date.UTC, which reads years 0-99 as 1900-1999
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** ISO-8601 with a time and an offset, as Concord's `after`/`before` (`2024-01-01T00:00:00Z`). */
const Timestamp = v.pipe(
  v.string(),
  v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, "must be an ISO-8601 timestamp with an offset, e.g. 2024-01-01T00:00:00Z"),
  v.check((s) => !Number.isNaN(Date.parse(s)) && isCalendarDate(s.slice(0, 10)), "must be a valid date"),
  // compared with the stored UTC text (strftime('%Y-%m-%dT%H:%M:%fZ'))
  v.transform((s) => new Date(s).toISOString()),
);

/** GET /api/v1/audit: Concord's parameters, plus `cursor` (from `Link: rel="next"`) for deep pages. */
export const AuditQuery = v.object({
  object: v.optional(v.picklist(AUDIT_OBJECTS, `must be one of ${AUDIT_OBJECTS.join(", ")}`)),
  action: v.optional(v.picklist(AUDIT_ACTIONS, `must be one of ${AUDIT_ACTIONS.join(", ")}`)),
  userId: v.optional(Uuid),
  username: v.optional(v.pipe(v.string(), v.maxLength(128, "must be at most 128 characters"))),
  after: v.optional(Timestamp),
  before: v.optional(Timestamp),
  offset: v.optional(QueryInt(0, 1_000_000_000), "0"),
  limit: v.optional(QueryInt(1, 1000), "30"),
  /** entries older than this sequence number (the next page's start) */
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[1-9]\d{0,14}$/, "must be a sequence number from Link: rel=\"next\""), v.transform(Number))),
  "details.orgId": v.optional(Uuid),
  "details.orgName": v.optional(EntityName),
  "details.projectId": v.optional(Uuid),
  "details.projectName": v.optional(EntityName),
  "details.secretId": v.optional(Uuid),
  "details.secretName": v.optional(EntityName),
  "details.jsonStoreId": v.optional(Uuid),
  "details.jsonStoreName": v.optional(EntityName),
  "details.teamId": v.optional(Uuid),
  "details.teamName": v.optional(EntityName),
});
export type AuditQueryInput = v.InferOutput<typeof AuditQuery>;
