import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { batchInOrg, type Caller } from "../db/caller";
import type { OrgRow } from "../db/orgs";
import { teamMembers, teams } from "../db/schema";
import { nowIso } from "../db/sql";
import {
  findTeam,
  findUsersByRefs,
  isOwnerInAnyTeam,
  listTeamMembers,
  listTeams,
  removeTeamMembers,
  upsertTeamMembers,
} from "../db/teams";
import type { AppEnv } from "../env";
import { ApiError, type ErrorDetail, forbidden, nameRequired, notFound, translateConstraint } from "../lib/errors";
import { valid } from "../lib/validate";
import {
  CreateOrUpdateTeamRequest,
  ReplaceMembersQuery,
  TeamMemberEntries,
  Usernames,
  type TeamEntry,
} from "../schemas/teams";

const isOrgAdmin = (caller: Caller, org: OrgRow) => caller.isAdmin || org.ownerId === caller.id;
const canManageTeam = (caller: Caller, org: OrgRow, role: string | null) =>
  isOrgAdmin(caller, org) || role === "OWNER" || role === "MAINTAINER";

const toTeamEntry = (org: OrgRow, team: { id: string; name: string; description: string | null }): TeamEntry => ({
  id: team.id,
  orgId: org.id,
  orgName: org.name,
  name: team.name,
  ...(team.description !== null ? { description: team.description } : {}),
});

/** Mounted at /api/v1/org/:orgName/team. */
export const teamsRouter = new Hono<AppEnv>()
  .post("/", valid("json", CreateOrUpdateTeamRequest), async (c) => {
    const body = c.req.valid("json");
    if (body.id === undefined && body.name === undefined) {
      throw nameRequired();
    }
    const db = c.get("db");
    const [caller, org, [teamRows, ownerRows]] = await batchInOrg(c, (ref) => [
      findTeam(db, ref, body.id !== undefined ? { id: body.id } : { name: body.name! }),
      isOwnerInAnyTeam(db, ref),
    ]);
    const team = teamRows[0];

    if (team) {
      if (!canManageTeam(caller, org, team.callerRole)) {
        throw forbidden("Only the team's OWNERs and MAINTAINERs (or the org's owner, or administrators) may change it");
      }
      await db
        .update(teams)
        .set({ name: body.id !== undefined ? body.name : undefined, description: body.description, updatedAt: nowIso })
        .where(eq(teams.id, team.id))
        .catch((e) => translateConstraint(e, { unique: `Team '${body.name}' already exists in '${org.name}'` }));
      return c.json({ ok: true, result: "UPDATED", id: team.id } as const);
    }
    if (body.id !== undefined) throw notFound(`Team ${body.id}`);
    if (!isOrgAdmin(caller, org) && !ownerRows[0]) {
      throw forbidden("Only administrators, the org's owner and team OWNERs may create teams");
    }
    const id = crypto.randomUUID();
    await db
      .batch([
        db.insert(teams).values({ id, orgId: org.id, name: body.name!, description: body.description }),
        db.insert(teamMembers).values({ teamId: id, userId: caller.id, role: "MAINTAINER" }),
      ])
      .catch((e) =>
        translateConstraint(e, {
          unique: `Team '${body.name}' already exists in '${org.name}'`,
          foreignKey: `Organization '${org.name}' no longer exists`,
        }),
      );
    return c.json({ ok: true, result: "CREATED", id } as const);
  })

  .get("/", async (c) => {
    const [, org, [rows]] = await batchInOrg(c, () => [listTeams(c.get("db"))]);
    return c.json(rows.map((team) => toTeamEntry(org, team)));
  })

  .get("/:teamName", async (c) => {
    const { teamName } = c.req.param();
    const [, org, [rows]] = await batchInOrg(c, (ref) => [
      findTeam(c.get("db"), ref, { name: teamName }),
    ]);
    const team = rows[0];
    if (!team) throw notFound(`Team '${teamName}'`);
    return c.json(toTeamEntry(org, team));
  })

  .delete("/:teamName", async (c) => {
    const { teamName } = c.req.param();
    const db = c.get("db");
    const [caller, org, [rows]] = await batchInOrg(c, (ref) => [
      findTeam(db, ref, { name: teamName }),
    ]);
    const team = rows[0];
    if (!team) throw notFound(`Team '${teamName}'`);
    if (!isOrgAdmin(caller, org) && team.callerRole !== "OWNER") {
      throw forbidden("Only the team's OWNERs (or the org's owner, or administrators) may delete it");
    }
    await db.delete(teams).where(eq(teams.id, team.id));
    return c.json({ ok: true, result: "DELETED" } as const);
  })

  .get("/:teamName/users", async (c) => {
    const { teamName } = c.req.param();
    const db = c.get("db");
    const [, org, [teamRows, members]] = await batchInOrg(c, (ref) => [
      findTeam(db, ref, { name: teamName }),
      listTeamMembers(db, teamName),
    ]);
    if (!teamRows[0]) throw notFound(`Team '${teamName}'`);
    return c.json(members);
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
    const [caller, org, [teamRows, userRows]] = await batchInOrg(c, (ref) => [
      findTeam(db, ref, { name: teamName }),
      findUsersByRefs(db, ids, names),
    ]);
    const team = teamRows[0];
    if (!team) throw notFound(`Team '${teamName}'`);
    if (!canManageTeam(caller, org, team.callerRole)) {
      throw forbidden("Only the team's OWNERs and MAINTAINERs (or the org's owner, or administrators) may change its members");
    }

    const byId = new Map(userRows.map((u) => [u.id, u]));
    const byName = new Map(userRows.map((u) => [u.username.toLowerCase(), u]));
    const unknown: ErrorDetail[] = [];
    const roles = new Map<string, string>(); // userId -> role; a later entry for the same user wins
    entries.forEach((e, i) => {
      const user = e.userId !== undefined ? byId.get(e.userId) : byName.get(e.username!.toLowerCase());
      if (user && (e.userType === undefined || user.type === e.userType)) roles.set(user.id, e.role);
      else unknown.push({ id: `[${i}]`, message: `no such ${e.userType ? `${e.userType} ` : ""}user: ${e.userId ?? e.username}` });
    });
    if (unknown.length) throw new ApiError("VALIDATION_FAILED", "Unknown users", unknown);

    const members = [...roles].map(([userId, role]) => ({ userId, role }));
    const clear = db.delete(teamMembers).where(eq(teamMembers.teamId, team.id));
    const upsert = upsertTeamMembers(db, team.id, members);
    // One batch: with replace=true the team is never seen half-emptied.
    await db
      .batch(replace ? [clear, upsert] : [upsert])
      .catch((e) => translateConstraint(e, { foreignKey: "A user or the team no longer exists" }));
    return c.json({ ok: true } as const);
  })

  .delete("/:teamName/users", valid("json", Usernames), async (c) => {
    const { teamName } = c.req.param();
    const usernames = c.req.valid("json");
    const db = c.get("db");
    const [caller, org, [teamRows]] = await batchInOrg(c, (ref) => [
      findTeam(db, ref, { name: teamName }),
    ]);
    const team = teamRows[0];
    if (!team) throw notFound(`Team '${teamName}'`);
    if (!canManageTeam(caller, org, team.callerRole)) {
      throw forbidden("Only the team's OWNERs and MAINTAINERs (or the org's owner, or administrators) may change its members");
    }
    await removeTeamMembers(db, team.id, usernames);
    return c.json({ ok: true } as const);
  });
