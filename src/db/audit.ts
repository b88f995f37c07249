/**
 * Recording the audit log: each write adds its entry as one more statement of the batch that makes
 * the change, so a failed change leaves no entry and a committed one always has it (lib/audit.ts
 * builds entries for routes).
 */
import { and, desc, eq, lt, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { accessCondition, callerLevel, GRANTABLE, LEVEL_RANK, type GrantableKind } from "./orgs";
import { auditLog, jsonStores, organizations, projects, secrets, teams, users, type AuditAction, type AuditObject } from "./schema";
import { lowerEq, nowIso, type ChangedField } from "./sql";

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


/**
 * Concord's `changes: {prev: {...}, new: {...}}` of the sent fields whose value differs from the
 * row's, as a JSON value computed in SQL (from the row the entry's FROM reads). As Concord's
 * DiffUtils: a null value is left out (a field set for the first time is only under `new`), and so
 * is an empty half (`{}` when nothing changed).
 */
export function changesOf(fields: ChangedField[]): SQL {
  const sent = fields.filter(([, , value]) => value !== undefined);
  if (sent.length === 0) return sql`json_object()`;
  // each value as JSON text (a JSON column's text normalized by json()), parsed back when aggregated;
  // a stored JSON value SQLite cannot parse (nested over its 1000 levels, stored before schemas/common.ts
  // limited meta and cfg to 256) is recorded as its text, so that it does not make every update fail
  const as = (kind: ChangedField[3], value: unknown) =>
    kind === "json"
      ? sql`(CASE WHEN json_valid(${value}) THEN json(${value}) ELSE json_quote(${value}) END)`
      : kind === "boolean"
        ? sql`(CASE WHEN ${value} THEN 'true' ELSE 'false' END)`
        : sql`json_quote(${value})`;
  // booleans are stored as 0/1
  const bound = (kind: ChangedField[3], value: unknown) => (kind === "boolean" ? (value ? 1 : 0) : value);
  const pairs = sql.join(
    sent.map(([key, column, value, kind]) => sql`SELECT ${key} AS k, ${as(kind, column)} AS p, ${as(kind, bound(kind, value))} AS n`),
    sql` UNION ALL `,
  );
  // json(): a subquery's value loses its JSON type, and would be set as a string
  return sql`json((SELECT CASE WHEN pv = '{}' AND nv = '{}' THEN json_object()
      WHEN pv = '{}' THEN json_object('new', json(nv)) WHEN nv = '{}' THEN json_object('prev', json(pv))
      ELSE json_object('prev', json(pv), 'new', json(nv)) END
    FROM (SELECT json_group_object(k, json(p)) FILTER (WHERE p <> 'null') AS pv, json_group_object(k, json(n)) FILTER (WHERE n <> 'null') AS nv
      FROM (${pairs}) WHERE p IS NOT n)))`;
}

/** An entity a search names: by id, or by name (a project, secret, store or team also needs its org). */
export type EntityRef = { id: string } | { name: string };

/** GET /api/v1/audit's filters, resolved to entities (schemas/audit.ts). */
export interface AuditSearch {
  object?: AuditObject;
  action?: AuditAction;
  userId?: string;
  username?: string;
  /** ISO-8601 UTC: entries strictly after / before */
  after?: string;
  before?: string;
  /** entries older than this sequence number */
  cursor?: number;
  offset: number;
  limit: number;
  org?: EntityRef;
  project?: EntityRef;
  secret?: EntityRef;
  jsonStore?: EntityRef;
  team?: EntityRef;
}

/**
 * The org a search names, as a value: by id; by name the live org, else the last org deleted under
 * that name (its entries outlive it; found from its ORGANIZATION DELETE entry, by the index on the
 * names in those entries: SQLite may compute this whether or not the live org exists, so it must
 * cost one probe, and INDEXED BY makes a query that could not use the index fail instead of scan).
 */
export const orgIdOf = (org: EntityRef) =>
  "id" in org
    ? sql<string>`${org.id}`
    : sql<string>`coalesce((SELECT ${organizations.id} FROM ${organizations} WHERE ${lowerEq(organizations.name, org.name)}),
        (SELECT ${auditLog.orgId} FROM ${auditLog} INDEXED BY ${sql.identifier("audit_log_deleted_org_name_idx")}
          WHERE ${auditLog.object} = 'ORGANIZATION' AND ${auditLog.action} = 'DELETE'
          AND lower(${auditLog.details} ->> '$.name') = lower(${org.name}) ORDER BY ${auditLog.seq} DESC LIMIT 1))`;

const CHILDREN = { project: projects, secret: secrets, jsonStore: jsonStores, team: teams } as const;

/** The live org a search names, as a value (children are found only in a live org). */
const liveOrgIdOf = (org: EntityRef | undefined) =>
  !org ? sql`NULL` : "id" in org ? sql`${org.id}` : sql`(SELECT ${organizations.id} FROM ${organizations} WHERE ${lowerEq(organizations.name, org.name)})`;

/** A project, secret, store or team a search names, as a value: by id, or by name in the search's (live) org. */
export const childIdOf = (kind: keyof typeof CHILDREN, ref: EntityRef, org: EntityRef | undefined) => {
  const t = CHILDREN[kind];
  return "id" in ref
    ? sql<string>`${ref.id}`
    : sql<string>`(SELECT ${t.id} FROM ${t} WHERE ${t.orgId} = ${liveOrgIdOf(org)} AND ${lowerEq(t.name, ref.name)})`;
};

/**
 * Whether the caller may read the entries a search finds (in a query on `caller` and
 * `audit_log`). Administrators: all. Others must name an org, project, secret, store or team and
 * hold access to each they name (org access; READER on a project, secret or store; a team: access
 * to its org): a gate on the caller and those rows alone, checked before any entry is read, and
 * every entry then is about what they named. Of an entry about a project, secret or store, READER
 * on it now (one that no longer exists: none).
 */
function mayRead(ref: CallerRef, q: AuditSearch) {
  const level = (kind: GrantableKind, id: SQLWrapper) => {
    const r = GRANTABLE[kind].resource;
    return sql`EXISTS (SELECT 1 FROM ${r} CROSS JOIN ${organizations}
      WHERE ${r.id} = ${id} AND ${organizations.id} = ${r.orgId} AND ${callerLevel(kind, ref)} >= ${sql.raw(String(LEVEL_RANK.READER))})`;
  };
  const orgAccess = (orgId: SQLWrapper) => sql`EXISTS (SELECT 1 FROM ${organizations} WHERE ${organizations.id} = ${orgId} AND ${accessCondition(ref)})`;
  const gates = [
    q.org && orgAccess(liveOrgIdOf(q.org)),
    q.project && level("project", childIdOf("project", q.project, q.org)),
    q.secret && level("secret", childIdOf("secret", q.secret, q.org)),
    q.jsonStore && level("jsonStore", childIdOf("jsonStore", q.jsonStore, q.org)),
    q.team && orgAccess(sql`(SELECT ${teams.orgId} FROM ${teams} WHERE ${teams.id} = ${childIdOf("team", q.team, q.org)})`),
  ].filter((gate): gate is SQL => Boolean(gate));
  if (gates.length === 0) return sql`${ref.isAdmin} = 1`;
  // READER on it now; and of an entry written while it was in another org (it moved since), access to
  // that org too: one lookup of the resource and its org per entry about one
  const about = (kind: GrantableKind, column: SQLWrapper) => {
    const r = GRANTABLE[kind].resource;
    return sql`(${column} IS NULL OR EXISTS (SELECT 1 FROM ${r} CROSS JOIN ${organizations}
      WHERE ${r.id} = ${column} AND ${organizations.id} = ${r.orgId} AND ${callerLevel(kind, ref)} >= ${sql.raw(String(LEVEL_RANK.READER))}
        AND (${auditLog.orgId} IS NULL OR ${auditLog.orgId} = ${r.orgId} OR ${orgAccess(auditLog.orgId)})))`;
  };
  // Two terms: the first reads only the caller and what the search names, so SQLite checks it once,
  // before reading any entry (a refused caller reads a few rows, not the log).
  return sql`(${ref.isAdmin} = 1 OR (${sql.join(gates, sql` AND `)}))
    AND (${ref.isAdmin} = 1 OR (${about("project", auditLog.projectId)} AND ${about("secret", auditLog.secretId)} AND ${about("jsonStore", auditLog.jsonStoreId)}))`;
}

/**
 * A page of entries, newest first (one more than `limit`: it tells there is a next page), with
 * their users. Filters go by the indexed id columns; dates become sequence bounds (entries are
 * written in time order) through the date index.
 */
export function searchAudit(db: Database, ref: CallerRef, q: AuditSearch) {
  const orgId = q.org ? orgIdOf(q.org) : undefined;
  const where = and(
    q.object ? eq(auditLog.object, q.object) : undefined,
    q.action ? eq(auditLog.action, q.action) : undefined,
    q.userId ? eq(auditLog.userId, q.userId) : undefined,
    q.username !== undefined ? sql`${auditLog.userId} = (SELECT ${users.id} FROM ${users} WHERE ${lowerEq(users.username, q.username)})` : undefined,
    orgId ? sql`${auditLog.orgId} = ${orgId}` : undefined,
    q.project ? sql`${auditLog.projectId} = ${childIdOf("project", q.project, q.org)}` : undefined,
    q.secret ? sql`${auditLog.secretId} = ${childIdOf("secret", q.secret, q.org)}` : undefined,
    q.jsonStore ? sql`${auditLog.jsonStoreId} = ${childIdOf("jsonStore", q.jsonStore, q.org)}` : undefined,
    q.team ? sql`${auditLog.teamId} = ${childIdOf("team", q.team, q.org)}` : undefined,
    q.cursor !== undefined ? lt(auditLog.seq, q.cursor) : undefined,
    q.before
      ? sql`${auditLog.seq} < coalesce((SELECT ${auditLog.seq} FROM ${auditLog} WHERE ${auditLog.entryDate} >= ${q.before}
          ORDER BY ${auditLog.entryDate}, ${auditLog.seq} LIMIT 1), 9e18)`
      : undefined,
    q.after
      ? sql`${auditLog.seq} > coalesce((SELECT ${auditLog.seq} FROM ${auditLog} WHERE ${auditLog.entryDate} <= ${q.after}
          ORDER BY ${auditLog.entryDate} DESC, ${auditLog.seq} DESC LIMIT 1), 0)`
      : undefined,
    mayRead(ref, q),
  );
  return db
    .select({
      seq: auditLog.seq,
      entryDate: auditLog.entryDate,
      action: auditLog.action,
      object: auditLog.object,
      details: auditLog.details,
      userId: sql<string | null>`${users.id}`.as("user_id_found"),
      username: users.username,
      userType: users.type,
      displayName: users.displayName,
    })
    .from(ref.table)
    .crossJoin(auditLog)
    .leftJoin(users, eq(users.id, auditLog.userId))
    .where(where)
    .orderBy(desc(auditLog.seq))
    .limit(q.limit + 1)
    .offset(q.offset);
}

/**
 * What the caller may do with an entity a non-administrator's search names: the entity's
 * visibility and the caller's level on it (teams: none), with its org's visibility and the caller's
 * access to that org. No row: no such entity.
 */
export function entityAccess(db: Database, ref: CallerRef, kind: keyof typeof CHILDREN, entity: EntityRef, org: EntityRef | undefined) {
  const t = CHILDREN[kind];
  const level = kind === "team" ? sql<number>`0` : callerLevel(kind, ref);
  return db
    .select({
      id: t.id,
      visibility: kind === "team" ? sql<"PUBLIC" | "PRIVATE">`'PRIVATE'`.as("visibility") : CHILDREN[kind].visibility,
      level: level.as("level"),
      orgVisibility: sql<"PUBLIC" | "PRIVATE">`${organizations.visibility}`.as("org_visibility"),
      orgAccess: sql<number>`${accessCondition(ref)} IS 1`.mapWith(Boolean).as("org_access"),
    })
    .from(ref.table)
    // the entity by its key first, then its org (CROSS JOIN keeps this order)
    .crossJoin(t)
    .crossJoin(organizations)
    .where(and(sql`${t.id} = ${childIdOf(kind, entity, org)}`, eq(organizations.id, t.orgId)));
}

/**
 * Deletes up to `chunk` of the oldest entries written before `cutoff` (by the date index); yields
 * how many it deleted. Retention calls it until fewer than `chunk` go (lib/retention.ts).
 */
export async function pruneAuditChunk(db: Database, cutoff: string, chunk: number): Promise<number> {
  const result = await db.run(
    sql`DELETE FROM ${auditLog} WHERE ${auditLog.seq} IN (SELECT ${auditLog.seq} FROM ${auditLog}
      WHERE ${auditLog.entryDate} < ${cutoff} ORDER BY ${auditLog.entryDate} LIMIT ${sql.raw(String(Math.trunc(chunk)))})`,
  );
  return result.meta.changes;
}
