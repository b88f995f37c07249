/**
 * Team grants on projects, secrets and JSON stores (Concord's PROJECT_TEAM_ACCESS and its two
 * siblings): what a team may do with one resource, READER < WRITER < OWNER.
 */
import { and, eq, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Database } from "./client";
import { callerLevel, fromCallerAndOrg, GRANTABLE, seesResource, type GrantableKind, type OrgScope } from "./orgs";
import { organizations, teams, type AccessLevel } from "./schema";
import { lowerEq } from "./sql";

/**
 * The grants on the path's org's resource of that name with their teams' names (unordered), if the
 * caller may see the resource: one row per grant, or one row without a team for a resource without
 * grants; no row when there is no such resource or the caller may not see it. The caller's right
 * is checked once, on the resource's row, before its grants are read.
 */
export const listGrants = (db: Database, s: OrgScope, kind: GrantableKind, name: string) => {
  const { resource: r, grants: g } = GRANTABLE[kind];
  return fromCallerAndOrg(db, s, { teamId: g.teamId, teamName: teams.name, level: g.level })
    .crossJoin(r)
    .leftJoin(g, eq(g.resourceId, r.id))
    .leftJoin(teams, eq(teams.id, g.teamId))
    .where(and(lowerEq(organizations.name, s.orgName), eq(r.orgId, organizations.id), lowerEq(r.name, name), seesResource(kind, s.caller)));
};

/**
 * Teams of the org named by id or name (case-insensitive), however many: one JSON parameter each.
 * Two index lookups joined by UNION ALL (an OR of the two would scan the org's teams).
 */
export const findTeamsByRefs = (db: Database, orgId: SQLWrapper, ids: string[], names: string[]) => {
  const select = () => db.select({ id: teams.id, name: teams.name }).from(teams);
  return select()
    .where(and(sql`+${teams.orgId} = ${orgId}`, sql`${teams.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`))
    .unionAll(
      select().where(and(eq(teams.orgId, orgId), sql`lower(${teams.name}) IN (SELECT lower(value) FROM json_each(${JSON.stringify(names)}))`)),
    );
};

export interface Grant {
  teamId: string;
  level: AccessLevel;
}

/** Sets one team's level on a resource (Concord's single POST: an upsert). */
export const upsertGrant = (db: Database, kind: GrantableKind, resourceId: string, grant: Grant) => {
  const g = GRANTABLE[kind].grants;
  return db
    .insert(g)
    .values({ resourceId, teamId: grant.teamId, level: grant.level })
    .onConflictDoUpdate({ target: [g.resourceId, g.teamId], set: { level: grant.level } });
};

/** Replaces every grant on a resource (Concord's bulk POST): all deleted, these inserted; two statements whatever the count. */
export function replaceGrants(db: Database, kind: GrantableKind, resourceId: string, grants: Grant[]) {
  const g = GRANTABLE[kind].grants;
  return {
    cleared: db.delete(g).where(eq(g.resourceId, resourceId)),
    inserted:
      grants.length > 0
        ? db.insert(g).select(
            // `WHERE true` lets SQLite tell this SELECT's end from what follows.
            sql`SELECT ${resourceId}, json_extract(value, '$.teamId'), json_extract(value, '$.level')
                FROM json_each(${JSON.stringify(grants)}) WHERE true`,
          )
        : undefined,
  };
}

/** The path's org's project, secret or JSON store of that name, with the caller's level on it. */
export const findGrantable = (db: Database, s: OrgScope, kind: GrantableKind, name: string) => {
  const r = GRANTABLE[kind].resource;
  return fromCallerAndOrg(db, s, { id: r.id, name: r.name, visibility: r.visibility, level: callerLevel(kind, s.caller).as("level") })
    .crossJoin(r)
    .where(and(lowerEq(organizations.name, s.orgName), eq(r.orgId, organizations.id), lowerEq(r.name, name)));
};

/** Deletes every grant on a resource that moves to another org (they name teams of the old one), if `when` holds. */
export const dropGrants = (db: Database, kind: GrantableKind, resourceId: string, when: SQL = sql`true`) => {
  const g = GRANTABLE[kind].grants;
  return db.delete(g).where(and(eq(g.resourceId, resourceId), when));
};
