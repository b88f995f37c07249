import { Hono } from "hono/tiny";
import * as v from "valibot";
import { changesOf } from "../db/audit";
import { batch } from "../db/client";
import { refuseIf } from "../db/preconditions";
import { sql } from "drizzle-orm";
import { teamMembers, teams } from "../db/schema";
import {
  clearTeamMembers,
  createTeamBatch,
  deleteTeam,
  findTeam,
  findUsersByRefs,
  isOwnerInAnyTeam,
  listTeamMembers,
  listTeams,
  membershipsOfUserIds,
  membershipsOfUsernames,
  takesLastOwner,
  removeTeamMembers,
  updateTeam,
  upsertTeamMembers,
} from "../db/teams";
import type { AppEnv } from "../env";
import { batchInOrg, canManageTeam, isOrgAdmin, type OrgAccess } from "../lib/access";
import { audit, whileRowExists } from "../lib/audit";
import { ApiError, type ErrorDetail, forbidden, nameRequired, notFound, translateConstraint } from "../lib/errors";
import { pageOf } from "../lib/paging";
import { valid } from "../lib/validate";
import { CursorQuery, ListQuery } from "../schemas/common";
import { CreateOrUpdateTeamRequest, ReplaceMembersQuery, TeamMemberEntries, Usernames, type TeamEntry } from "../schemas/teams";

const toTeamEntry = (org: OrgAccess, team: { id: string; name: string; description: string | null }): TeamEntry => ({
  id: team.id,
  orgId: org.id,
  orgName: org.name,
  name: team.name,
  ...(team.description !== null ? { description: team.description } : {}),
});

const MANAGERS_ONLY = "Only the team's OWNERs and MAINTAINERs (or the org's owner, or administrators)";
const noOwnerLeft = (orgName: string) =>
  `Organization '${orgName}' has no owner, and this would take the last member with the OWNER role of its teams: name another OWNER first (or an administrator sets a new owner of the organization)`;

