import { and, asc, eq, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { teamMembers, teams, users } from "./schema";
import { lowerEq, nowIso } from "./sql";

/** The caller's role in a team, or NULL. */
const callerRoleIn = (teamId: SQLWrapper, ref: CallerRef) =>
  sql<"OWNER" | "MAINTAINER" | "MEMBER" | null>`(SELECT ${teamMembers.role} FROM ${teamMembers}
      WHERE ${teamMembers.teamId} = ${teamId} AND ${teamMembers.userId} = ${ref.id})`;

/** The caller is OWNER in any team of the org (may create teams there): one row per such team. */
export const isOwnerInAnyTeam = (db: Database, orgId: SQL, ref: CallerRef) =>
  db
    .select({ yes: sql<number>`1`.as("yes") })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(and(eq(teams.orgId, orgId), eq(teamMembers.userId, ref.id), eq(teamMembers.role, "OWNER")));

const teamColumns = (ref: CallerRef) => ({
  id: teams.id,
  name: teams.name,
  description: teams.description,
  callerRole: callerRoleIn(teams.id, ref).as("caller_role"),
});

export const findTeam = (db: Database, ref: CallerRef, orgId: SQL, by: { id: string } | { name: string }) =>
  db
    .select(teamColumns(ref))
    .from(teams)
    .where(and(eq(teams.orgId, orgId), "id" in by ? eq(teams.id, by.id) : lowerEq(teams.name, by.name)));

export const listTeams = (db: Database, orgId: SQL) =>
  db
    .select({ id: teams.id, name: teams.name, description: teams.description })
    .from(teams)
    .where(eq(teams.orgId, orgId))
    .orderBy(asc(sql`lower(${teams.name})`));

export const listTeamMembers = (db: Database, orgId: SQL, teamName: string) =>
  db
    .select({ userId: users.id, username: users.username, role: teamMembers.role })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(teams.orgId, orgId), lowerEq(teams.name, teamName)))
    .orderBy(asc(sql`lower(${users.username})`));

/** Users named by id or username (case-insensitive), however many: one JSON parameter each. */
export const findUsersByRefs = (db: Database, ids: string[], usernames: string[]) =>
  db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(
      sql`${users.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
          OR lower(${users.username}) IN (SELECT lower(value) FROM json_each(${JSON.stringify(usernames)}))`,
    );

/** Adds members or changes their role (upsert on the (team, user) key), from one JSON parameter. */
export const upsertTeamMembers = (db: Database, teamId: string, members: { userId: string; role: string }[]) =>
  db
    .insert(teamMembers)
    .select(
      // `WHERE true` lets SQLite tell this SELECT's end from the ON CONFLICT clause.
      sql`SELECT ${teamId}, json_extract(value, '$.userId'), json_extract(value, '$.role'), ${nowIso}
          FROM json_each(${JSON.stringify(members)}) WHERE true`,
    )
    .onConflictDoUpdate({ target: [teamMembers.teamId, teamMembers.userId], set: { role: sql`excluded.role` } });

export const removeTeamMembers = (db: Database, teamId: string, usernames: string[]) =>
  db
    .delete(teamMembers)
    .where(
      and(
        eq(teamMembers.teamId, teamId),
        sql`${teamMembers.userId} IN (SELECT ${users.id} FROM ${users}
            WHERE lower(${users.username}) IN (SELECT lower(value) FROM json_each(${JSON.stringify(usernames)})))`,
      ),
    );
