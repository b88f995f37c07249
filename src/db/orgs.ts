/** Organization queries shared by the routers (one place per query). */
import { and, eq, inArray, ne, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { SelectedFields } from "drizzle-orm/sqlite-core";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import type { ChangedField } from "./sql";
import {
  jsonStoreItems,
  jsonStores,
  jsonStoreTeamAccess,
  organizations,
  orgNameTrigrams,
  orgTrigramCounts,
  projects,
  projectTeamAccess,
  repositories,
  secrets,
  secretTeamAccess,
  teamMembers,
  teams,
  users,
  type AccessLevel,
} from "./schema";
import { byLowerName, compareNames, literal, lowerEq, nowIso, pageOfNames, type Page } from "./sql";

/** The id of the org of that name (case-insensitive), as a value: children of the path's org are found by it. */
export const orgIdNamed = (name: string) =>
  sql<string>`(SELECT ${organizations.id} FROM ${organizations} WHERE ${lowerEq(organizations.name, name)})`;

/** What a query under /org/{orgName} is built from (lib/access.ts batchInOrg gives it). */
export interface OrgScope {
  caller: CallerRef;
  /** the path's org name */
  orgName: string;
  /** the id of the path's org, as a value (`orgIdNamed`) */
  orgId: SQL<string>;
}

/** The user is in any team of the org: one probe of the (user_id, org_id) index. */
const isOrgMember = (orgId: SQLWrapper, userId: SQLWrapper) =>
  sql`EXISTS (SELECT 1 FROM ${teamMembers} WHERE ${teamMembers.userId} = ${userId} AND ${teamMembers.orgId} = ${orgId})`;

/** Administrator, the org's owner, or a member of any of its teams: within a query on `caller` and `organizations`. */
export const accessCondition = (ref: CallerRef) =>
  sql`(${ref.isAdmin} = 1 OR ${ref.id} = ${organizations.ownerId} OR ${isOrgMember(organizations.id, ref.id)})`;

/**
 * Reads under an org start `FROM caller CROSS JOIN organizations` with one of these conditions: the
 * caller and org rows are read first (SQLite keeps that order), and nothing else is read unless the
 * caller may see what the query is about. An unknown key, or an outsider of a PRIVATE org, reads
 * one or two rows, not the org's children.
 */
export const fromCallerAndOrg = <T extends SelectedFields>(db: Database, s: OrgScope, fields: T) =>
  db.select(fields).from(s.caller.table).crossJoin(organizations);

/** The path's org, if the caller may see it (PUBLIC, or org access). */
export const visibleOrg = (s: OrgScope) =>
  sql`${lowerEq(organizations.name, s.orgName)} AND (${organizations.visibility} = 'PUBLIC' OR ${accessCondition(s.caller)} IS 1)`;

/** The three kinds of resource a team can be granted access to, with their tables. */
export const GRANTABLE = {
  project: { resource: projects, grants: projectTeamAccess },
  secret: { resource: secrets, grants: secretTeamAccess },
  jsonStore: { resource: jsonStores, grants: jsonStoreTeamAccess },
} as const;
export type GrantableKind = keyof typeof GRANTABLE;

/** A level as a number, so that "at least" is `>=` and "the highest" is max(): none 0, READER 1, WRITER 2, OWNER 3. */
export const LEVEL_RANK = { READER: 1, WRITER: 2, OWNER: 3 } as const satisfies Record<AccessLevel, number>;

const rankOf = (level: SQLWrapper) =>
  sql`CASE ${level} WHEN 'OWNER' THEN ${sql.raw(String(LEVEL_RANK.OWNER))} WHEN 'WRITER' THEN ${sql.raw(String(LEVEL_RANK.WRITER))} WHEN 'READER' THEN ${sql.raw(String(LEVEL_RANK.READER))} END`;

/**
 * The highest level granted on the resource to any team the caller belongs to (0 without one), as a
 * column, in a query on `caller` and the resource's table: from the caller's memberships in the
 * resource's org (the (user_id, org_id) index), each checked against the grants' primary key, so
 * it costs what the caller belongs to, not how many teams the resource is granted to.
 */
export const grantedLevel = (kind: GrantableKind, ref: CallerRef) => {
  const { resource: r, grants: g } = GRANTABLE[kind];
  return sql<number>`coalesce((SELECT max(${rankOf(g.level)}) FROM ${teamMembers} CROSS JOIN ${g}
    WHERE ${teamMembers.userId} = ${ref.id} AND ${teamMembers.orgId} = ${r.orgId}
      AND ${g.resourceId} = ${r.id} AND ${g.teamId} = ${teamMembers.teamId}), 0)`;
};

/** Administrators and the org's owner: they hold OWNER on everything in the org. */
const orgAdminCondition = (ref: CallerRef) => sql`(${ref.isAdmin} = 1 OR ${ref.id} = ${organizations.ownerId})`;

/**
 * The caller's level on a resource of the org, as a number (0 none, then LEVEL_RANK), in a query on
 * `caller`, `organizations` and the resource's table. This is the one definition of Concord's
 * decision as this API applies it (README, "Access inside an org"): administrators, the resource's
 * owner and the org's owner hold OWNER; anyone else the highest level granted to one of their
 * teams, and the org's members at least READER on a PUBLIC resource. PUBLIC never means writable.
 */
export const callerLevel = (kind: GrantableKind, ref: CallerRef) => {
  const r = GRANTABLE[kind].resource;
  // CASE, not OR or max(): SQLite evaluates every operand of those, and a CASE stops at the first match.
  return sql<number>`(CASE WHEN ${holdsOwnership(kind, ref)} THEN ${sql.raw(String(LEVEL_RANK.OWNER))}
    WHEN ${r.visibility} = 'PUBLIC' AND ${isOrgMember(organizations.id, ref.id)} THEN max(1, ${grantedLevel(kind, ref)})
    ELSE ${grantedLevel(kind, ref)} END)`;
};

/** 1 for administrators, the resource's owner and the org's owner (OWNER by position, not by a grant), else 0. */
export const holdsOwnership = (kind: GrantableKind, ref: CallerRef) =>
  sql<number>`(${orgAdminCondition(ref)} IS 1 OR ${GRANTABLE[kind].resource.ownerId} IS ${ref.id})`;

/** The caller may know the resource exists (lib/access.ts canSeeResource): READER on it, or it and its org are PUBLIC. */
export const seesResource = (kind: GrantableKind, ref: CallerRef) =>
  sql`(CASE WHEN ${organizations.visibility} = 'PUBLIC' AND ${GRANTABLE[kind].resource.visibility} = 'PUBLIC' THEN 1
    ELSE ${callerLevel(kind, ref)} >= ${sql.raw(String(LEVEL_RANK.READER))} END)`;

/**
 * Where the path's org's children named by id or name (case-insensitive) are, however many (one
 * JSON parameter each), in a read `FROM caller CROSS JOIN organizations CROSS JOIN <children>`: two
 * conditions for two index lookups joined by UNION ALL (an OR of the two would walk the org's children).
 */
export function byIdsOrNames(s: OrgScope, kind: GrantableKind, ids: string[], names: string[]): [SQL, SQL] {
  const r = GRANTABLE[kind].resource;
  const org = lowerEq(organizations.name, s.orgName);
  return [
    // `+org_id`: not an index choice, so SQLite looks the ids up by primary key instead of walking the org's children.
    sql`${org} AND +${r.orgId} = ${organizations.id} AND ${r.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
    sql`${org} AND ${r.orgId} = ${organizations.id} AND lower(${r.name}) IN (SELECT lower(value) FROM json_each(${JSON.stringify(names)}))`,
  ];
}

/** Which rows of a name-ordered read to fetch: a page cut in SQL, or the first rows for a merge in the Worker. */
export interface Window {
  limit: number;
  offset: number;
}

/**
 * A page of an org's children (projects, secrets or JSON stores) that the caller may see, as reads
 * that each touch only rows they return, gated on the caller and org rows alone (SQLite checks such
 * a gate once, before reading any child), so that at most one group returns rows:
 * - `all`: administrators and the org's owner see every child (the page cut in SQL);
 * - `public`: the org's other members see its PUBLIC children, and everyone else those of a PUBLIC
 *   org (by the (org, visibility, name) index);
 * - `private`: the PRIVATE ones granted to one of the caller's teams (from its memberships and the
 *   grants) or owned by the caller (by the owner index).
 * All but `all` read offset + limit + 1 rows each, merged by `mergeChildren`.
 * `page(where, window)` is the name-ordered read `FROM caller CROSS JOIN organizations CROSS JOIN
 * <children>` with `where` (the org by name, the children of that org, and the gate) in its WHERE,
 * cut to `window`.
 */
export function readableChildren<Q>(s: OrgScope, kind: GrantableKind, q: Window, page: (where: SQL, window: Window) => Q) {
  const { resource: child, grants } = GRANTABLE[kind];
  const org = lowerEq(organizations.name, s.orgName);
  const orgAdmin = orgAdminCondition(s.caller);
  const inSql = { limit: q.limit + 1, offset: q.offset };
  const forMerge = { limit: q.offset + q.limit + 1, offset: 0 };
  const ofOrg = sql`${child.orgId} = ${organizations.id}`;
  // `+column`: not an index choice, so that SQLite reads these by what they are about (grants, owner).
  const privateOnes = sql`+${child.orgId} = ${organizations.id} AND +${child.visibility} = 'PRIVATE'`;
  // Granted to one of the caller's teams (from its memberships and the grants), or its own (by the
  // owner index; also when it no longer belongs to any team of the org): the ids, then each row by
  // primary key. (An OR of the two on the children would walk every child of the org.)
  const grantedOrOwned = sql`${child.id} IN (SELECT ${grants.resourceId} FROM ${teamMembers}
    INNER JOIN ${grants} ON ${grants.teamId} = ${teamMembers.teamId}
    WHERE ${teamMembers.userId} = ${s.caller.id} AND ${teamMembers.orgId} = ${organizations.id}
    UNION ALL SELECT ${child.id} FROM ${child} WHERE ${child.ownerId} = ${s.caller.id})`;
  return {
    all: page(sql`${org} AND ${orgAdmin} IS 1 AND ${ofOrg}`, inSql),
    // Members see the PUBLIC children of any org, others those of a PUBLIC org.
    public: page(
      sql`${org} AND ${orgAdmin} IS NOT 1 AND (${organizations.visibility} = 'PUBLIC' OR ${isOrgMember(organizations.id, s.caller.id)})
        AND ${ofOrg} AND ${child.visibility} = 'PUBLIC'`,
      forMerge,
    ),
    private: page(sql`${org} AND ${orgAdmin} IS NOT 1 AND ${privateOnes} AND ${grantedOrOwned}`, forMerge),
  };
}

/** The rows to page (see pageOf) from the reads of `readableChildren`: one row past the page tells "more". */
export function mergeChildren<T extends { id: string; name: string }>(rows: { all: T[]; public: T[]; private: T[] }, q: Window): T[] {
  if (rows.all.length) return rows.all;
  const byId = new Map<string, T>();
  for (const row of [...rows.public, ...rows.private]) byId.set(row.id, row);
  return [...byId.values()].sort((a, b) => compareNames(a.name, b.name)).slice(q.offset, q.offset + q.limit + 1);
}

/** Columns of an org entry; every result column name is distinct, as D1 batches need. */
const orgEntryColumns = {
  id: organizations.id,
  name: organizations.name,
  visibility: organizations.visibility,
  meta: organizations.meta,
  cfg: organizations.cfg,
  ownerId: organizations.ownerId,
  ownerUsername: sql<string | null>`${users.username}`.as("owner_username"),
  version: sql<number>`${organizations.version}`.as("org_version"),
};

export type OrgRow = {
  id: string;
  name: string;
  visibility: "PUBLIC" | "PRIVATE";
  meta: string | null;
  cfg: string | null;
  ownerId: string | null;
  ownerUsername: string | null;
  /** for If-Match (lib/if-match.ts) */
  version: number;
  /** the caller is an administrator, the owner, or a member of one of its teams */
  access: boolean;
};

/** Orgs with their owner's name, for the caller (an unknown key's `caller` has no row: nothing is read). */
const selectOrgs = (db: Database, ref: CallerRef, access: SQL) =>
  db
    .select({ ...orgEntryColumns, access: sql<number>`(${access}) IS 1`.mapWith(Boolean).as("access") })
    .from(ref.table)
    .crossJoin(organizations)
    .leftJoin(users, eq(users.id, organizations.ownerId));

/** The caller's own orgs: the owner is the caller, so no owner row is read (mergeOrgLists names it). */
const selectOwnedOrgs = (db: Database, ref: CallerRef) =>
  db
    .select({ ...orgEntryColumns, ownerUsername: sql<string | null>`NULL`.as("owner_username"), access: sql<number>`1`.mapWith(Boolean).as("access") })
    .from(ref.table)
    .crossJoin(organizations);

/** One org by name (case-insensitive) or id, with the caller's access to it. */
export const findOrg = (db: Database, ref: CallerRef, by: { name: string } | { id: string }) =>
  selectOrgs(db, ref, accessCondition(ref)).where(
    "id" in by ? eq(organizations.id, by.id) : lowerEq(organizations.name, by.name),
  );

export interface OrgListQuery extends Page {
  onlyCurrent: boolean;
}

/**
 * The orgs a caller may list, as separate name-ordered reads that each touch only rows they return:
 * - `all`: every org, for administrators (gated on the caller row, so it reads nothing for others);
 * - `visible`: PUBLIC orgs, for everyone else (the (visibility, lower(name)) index);
 * - `owned`: the caller's own orgs (the (owner_id, lower(name)) index);
 * - `member`: the orgs of the caller's teams (the (user_id, org_id) membership index).
 * With a `filter` of 3 characters or more, `all` and `visible` come in two forms, of which at most
 * one reads (see `nameFilter`): by the substring index, or by the name index as without a filter.
 * The others read at most offset + limit + 1 rows each; `mergeOrgLists` makes the page. With `onlyCurrent`
 * only owned and member orgs are listed, for administrators too (as Concord).
 * With `isAdmin` (known, or expected: lib/access.ts readAsCallerGuessingAdmin) the reads that would
 * not apply are not sent; every read stays gated on the caller row, so an expectation cannot widen them.
 */
export function listOrgs(db: Database, ref: CallerRef, q: OrgListQuery, isAdmin?: boolean) {
  const n = q.offset + q.limit + 1;
  const inPage = (where: SQL | undefined) => and(where, pageOfNames(organizations.name, q));
  const page = (where: SQL | undefined, limit = n, offset = 0) =>
    selectOrgs(db, ref, sql`1`).where(inPage(where)).orderBy(byLowerName(organizations.name)).limit(limit).offset(offset);
  const ownedPage = (where: SQL | undefined) =>
    selectOwnedOrgs(db, ref).where(inPage(where)).orderBy(byLowerName(organizations.name)).limit(n);
  const asAdmin = isAdmin === true;
  const asOther = isAdmin === false;
  // Gates on the caller row alone: SQLite checks them once, before reading any org.
  const admin = sql`${ref.isAdmin} = 1`;
  const other = sql`${ref.isAdmin} = 0`;
  const mine = (condition: SQL) => (q.onlyCurrent ? condition : and(other, condition));
  const memberOrgIds = db
    .selectDistinct({ orgId: teamMembers.orgId })
    .from(teamMembers)
    .where(eq(teamMembers.userId, sql`${ref.id}`));
  const filter = q.filter !== undefined ? nameFilter(db, ref, q.filter, n) : undefined;
  const indexed = (where: SQL) => (filter ? and(where, filter.byIndex) : undefined);
  const scanned = (where: SQL) => (filter ? and(where, filter.byScan) : where);
  const sendsAll = !q.onlyCurrent && !asOther;
  const sendsVisible = !q.onlyCurrent && !asAdmin;
  return {
    // Only an administrator's reads return rows when these do, so they page in SQL: a deep
    // `offset` is skipped by SQLite, not carried to the Worker.
    all: sendsAll ? page(scanned(admin), q.limit + 1, q.offset) : undefined,
    allIndexed: sendsAll && filter ? page(indexed(admin), q.limit + 1, q.offset) : undefined,
    visible: sendsVisible ? page(scanned(and(other, eq(organizations.visibility, "PUBLIC"))!)) : undefined,
    // `+visibility`: the org ids of the index drive this read, not the visibility index.
    visibleIndexed: sendsVisible && filter ? page(indexed(sql`${other} AND +${organizations.visibility} = 'PUBLIC'`)) : undefined,
    owned: !q.onlyCurrent && asAdmin ? undefined : ownedPage(mine(sql`${organizations.ownerId} = ${ref.id}`)),
    member: !q.onlyCurrent && asAdmin ? undefined : page(mine(inArray(organizations.id, memberOrgIds))),
  };
}

/** Trigrams looked up per filter: any of a filter's trigrams narrows it, so a few spread over it do. */
const MAX_TRIGRAMS = 8;

/**
 * Distinct 3-character pieces of a filter, lower-cased as SQLite's lower() does (ASCII only): all of
 * them, or `MAX_TRIGRAMS` spread from its start to its end.
 */
function trigramsOf(filter: string): string[] {
  const chars = Array.from(filter.replace(/[A-Z]/g, (c) => c.toLowerCase())); // code points, as substr() counts
  const all = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) all.add(chars.slice(i, i + 3).join(""));
  const trigrams = [...all];
  if (trigrams.length <= MAX_TRIGRAMS) return trigrams;
  return Array.from({ length: MAX_TRIGRAMS }, (_, i) => trigrams[Math.round((i * (trigrams.length - 1)) / (MAX_TRIGRAMS - 1))]!);
}

/**
 * How a name filter of 3 characters or more is answered: every name containing it contains each of
 * its trigrams, so the orgs listed under its rarest trigram (org_name_trigrams) are the candidates,
 * and `instr` keeps those that contain the filter. The candidates cost about 4 rows each; walking
 * the name index until the page's `rows` are found costs at least rows * orgs / candidates. So the
 * index is used when 4 * candidates^2 <= rows * orgs (a rare filter), the name index otherwise (a
 * common one, or a deep offset). Both gates are on the caller row (SQLite checks them once):
 * `byIndex` adds the candidate condition, `byScan` is the other case; if any trigram is in no org,
 * nothing matches and neither reads. Shorter filters have no trigram: they walk the name index.
 */
function nameFilter(db: Database, ref: CallerRef, filter: string, rows: number) {
  const trigrams = trigramsOf(filter);
  if (trigrams.length === 0) return undefined;
  const ofFilter = and(inArray(orgTrigramCounts.trigram, trigrams), sql`${orgTrigramCounts.orgs} > 0`);
  // The count under the empty trigram is the number of orgs (migration 0007).
  const orgs = sql`(SELECT ${orgTrigramCounts.orgs} FROM ${orgTrigramCounts} WHERE ${orgTrigramCounts.trigram} = '')`;
  // 1: by the index, 0: by the name index, -1: one of the trigrams is in no org (nothing matches).
  // Without the count of orgs the index is not there (being rebuilt): the name index answers.
  const plan = sql`(SELECT CASE WHEN ${orgs} IS NULL THEN 0 WHEN count(*) < ${trigrams.length} THEN -1
      WHEN 4 * min(${orgTrigramCounts.orgs}) * min(${orgTrigramCounts.orgs}) <= ${rows} * ${orgs} THEN 1 ELSE 0 END
    FROM ${orgTrigramCounts} WHERE ${ofFilter})`;
  const rarestTrigram = sql`(SELECT ${orgTrigramCounts.trigram} FROM ${orgTrigramCounts} WHERE ${ofFilter}
    ORDER BY ${orgTrigramCounts.orgs} LIMIT 1)`;
  const candidates = db.select({ orgId: orgNameTrigrams.orgId }).from(orgNameTrigrams).where(eq(orgNameTrigrams.trigram, rarestTrigram));
  // One CASE per gate: it names the caller, so SQLite evaluates it at the caller's row, once.
  const gate = (useIndex: boolean) => sql`(CASE WHEN ${ref.id} IS NULL THEN -1 ELSE ${plan} END) = ${useIndex ? 1 : 0}`;
  return { byIndex: and(gate(true), inArray(organizations.id, candidates))!, byScan: gate(false) };
}

type ListedOrg = Omit<OrgRow, "access">;

/**
 * The page of orgs from `listOrgs`' reads: the administrator's read is the page itself (paged in
 * SQL); otherwise the union of the others in name order, rows [offset, offset + limit] (the extra
 * row tells "more"). An org is accessible if the owned or the member read listed it: each read is in
 * name order and as long as the page, so one on the page is in it.
 * `caller` names the owner of the owned orgs.
 */
export function mergeOrgLists(
  lists: {
    all?: ListedOrg[];
    allIndexed?: ListedOrg[];
    visible?: ListedOrg[];
    visibleIndexed?: ListedOrg[];
    owned?: ListedOrg[];
    member?: ListedOrg[];
  },
  q: { offset: number; limit: number },
  caller: { username: string },
): OrgRow[] {
  const all = lists.all?.length ? lists.all : (lists.allIndexed ?? []); // at most one of them has rows
  if (all.length) return all.map((org) => ({ ...org, access: true }));
  const visible = [...(lists.visible ?? []), ...(lists.visibleIndexed ?? [])];
  const byId = new Map<string, OrgRow>();
  for (const org of lists.owned ?? []) byId.set(org.id, { ...org, ownerUsername: caller.username, access: true });
  for (const [list, access] of [[lists.member, true], [visible, false]] as const) {
    for (const org of list ?? []) if (!byId.has(org.id)) byId.set(org.id, { ...org, access });
  }
  return [...byId.values()].sort((a, b) => compareNames(a.name, b.name)).slice(q.offset, q.offset + q.limit + 1);
}

export interface OrgChanges {
  name?: string;
  visibility?: "PUBLIC" | "PRIVATE";
  ownerId?: string;
  meta?: string;
  cfg?: string;
}

/** The fields an org update may change, for its audit entry's `changes` (db/audit.ts). */
export const orgChangedFields = (changes: OrgChanges): ChangedField[] => [
  ["name", organizations.name, changes.name],
  ["visibility", organizations.visibility, changes.visibility],
  ["ownerId", organizations.ownerId, changes.ownerId],
  ["meta", organizations.meta, changes.meta, "json"],
  ["cfg", organizations.cfg, changes.cfg, "json"],
];

/**
 * For the audit entry of an org's deletion (read before the delete): how many rows of each kind go
 * with it, each counted by an index that starts with its parent (the cascade reads them anyway).
 */
export const orgContentsCounts = (orgId: SQLWrapper) =>
  sql`json_object(
    'teams', (SELECT count(*) FROM ${teams} WHERE ${teams.orgId} = ${orgId}),
    'teamMembers', (SELECT count(*) FROM ${teamMembers} WHERE ${teamMembers.teamId} IN (SELECT ${teams.id} FROM ${teams} WHERE ${teams.orgId} = ${orgId})),
    'projects', (SELECT count(*) FROM ${projects} WHERE ${projects.orgId} = ${orgId}),
    'repositories', (SELECT count(*) FROM ${repositories} WHERE ${repositories.projectId} IN (SELECT ${projects.id} FROM ${projects} WHERE ${projects.orgId} = ${orgId})),
    'secrets', (SELECT count(*) FROM ${secrets} WHERE ${secrets.orgId} = ${orgId}),
    'jsonStores', (SELECT count(*) FROM ${jsonStores} WHERE ${jsonStores.orgId} = ${orgId}),
    'jsonStoreItems', (SELECT count(*) FROM ${jsonStoreItems} WHERE ${jsonStoreItems.storeId} IN (SELECT ${jsonStores.id} FROM ${jsonStores} WHERE ${jsonStores.orgId} = ${orgId})))`;

export const updateOrgById = (db: Database, id: string, changes: OrgChanges) =>
  db
    .update(organizations)
    .set({ ...changes, updatedAt: nowIso })
    .where(eq(organizations.id, id))
    .returning({ id: organizations.id });

/**
 * Creates an org with its `default` team (owner as OWNER) unless one of that name exists, in which
 * case `changesIfExists` (the fields the client sent) are applied to it instead: Concord updates by
 * name. One atomic batch: the unique name index decides between concurrent creators and none fails.
 * `holder` yields the id of the org now holding that name.
 */
export function createOrgBatch(
  db: Database,
  org: { id: string; name: string; visibility: "PUBLIC" | "PRIVATE"; ownerId: string | null; meta?: string; cfg?: string },
  changesIfExists: Omit<OrgChanges, "name">,
) {
  const teamId = crypto.randomUUID();
  return {
    org: db.insert(organizations).values(org).onConflictDoNothing(),
    // INSERT ... SELECT: rows appear only if this request's org row was inserted by the statement above.
    team: db.insert(teams).select(
      db
        .select({
          id: literal(teamId, "id"),
          orgId: organizations.id,
          name: literal("default", "name"),
          description: literal("Default team", "description"),
          createdAt: nowIso.as("created_at"),
          updatedAt: nowIso.as("updated_at"),
        })
        .from(organizations)
        .where(eq(organizations.id, org.id)),
    ),
    owner: db.insert(teamMembers).select(
      db
        .select({
          teamId: teams.id,
          userId: literal(org.ownerId, "user_id"),
          orgId: teams.orgId,
          role: literal("OWNER", "role"),
          createdAt: nowIso.as("created_at"),
        })
        .from(teams)
        .where(and(eq(teams.id, teamId), sql`${org.ownerId} IS NOT NULL`)),
    ),
    updated: db
      .update(organizations)
      .set({ ...changesIfExists, updatedAt: nowIso })
      .where(and(lowerEq(organizations.name, org.name), ne(organizations.id, org.id))),
    holder: db.select({ id: organizations.id }).from(organizations).where(lowerEq(organizations.name, org.name)),
  };
}

/**
 * Deletes the org of that name if the caller is an administrator (the check travels inside the
 * DELETE: nothing deleted for anyone else); the foreign keys cascade to everything it owns.
 * Yields its id, or no row.
 */
export const deleteOrgAsAdmin = (db: Database, adminFlag: SQL, name: string) =>
  db
    .delete(organizations)
    .where(and(lowerEq(organizations.name, name), sql`${adminFlag} = 1`))
    .returning({ id: organizations.id });
