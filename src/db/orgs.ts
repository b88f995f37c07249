/** Organization queries shared by the routers (one place per query). */
import { and, asc, eq, ne, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { callerMatches, type CallerRef } from "./caller";
import type { Database } from "./client";
import { organizations, teamMembers, teams, users } from "./schema";
import { prepared } from "./prepared";
import { contains, literal, lowerEq, nowIso } from "./sql";

/**
 * The caller belongs to the org through any of its teams. Nested so SQLite walks the org's few
 * teams and probes the (team_id, user_id) key, instead of all of the user's memberships per org.
 */
export const isOrgMember = (orgId: SQLWrapper, callerId: SQL) =>
  sql`EXISTS (SELECT 1 FROM ${teams} WHERE ${teams.orgId} = ${orgId} AND EXISTS (SELECT 1 FROM ${teamMembers}
      WHERE ${teamMembers.teamId} = ${teams.id} AND ${teamMembers.userId} = ${callerId}))`;

/** Administrator, the org's owner, or a member of any of its teams. */
const accessCondition = (orgId: SQLWrapper, ownerId: SQLWrapper, ref: CallerRef) =>
  callerMatches(ref, (id, isAdmin) => sql`${isAdmin} = 1 OR ${id} = ${ownerId} OR ${isOrgMember(orgId, id)}`);

/** Org access, inside a query on organizations. */
export const hasOrgAccess = (ref: CallerRef) => accessCondition(organizations.id, organizations.ownerId, ref);

/** Org access to the org of id `orgId`, inside a query on its children. */
export const hasAccessToOrg = (orgId: SQLWrapper, ref: CallerRef) =>
  accessCondition(orgId, sql`(SELECT ${organizations.ownerId} FROM ${organizations} WHERE ${organizations.id} = ${orgId})`, ref);

/** Columns of an org entry; every result column name is distinct, as D1 batches need. */
const orgEntryColumns = (ref: CallerRef) => ({
  id: organizations.id,
  name: organizations.name,
  visibility: organizations.visibility,
  meta: organizations.meta,
  cfg: organizations.cfg,
  ownerId: organizations.ownerId,
  ownerUsername: users.username,
  access: sql<number>`${hasOrgAccess(ref)}`.mapWith(Boolean).as("access"),
});

export type OrgRow = {
  id: string;
  name: string;
  visibility: "PUBLIC" | "PRIVATE";
  meta: string | null;
  cfg: string | null;
  ownerId: string | null;
  ownerUsername: string | null;
  access: boolean;
};

const selectOrgs = (db: Database, ref: CallerRef) =>
  db.select(orgEntryColumns(ref)).from(organizations).leftJoin(users, eq(users.id, organizations.ownerId));

const p = {
  org: sql.placeholder("org"),
  id: sql.placeholder("id"),
  name: sql.placeholder("name"),
  filter: sql.placeholder("filter"),
  after: sql.placeholder("after"),
  limit: sql.placeholder("limit"),
  offset: sql.placeholder("offset"),
};

const findOrgPrepared = prepared((db: Database, ref: CallerRef, by: "id" | "name") =>
  selectOrgs(db, ref)
    .where(by === "id" ? eq(organizations.id, p.org) : lowerEq(organizations.name, p.org)),
);

/** One org by name (case-insensitive) or id, with the caller's access to it. */
export const findOrg = (db: Database, ref: CallerRef, by: { name: string } | { id: string }) =>
  "id" in by ? findOrgPrepared(db, { org: by.id }, ref, "id") : findOrgPrepared(db, { org: by.name }, ref, "name");

const listOrgsPrepared = prepared(
  (db: Database, ref: CallerRef, onlyCurrent: boolean, filtered: boolean, afterCursor: boolean) => {
    const mine = callerMatches(ref, (id) => sql`${id} = ${organizations.ownerId} OR ${isOrgMember(organizations.id, id)}`);
    const visible = onlyCurrent ? mine : sql`(${organizations.visibility} = 'PUBLIC' OR ${hasOrgAccess(ref)})`;
    return selectOrgs(db, ref)
      .where(
        and(
          visible,
          filtered ? contains(organizations.name, p.filter) : undefined,
          // Served by the lower(name) index: a deep page costs what the first page costs.
          afterCursor ? sql`lower(${organizations.name}) > lower(${p.after})` : undefined,
        ),
      )
      .orderBy(asc(sql`lower(${organizations.name})`))
      .limit(p.limit)
      .offset(p.offset);
  },
);

/** A page of the orgs the caller may list, ordered by name case-insensitively; one extra row tells "more". */
export const listOrgs = (
  db: Database,
  ref: CallerRef,
  q: { onlyCurrent: boolean; offset: number; limit: number; filter?: string; after?: string },
) =>
  listOrgsPrepared(
    db,
    {
      filter: q.filter ?? null,
      after: q.after ?? null,
      limit: q.limit + 1,
      offset: q.offset,
    },
    ref,
    q.onlyCurrent,
    q.filter !== undefined,
    q.after !== undefined,
  );

const orgIdByNamePrepared = prepared((db: Database) =>
  db.select({ id: organizations.id }).from(organizations).where(lowerEq(organizations.name, p.name)),
);

export interface OrgChanges {
  name?: string;
  visibility?: "PUBLIC" | "PRIVATE";
  ownerId?: string;
  meta?: string;
  cfg?: string;
}

const CHANGEABLE = ["name", "visibility", "ownerId", "meta", "cfg"] as const;

/** The fields present in `changes`, as placeholders named after them, plus updated_at. */
const setOf = (fields: string) => ({
  ...Object.fromEntries(fields.split(",").filter(Boolean).map((f) => [f, sql.placeholder(f)])),
  updatedAt: nowIso,
});
const presentFields = (changes: OrgChanges) => CHANGEABLE.filter((f) => changes[f] !== undefined).join(",");

const updateOrgPrepared = prepared((db: Database, fields: string) =>
  db.update(organizations).set(setOf(fields)).where(eq(organizations.id, p.id)).returning({ id: organizations.id }),
);

export const updateOrgById = (db: Database, id: string, changes: OrgChanges) =>
  updateOrgPrepared(db, { ...changes, id }, presentFields(changes));

const insertOrgPrepared = prepared((db: Database) =>
  db
    .insert(organizations)
    .values({
      id: p.id,
      name: p.name,
      visibility: sql.placeholder("visibility"),
      ownerId: sql.placeholder("ownerId"),
      meta: sql.placeholder("meta"),
      cfg: sql.placeholder("cfg"),
    })
    .onConflictDoNothing(),
);

// INSERT ... SELECT: rows appear only if this request's org row was inserted by the statement above.
const insertDefaultTeamPrepared = prepared((db: Database) =>
  db.insert(teams).select(
    db
      .select({
        id: literal(sql.placeholder("teamId"), "id"),
        orgId: organizations.id,
        name: literal("default", "name"),
        description: literal("Default team", "description"),
        createdAt: nowIso.as("created_at"),
        updatedAt: nowIso.as("updated_at"),
      })
      .from(organizations)
      .where(eq(organizations.id, p.id)),
  ),
);

const insertDefaultTeamOwnerPrepared = prepared((db: Database) =>
  db.insert(teamMembers).select(
    db
      .select({
        teamId: teams.id,
        userId: literal(sql.placeholder("ownerId"), "user_id"),
        role: literal("OWNER", "role"),
        createdAt: nowIso.as("created_at"),
      })
      .from(teams)
      .where(and(eq(teams.id, sql.placeholder("teamId")), sql`${sql.placeholder("ownerId")} IS NOT NULL`)),
  ),
);

const updateOrgByNamePrepared = prepared((db: Database, fields: string) =>
  db
    .update(organizations)
    .set(setOf(fields))
    .where(and(lowerEq(organizations.name, p.name), ne(organizations.id, p.id))),
);

/**
 * Creates an org with its `default` team (owner as OWNER) unless one of that name exists, in which
 * case `changesIfExists` (the fields the client sent) are applied to it instead: Concord updates by
 * name. One atomic batch: the unique name index decides between concurrent creators and none fails.
 * The batch's last statement yields the id of the org now holding that name.
 */
export function createOrgBatch(
  db: Database,
  org: { id: string; name: string; visibility: "PUBLIC" | "PRIVATE"; ownerId: string | null; meta?: string; cfg?: string },
  changesIfExists: Omit<OrgChanges, "name">,
) {
  const values = { ...org, meta: org.meta ?? null, cfg: org.cfg ?? null, teamId: crypto.randomUUID() };
  return [
    insertOrgPrepared(db, values),
    insertDefaultTeamPrepared(db, values),
    insertDefaultTeamOwnerPrepared(db, values),
    updateOrgByNamePrepared(db, { ...changesIfExists, id: org.id, name: org.name }, presentFields(changesIfExists)),
    orgIdByNamePrepared(db, { name: org.name }),
  ] as const;
}

const deleteOrgPrepared = prepared((db: Database, ref: CallerRef) =>
  db
    .delete(organizations)
    .where(and(lowerEq(organizations.name, p.name), sql`${ref.isAdmin} = 1`))
    .returning({ id: organizations.id }),
);

/**
 * Deletes the org of that name if the caller is an administrator (the check travels inside the
 * DELETE: one round trip, nothing deleted for anyone else); the foreign keys cascade to everything
 * it owns. Yields its id, or no row.
 */
export const deleteOrgAsAdmin = (db: Database, ref: CallerRef, name: string) => deleteOrgPrepared(db, { name }, ref);

/**
 * The id of the org named in the request's path (`/org/{orgName}/...`), as a scalar subquery on the
 * placeholder `orgName`, which `batchInOrg` binds: child queries share the org lookup's batch, and
 * their SQL is built once per isolate (db/prepared.ts).
 */
export const ORG_ID = sql<string>`(SELECT ${organizations.id} FROM ${organizations}
  WHERE ${lowerEq(organizations.name, sql.placeholder("orgName"))})`;
