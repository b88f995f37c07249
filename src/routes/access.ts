import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { batch } from "../db/client";
import { findGrantable, findTeamsByRefs, listGrants, replaceGrants, upsertGrant, type Grant } from "../db/grants";
import { GRANTABLE, type GrantableKind } from "../db/orgs";
import { compareNames } from "../db/sql";
import type { AppEnv } from "../env";
import { batchInOrg, requireResource, type OrgAccess } from "../lib/access";
import { audit, whileRowExists } from "../lib/audit";
import { invalidField, notFound, translateConstraint } from "../lib/errors";
import { valid } from "../lib/validate";
import { AccessEntries, AccessEntry, type AccessEntryRequest, type AccessEntryResponse } from "../schemas/access";

const WHAT: Record<GrantableKind, string> = { project: "Project", secret: "Secret", jsonStore: "JSON store" };

/** The team references of access entries, for one read of all of them. */
const teamRefs = (entries: AccessEntryRequest[]) => ({
  ids: entries.flatMap((e) => (e.teamId !== undefined ? [e.teamId] : [])),
  names: entries.flatMap((e) => (e.teamId === undefined && e.teamName !== undefined ? [e.teamName] : [])),
});

/**
 * Each entry's team, which must be a team of the resource's own org (unlike Concord, which grants
 * any org's team by id and answers unknown names with a 500): 400 naming the entry otherwise.
 * `prefix` is the entry's position in a bulk body ("0.", "1.", ...), empty for a single entry.
 */
function resolveGrants(org: OrgAccess, entries: AccessEntryRequest[], found: { id: string; name: string }[], prefix: (i: number) => string): Grant[] {
  return entries.map((entry, i) => {
    const at = prefix(i);
    if (entry.orgName !== undefined && entry.orgName.toLowerCase() !== org.name.toLowerCase()) {
      throw invalidField(`${at}orgName`, `must be '${org.name}': only teams of the resource's organization can be granted access`);
    }
    const team =
      entry.teamId !== undefined
        ? found.find((t) => t.id === entry.teamId)
        : found.find((t) => t.name.toLowerCase() === entry.teamName!.toLowerCase());
    if (!team) {
      const field = entry.teamId !== undefined ? "teamId" : "teamName";
      throw invalidField(`${at}${field}`, `no team '${entry.teamId ?? entry.teamName}' in organization '${org.name}'`);
    }
    if (entry.teamId !== undefined && entry.teamName !== undefined && entry.teamName.toLowerCase() !== team.name.toLowerCase()) {
      throw invalidField(`${at}teamName`, `differs from the name of team ${team.id} ('${team.name}'): send one of them`);
    }
    return { teamId: team.id, level: entry.level };
  });
}

/**
 * Concord's team access endpoints of one kind of resource, mounted at
 * /api/v1/org/:orgName/{project|secret|jsonstore}/:resourceName/access. Reading the list needs
 * what reading the resource needs; changing it needs OWNER on the resource.
 */
const AUDITED: Record<GrantableKind, { object: "PROJECT" | "SECRET" | "JSON_STORE"; key: string }> = {
  project: { object: "PROJECT", key: "projectId" },
  secret: { object: "SECRET", key: "secretId" },
  jsonStore: { object: "JSON_STORE", key: "jsonStoreId" },
};

/** The audit entry of a change of grants: Concord's resource UPDATE with `access: {replace, teams}` (and the org's id, to be found by it). */
const auditAccess = (c: Context<AppEnv>, kind: GrantableKind, orgId: string, resource: { id: string; name: string }, replace: boolean, grants: Grant[]) =>
  audit(c, AUDITED[kind].object, "UPDATE", {
    orgId,
    [AUDITED[kind].key]: resource.id,
    name: resource.name,
    access: { replace, teams: grants.map((g) => ({ id: g.teamId, level: g.level })) },
  }, whileRowExists(GRANTABLE[kind].resource.id, resource.id));

export const accessRouter = (kind: GrantableKind) => {
  const what = (name: string) => `${WHAT[kind]} '${name}'`;
  const conflicts = (name: string) => ({
    foreignKey: `${what(name)} or one of the teams no longer exists`,
    // a trigger (migration 0015): the resource moved to another org meanwhile
    refused: `${what(name)} moved to another organization meanwhile: read it again and retry`,
  });
  return new Hono<AppEnv>()
    .get("/", async (c) => {
      const name = c.req.param("resourceName") ?? "";
      const db = c.get("db");
      const { org, rows } = await batchInOrg(c, (s) => ({ grants: listGrants(db, s, kind, name) }));
      // No row: no such resource, or one the caller may not see (listGrants checks as requireResource "SEE").
      if (!rows.grants.length) throw notFound(what(name));
      const entries = rows.grants.flatMap((g): AccessEntryResponse[] =>
        g.teamId !== null && g.teamName !== null && g.level !== null ? [{ teamId: g.teamId, orgName: org.name, teamName: g.teamName, level: g.level }] : [],
      );
      return c.json(entries.sort((a, b) => compareNames(a.teamName, b.teamName)));
    })

    .post("/", valid("json", AccessEntry), async (c) => {
      const name = c.req.param("resourceName") ?? "";
      const entry = c.req.valid("json");
      const db = c.get("db");
      const refs = teamRefs([entry]);
      const { org, rows } = await batchInOrg(c, (s) => ({
        resource: findGrantable(db, s, kind, name),
        teams: findTeamsByRefs(db, s.orgId, refs.ids, refs.names),
      }));
      const resource = requireResource(org, rows.resource[0], what(name), "OWNER");
      const [grant] = resolveGrants(org, [entry], rows.teams, () => "");
      await batch(db, {
        upserted: upsertGrant(db, kind, resource.id, grant!),
        audited: auditAccess(c, kind, org.id, resource, false, [grant!]),
      }).catch((e) => translateConstraint(e, conflicts(resource.name)));
      return c.json({ ok: true, result: "UPDATED" } as const);
    })

    .post("/bulk", valid("json", AccessEntries), async (c) => {
      const name = c.req.param("resourceName") ?? "";
      const entries = c.req.valid("json");
      const db = c.get("db");
      const refs = teamRefs(entries);
      const { org, rows } = await batchInOrg(c, (s) => ({
        resource: findGrantable(db, s, kind, name),
        teams: entries.length ? findTeamsByRefs(db, s.orgId, refs.ids, refs.names) : undefined,
      }));
      const resource = requireResource(org, rows.resource[0], what(name), "OWNER");
      const grants = resolveGrants(org, entries, rows.teams ?? [], (i) => `${i}.`);
      // A team named twice keeps its last level, as in Concord.
      const byTeam = new Map(grants.map((g) => [g.teamId, g]));
      await batch(db, {
        ...replaceGrants(db, kind, resource.id, [...byTeam.values()]),
        audited: auditAccess(c, kind, org.id, resource, true, [...byTeam.values()]),
      }).catch((e) => translateConstraint(e, conflicts(resource.name)));
      return c.json({ ok: true, result: "UPDATED" } as const);
    });
};
