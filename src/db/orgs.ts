/** Organization queries shared by the routers (one place per query). */
import { and, asc, eq, ne, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { organizations, teamMembers, teams, users } from "./schema";
import { containsPattern, literal, lowerEq, nowIso } from "./sql";

/** The caller belongs to the org through any of its teams. */
export const isOrgMember = (orgId: SQLWrapper, callerId: SQL) =>
  sql`EXISTS (SELECT 1 FROM ${teamMembers} INNER JOIN ${teams} ON ${teams.id} = ${teamMembers.teamId}
      WHERE ${teams.orgId} = ${orgId} AND ${teamMembers.userId} = ${callerId})`;

/** Administrator, the org's owner, or a member of any of its teams (inside a query on organizations). */
export const hasOrgAccess = (ref: CallerRef) =>
  sql`(${ref.isAdmin} = 1 OR ${organizations.ownerId} = ${ref.id} OR ${isOrgMember(organizations.id, ref.id)})`;

/** The same, for the org of id `orgId` (inside a query on its children). */
export const hasAccessToOrg = (orgId: SQLWrapper, ref: CallerRef) =>
  sql`(${ref.isAdmin} = 1
       OR (SELECT ${organizations.ownerId} FROM ${organizations} WHERE ${organizations.id} = ${orgId}) = ${ref.id}
       OR ${isOrgMember(orgId, ref.id)})`;

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

/** One org by name (case-insensitive) or id, with the caller's access to it. */
export const findOrg = (db: Database, ref: CallerRef, by: { name: string } | { id: string }) =>
  selectOrgs(db, ref)
    .where("id" in by ? eq(organizations.id, by.id) : lowerEq(organizations.name, by.name))
    .limit(1);

/** A page of the orgs the caller may list, ordered by name case-insensitively; one extra row tells "more". */
export const listOrgs = (
  db: Database,
  ref: CallerRef,
  q: { onlyCurrent: boolean; offset: number; limit: number; filter?: string; after?: string },
) => {
  const mine = sql`(${organizations.ownerId} = ${ref.id} OR ${isOrgMember(organizations.id, ref.id)})`;
  const visible = q.onlyCurrent ? mine : sql`(${ref.isAdmin} = 1 OR ${organizations.visibility} = 'PUBLIC' OR ${mine})`;
  return selectOrgs(db, ref)
    .where(
      and(
        visible,
        q.filter ? containsPattern(organizations.name, q.filter) : undefined,
        // Served by the lower(name) index: a deep page costs what the first page costs.
        q.after !== undefined ? sql`lower(${organizations.name}) > lower(${q.after})` : undefined,
      ),
    )
    .orderBy(asc(sql`lower(${organizations.name})`))
    .limit(q.limit + 1)
    .offset(q.offset);
};

export const orgIdByName = (db: Database, name: string) =>
  db.select({ id: organizations.id }).from(organizations).where(lowerEq(organizations.name, name)).limit(1);

export interface OrgChanges {
  name?: string;
  visibility?: "PUBLIC" | "PRIVATE";
  ownerId?: string;
  meta?: string;
  cfg?: string;
}

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
 * The batch's last statement yields the id of the org now holding that name.
 */
export function createOrgBatch(
  db: Database,
  org: { id: string; name: string; visibility: "PUBLIC" | "PRIVATE"; ownerId: string | null; meta?: string; cfg?: string },
  changesIfExists: Omit<OrgChanges, "name">,
) {
  const teamId = crypto.randomUUID();
  return [
    db.insert(organizations).values(org).onConflictDoNothing(),
    // INSERT ... SELECT: rows appear only if this request's org row was inserted above.
    db.insert(teams).select(
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
    db.insert(teamMembers).select(
      db
        .select({
          teamId: teams.id,
          userId: literal(org.ownerId, "user_id"),
          role: literal("OWNER", "role"),
          createdAt: nowIso.as("created_at"),
        })
        .from(teams)
        .where(and(eq(teams.id, teamId), sql`${org.ownerId} IS NOT NULL`)),
    ),
    db
      .update(organizations)
      .set({ ...changesIfExists, updatedAt: nowIso })
      .where(and(lowerEq(organizations.name, org.name), ne(organizations.id, org.id))),
    orgIdByName(db, org.name),
  ] as const;
}

/** The id of the org of that name, as a scalar subquery: lets child queries share the org lookup's batch. */
export const orgIdOf = (orgName: string) =>
  sql<string>`(SELECT ${organizations.id} FROM ${organizations} WHERE ${lowerEq(organizations.name, orgName)})`;
