/** Teams and their members. Queries on the org of the request's path use ORG_ID (db/orgs.ts). */
import { and, asc, eq, sql, type SQLWrapper } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { ORG_ID } from "./orgs";
import { prepared } from "./prepared";
import { teamMembers, teams, users } from "./schema";
import { lowerEq, nowIso } from "./sql";

/** The caller's role in a team, or NULL. */
const callerRoleIn = (teamId: SQLWrapper, ref: CallerRef) =>
  sql<"OWNER" | "MAINTAINER" | "MEMBER" | null>`(SELECT ${teamMembers.role} FROM ${teamMembers}
      WHERE ${teamMembers.teamId} = ${teamId} AND ${teamMembers.userId} = ${ref.id})`;

const p = {
  team: sql.placeholder("team"),
  teamName: sql.placeholder("teamName"),
  ids: sql.placeholder("ids"),
  usernames: sql.placeholder("usernames"),
};

const isOwnerInAnyTeamPrepared = prepared((db: Database, ref: CallerRef) =>
  db
    .select({ yes: sql<number>`1`.as("yes") })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(and(eq(teams.orgId, ORG_ID), eq(teamMembers.userId, ref.id), eq(teamMembers.role, "OWNER"))),
);

/** The caller is OWNER in any team of the org (may create teams there): one row per such team. */
export const isOwnerInAnyTeam = (db: Database, ref: CallerRef) => isOwnerInAnyTeamPrepared(db, {}, ref);

const findTeamPrepared = prepared((db: Database, ref: CallerRef, by: "id" | "name") =>
  db
    .select({
      id: teams.id,
      name: teams.name,
      description: teams.description,
      callerRole: callerRoleIn(teams.id, ref).as("caller_role"),
    })
    .from(teams)
    .where(and(eq(teams.orgId, ORG_ID), by === "id" ? eq(teams.id, p.team) : lowerEq(teams.name, p.team))),
);

/** A team of the org by id or name, with the caller's role in it. */
export const findTeam = (db: Database, ref: CallerRef, by: { id: string } | { name: string }) =>
  "id" in by ? findTeamPrepared(db, { team: by.id }, ref, "id") : findTeamPrepared(db, { team: by.name }, ref, "name");

const listTeamsPrepared = prepared((db: Database) =>
  db
    .select({ id: teams.id, name: teams.name, description: teams.description })
    .from(teams)
    .where(eq(teams.orgId, ORG_ID))
    .orderBy(asc(sql`lower(${teams.name})`)),
);

export const listTeams = (db: Database) => listTeamsPrepared(db, {});

const listTeamMembersPrepared = prepared((db: Database) =>
  db
    .select({ userId: users.id, username: users.username, role: teamMembers.role })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(teams.orgId, ORG_ID), lowerEq(teams.name, p.teamName)))
    .orderBy(asc(sql`lower(${users.username})`)),
);

export const listTeamMembers = (db: Database, teamName: string) => listTeamMembersPrepared(db, { teamName });

const findUsersByRefsPrepared = prepared((db: Database) =>
  db
    .select({ id: users.id, username: users.username, type: users.type })
    .from(users)
    .where(
      sql`${users.id} IN (SELECT value FROM json_each(${p.ids}))
          OR lower(${users.username}) IN (SELECT lower(value) FROM json_each(${p.usernames}))`,
    ),
);

/** Users named by id or username (case-insensitive), however many: one JSON parameter each. */
export const findUsersByRefs = (db: Database, ids: string[], usernames: string[]) =>
  findUsersByRefsPrepared(db, { ids: JSON.stringify(ids), usernames: JSON.stringify(usernames) });

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