/** Mounted at /api/v1/org/:orgName/team. */
export const teamsRouter = new Hono<AppEnv>()
  .post("/", valid("json", CreateOrUpdateTeamRequest), async (c) => {
    const body = c.req.valid("json");
    if (body.id === undefined && body.name === undefined) {
      throw nameRequired();
    }
    const db = c.get("db");
    const { caller, org, rows } = await batchInOrg(c, (s) => ({
      team: findTeam(db, s.caller, s.orgId, body.id !== undefined ? { id: body.id } : { name: body.name! }),
      ownerSomewhere: isOwnerInAnyTeam(db, s.caller, s.orgId),
    }));
    const taken = { unique: `Team '${body.name}' already exists in '${org.name}'`, foreignKey: `Organization '${org.name}' no longer exists` };
    const team = rows.team[0];

    if (team) {
      if (!canManageTeam(caller, org, team.callerRole)) throw forbidden(`${MANAGERS_ONLY} may change it`);
      const changes = { name: body.id !== undefined ? body.name : undefined, description: body.description };
      await batch(db, {
        audited: audit(c, "TEAM", "UPDATE", { orgId: org.id, teamId: team.id, name: changes.name ?? team.name }, {
          ...whileRowExists(teams.id, team.id),
          computed: { changes: changesOf([["name", teams.name, changes.name], ["description", teams.description, changes.description]]) },
        }),
        updated: updateTeam(db, team.id, changes),
      }).catch((e) => translateConstraint(e, taken));
      return c.json({ ok: true, result: "UPDATED", id: team.id } as const);
    }
    if (body.id !== undefined) throw notFound(`Team ${body.id}`);
    if (!isOrgAdmin(caller, org) && !rows.ownerSomewhere[0]) {
      throw forbidden("Only administrators, the org's owner and team OWNERs may create teams");
    }
    const id = crypto.randomUUID();
    const created = { id, orgId: org.id, name: body.name!, description: body.description };
    await batch(db, {
      ...createTeamBatch(db, created, caller.id),
      audited: audit(c, "TEAM", "CREATE", { orgId: org.id, teamId: id, name: created.name, changes: { new: { name: created.name, description: created.description } } }),
    }).catch((e) => translateConstraint(e, taken));
    return c.json({ ok: true, result: "CREATED", id } as const);
  })

  .get("/", valid("query", ListQuery), async (c) => {
    const q = c.req.valid("query");
    const { org, rows } = await batchInOrg(c, (s) => ({ teams: listTeams(c.get("db"), s, q) }));
    return c.json(pageOf(c, q, rows.teams, (team) => team.name).map((team) => toTeamEntry(org, team)));
  })

  .get("/:teamName", async (c) => {
    const { teamName } = c.req.param();
    const { org, rows } = await batchInOrg(c, (s) => ({ team: findTeam(c.get("db"), s.caller, s.orgId, { name: teamName }) }));
    const team = rows.team[0];
    if (!team) throw notFound(`Team '${teamName}'`);
    return c.json(toTeamEntry(org, team));
  })

  .delete("/:teamName", async (c) => {
    const { teamName } = c.req.param();
    const db = c.get("db");
    const { caller, org, rows } = await batchInOrg(c, (s) => ({ team: findTeam(db, s.caller, s.orgId, { name: teamName }) }));
    const team = rows.team[0];
    if (!team) throw notFound(`Team '${teamName}'`);
    if (!isOrgAdmin(caller, org) && team.callerRole !== "OWNER") {
      throw forbidden("Only the team's OWNERs (or the org's owner, or administrators) may delete it");
    }
    await batch(db, {
      audited: audit(c, "TEAM", "DELETE", { orgId: org.id, teamId: team.id, name: team.name }, whileRowExists(teams.id, team.id)),
      deleted: deleteTeam(db, team.id),
    });
    return c.json({ ok: true, result: "DELETED" } as const);
  })

  .get("/:teamName/users", valid("query", v.object(CursorQuery)), async (c) => {
    const { teamName } = c.req.param();
    const q = c.req.valid("query");
    const db = c.get("db");
    const { rows } = await batchInOrg(c, (s) => ({
      team: findTeam(db, s.caller, s.orgId, { name: teamName }),
      members: listTeamMembers(db, s, teamName, q),
    }));
    if (!rows.team[0]) throw notFound(`Team '${teamName}'`);
    return c.json(pageOf(c, q, rows.members, (member) => member.username));
  })

  .put("/:teamName/users", valid("query", ReplaceMembersQuery), valid("json", TeamMemberEntries), async (c) => {
    const { teamName } = c.req.param();
    const { replace } = c.req.valid("query");
    const entries = c.req.valid("json");
    if (entries.length === 0 && !replace) {
      throw new ApiError("BAD_REQUEST", "No users given (send replace=true to remove every member)");
    }
    const db = c.get("db");
    const ids = entries.flatMap((e) => (e.userId !== undefined ? [e.userId] : []));
    const names = entries.flatMap((e) => (e.userId === undefined && e.username !== undefined ? [e.username] : []));
    const { caller, org, rows } = await batchInOrg(c, (s) => ({
      team: findTeam(db, s.caller, s.orgId, { name: teamName }),
      users: findUsersByRefs(db, s.caller, ids, names),
    }));
    const team = rows.team[0];
    if (!team) throw notFound(`Team '${teamName}'`);
    if (!canManageTeam(caller, org, team.callerRole)) throw forbidden(`${MANAGERS_ONLY} may change its members`);

    const byId = new Map(rows.users.map((u) => [u.id, u]));
    const byName = new Map(rows.users.map((u) => [u.username.toLowerCase(), u]));
    const unknown: ErrorDetail[] = [];
    const roles = new Map<string, string>(); // userId -> role; a later entry for the same user wins
    entries.forEach((e, i) => {
      const user = e.userId !== undefined ? byId.get(e.userId) : byName.get(e.username!.toLowerCase());
      if (user && (e.userType === undefined || user.type === e.userType)) roles.set(user.id, e.role);
      else unknown.push({ id: `[${i}]`, message: `no such ${e.userType ? `${e.userType} ` : ""}user: ${e.userId ?? e.username}` });
    });
    if (unknown.length) throw new ApiError("VALIDATION_FAILED", "Unknown users", unknown);

    const members = [...roles].map(([userId, role]) => ({ userId, role }));
    // One batch: with replace=true the team is never seen half-emptied.
    // Which of the team's memberships stop being OWNER: none if the change names an OWNER; with
    // replace=true all of them; else those it names with another role.
    const namesOwner = members.some((m) => m.role === "OWNER");
    const ends = namesOwner ? undefined : replace ? sql`1` : membershipsOfUserIds(members.map((m) => m.userId));
    await batch(db, {
      keepsAnOwner: ends && refuseIf(db, takesLastOwner(org.id, team.id, ends)),
      audited: audit(c, "TEAM", "UPDATE", { orgId: org.id, teamId: team.id, name: team.name, action: "addUsers", users: entries, replace }, whileRowExists(teams.id, team.id)),
      cleared: replace ? clearTeamMembers(db, team.id) : undefined,
      upserted: upsertTeamMembers(db, { id: team.id, orgId: org.id }, members),
    }).catch((e) => translateConstraint(e, { foreignKey: "A user or the team no longer exists", refused: noOwnerLeft(org.name) }));
    return c.json({ ok: true } as const);
  })

  .delete("/:teamName/users", valid("json", Usernames), async (c) => {
    const { teamName } = c.req.param();
    const usernames = c.req.valid("json");
    const db = c.get("db");
    const { caller, org, rows } = await batchInOrg(c, (s) => ({ team: findTeam(db, s.caller, s.orgId, { name: teamName }) }));
    const team = rows.team[0];
    if (!team) throw notFound(`Team '${teamName}'`);
    if (!canManageTeam(caller, org, team.callerRole)) throw forbidden(`${MANAGERS_ONLY} may change its members`);
    await batch(db, {
      keepsAnOwner: refuseIf(db, takesLastOwner(org.id, team.id, membershipsOfUsernames(usernames))),
      // only if one of them is a member: a removal that removes nobody changes nothing
      audited: audit(c, "TEAM", "UPDATE", { orgId: org.id, teamId: team.id, name: team.name, action: "removeUsers", users: usernames }, {
        when: sql`EXISTS (SELECT 1 FROM ${teamMembers} WHERE ${teamMembers.teamId} = ${team.id} AND ${membershipsOfUsernames(usernames)})`,
      }),
      removed: removeTeamMembers(db, team.id, usernames),
    }).catch((e) => translateConstraint(e, { refused: noOwnerLeft(org.name) }));
    return c.json({ ok: true } as const);
  });
