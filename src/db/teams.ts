/** Teams and their members, in the org of id `orgId` (a value such as `orgIdNamed(name)`). */
import { and, asc, eq, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { fromCallerAndOrg, visibleOrg, type OrgScope } from "./orgs";
import { organizations, teamMembers, teams, users } from "./schema";
import { byLowerName, lowerEq, nowIso, pageOfNames, type Page } from "./sql";

/** A team of the org by id or name, with the caller's role in it (NULL if not a member). */
export const findTeam = (db: Database, ref: CallerRef, orgId: SQLWrapper, by: { id: string } | { name: string }) =>
  db
    .select({
      id: teams.id,
      name: teams.name,
      description: teams.description,
      callerRole: sql<"OWNER" | "MAINTAINER" | "MEMBER" | null>`(SELECT ${teamMembers.role} FROM ${teamMembers}
        WHERE ${teamMembers.teamId} = ${teams.id} AND ${teamMembers.userId} = ${ref.id})`.as("caller_role"),
    })
    .from(ref.table)
    .crossJoin(teams)
    .where(and(eq(teams.orgId, orgId), "id" in by ? eq(teams.id, by.id) : lowerEq(teams.name, by.name)));

/** The caller is OWNER in any team of the org (may create teams there): a row per such team. */
export const isOwnerInAnyTeam = (db: Database, ref: CallerRef, orgId: SQLWrapper) =>
  db
    .select({ yes: sql<number>`1`.as("yes") })
    .from(ref.table)
    .crossJoin(teamMembers)
    .where(and(eq(teamMembers.userId, sql`${ref.id}`), eq(teamMembers.orgId, orgId), eq(teamMembers.role, "OWNER")));

/** A page of the teams of the path's org (if the caller may see it) in name order; one extra row tells "more". */
export const listTeams = (db: Database, s: OrgScope, q: Page) =>
  fromCallerAndOrg(db, s, { id: teams.id, name: teams.name, description: teams.description })
    .crossJoin(teams)
    .where(and(visibleOrg(s), eq(teams.orgId, organizations.id), pageOfNames(teams.name, q)))
    .orderBy(byLowerName(teams.name))
    .limit(q.limit + 1)
    .offset(q.offset);

/** A page of a team's members in username order (usernames are stored lower-cased); one extra row tells "more". */
export const listTeamMembers = (db: Database, s: OrgScope, teamName: string, q: Page) =>
  fromCallerAndOrg(db, s, { userId: users.id, username: users.username, role: teamMembers.role })
    .crossJoin(teams)
    .innerJoin(teamMembers, eq(teamMembers.teamId, teams.id))
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(
      and(
        visibleOrg(s),
        eq(teams.orgId, organizations.id),
        lowerEq(teams.name, teamName),
        q.after !== undefined ? sql`${users.username} > lower(${q.after})` : undefined,
      ),
    )
    .orderBy(asc(users.username))
    .limit(q.limit + 1)
    .offset(q.offset);

/**
 * Users named by id or username (case-insensitive), however many: one JSON parameter each. Two
 * index lookups joined by UNION ALL (an OR of the two would scan every user).
 */
export const findUsersByRefs = (db: Database, ref: CallerRef, ids: string[], usernames: string[]) => {
  const select = () => db.select({ id: users.id, username: users.username, type: users.type }).from(ref.table).crossJoin(users);
  return select()
    .where(sql`${users.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`)
    .unionAll(select().where(sql`lower(${users.username}) IN (SELECT lower(value) FROM json_each(${JSON.stringify(usernames)}))`));
};

export const updateTeam = (db: Database, teamId: string, changes: { name?: string; description?: string }) =>
  db.update(teams).set({ ...changes, updatedAt: nowIso }).where(eq(teams.id, teamId));

/** A new team of the org, its creator as MAINTAINER (Concord's rule). */
export const createTeamBatch = (db: Database, team: { id: string; orgId: string; name: string; description?: string }, creatorId: string) => ({
  team: db.insert(teams).values(team),
  creator: db.insert(teamMembers).values({ teamId: team.id, userId: creatorId, orgId: team.orgId, role: "MAINTAINER" }),
});

export const deleteTeam = (db: Database, teamId: string) => db.delete(teams).where(eq(teams.id, teamId));

/** Removes every member of the team (replace=true clears before adding). */
export const clearTeamMembers = (db: Database, teamId: string) => db.delete(teamMembers).where(eq(teamMembers.teamId, teamId));

/** Adds members or changes their role (upsert on the (team, user) key), from one JSON parameter. */
export const upsertTeamMembers = (db: Database, team: { id: string; orgId: string }, members: { userId: string; role: string }[]) =>
  db
    .insert(teamMembers)
    .select(
      // `WHERE true` lets SQLite tell this SELECT's end from the ON CONFLICT clause.
      sql`SELECT ${team.id}, json_extract(value, '$.userId'), ${team.orgId}, json_extract(value, '$.role'), ${nowIso}
          FROM json_each(${JSON.stringify(members)}) WHERE true`,
    )
    .onConflictDoUpdate({ target: [teamMembers.teamId, teamMembers.userId], set: { role: sql`excluded.role`, orgId: sql`excluded.org_id` } });

/** The memberships (rows of `team_members`) of these users, by username in any case. */
export const membershipsOfUsernames = (usernames: string[]) =>
  sql`${teamMembers.userId} IN (SELECT ${users.id} FROM ${users} WHERE lower(${users.username}) IN (SELECT lower(value) FROM json_each(${JSON.stringify(usernames)})))`;

export const removeTeamMembers = (db: Database, teamId: string, usernames: string[]) =>
  db.delete(teamMembers).where(and(eq(teamMembers.teamId, teamId), membershipsOfUsernames(usernames)));

/**
 * Broken when a change of a team's members would take the last OWNER of an org that has no owner
 * (its owner's user was deleted): nobody but an administrator could manage its teams any more.
 * `ends` says (on `team_members`) which of this team's memberships the change removes or makes
 * non-OWNER. For the head of that change's batch (db/preconditions.ts refuseIf), so it reads the
 * memberships as they are just before it. An org that has no OWNER already (the seeded Default
 * org) is not refused: the change takes none. Concord's TeamManager `validateUsers` is stricter on
 * additions (it refuses any addition to such an org) and does not check removals.
 */
export function takesLastOwner(orgId: string, teamId: string, ends: SQL) {
  const owners = sql`SELECT 1 FROM ${teams} INNER JOIN ${teamMembers} ON ${teamMembers.teamId} = ${teams.id}
    WHERE ${teams.orgId} = ${orgId} AND ${teamMembers.role} = 'OWNER'`;
  const ended = sql`(${teamMembers.teamId} = ${teamId} AND (${ends}))`;
  return sql`NOT EXISTS (SELECT 1 FROM ${organizations} WHERE ${organizations.id} = ${orgId} AND ${organizations.ownerId} IS NOT NULL)
    AND EXISTS (${owners} AND ${ended}) AND NOT EXISTS (${owners} AND NOT ${ended})`;
}

/** For `takesLastOwner`: the memberships of these users (by id). */
export const membershipsOfUserIds = (userIds: string[]) => sql`${teamMembers.userId} IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))`;

