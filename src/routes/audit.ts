import { Hono } from "hono/tiny";
import { entityAccess, searchAudit, type AuditSearch, type EntityRef } from "../db/audit";
import { findOrg } from "../db/orgs";
import type { AppEnv } from "../env";
import { batchAsCaller, canSeeOrg, requireResource } from "../lib/access";
import { forbidden, invalidField, notFound } from "../lib/errors";
import { valid } from "../lib/validate";
import { AuditQuery, type AuditQueryInput } from "../schemas/audit";

const QUERY = "query parameters";

/** An entity named by `details.<kind>Id` or `details.<kind>Name` (the id wins, as in Concord). */
const entityOf = (q: AuditQueryInput, kind: "org" | "project" | "secret" | "jsonStore" | "team"): EntityRef | undefined => {
  const id = q[`details.${kind}Id`];
  const name = q[`details.${kind}Name`];
  return id !== undefined ? { id: id.toLowerCase() } : name !== undefined ? { name } : undefined;
};

const label = (kind: string, ref: EntityRef) => ("id" in ref ? `${kind} ${ref.id}` : `${kind} '${ref.name}'`);

/**
 * Mounted at /api/v1/audit: Concord's audit log, newest first. Administrators read every entry;
 * anyone else names an org, project, secret, JSON store or team (403 without one, as Concord) and
 * reads only entries of orgs it has access to and of resources it holds READER on. An entity it may
 * not see is 404, as everywhere.
 */
export const auditRouter = new Hono<AppEnv>().get("/", valid("query", AuditQuery), async (c) => {
  const q = c.req.valid("query");
  const search: AuditSearch = {
    object: q.object,
    action: q.action,
    userId: q.userId?.toLowerCase(),
    username: q.userId === undefined ? q.username : undefined,
    after: q.after,
    before: q.before,
    cursor: q.cursor,
    offset: q.cursor !== undefined ? 0 : q.offset,
    limit: q.limit,
    org: entityOf(q, "org"),
    project: entityOf(q, "project"),
    secret: entityOf(q, "secret"),
    jsonStore: entityOf(q, "jsonStore"),
    team: entityOf(q, "team"),
  };
  const children = (["project", "secret", "jsonStore", "team"] as const).filter((kind) => search[kind] !== undefined);
  for (const kind of children) {
    if ("name" in search[kind]! && !search.org) throw invalidField(`details.${kind}Name`, "needs details.orgId or details.orgName", QUERY);
  }
  const db = c.get("db");
  const { caller, rows } = await batchAsCaller(c, (ref) => ({
    entries: searchAudit(db, ref, search),
    org: search.org ? findOrg(db, ref, search.org) : undefined,
    project: search.project ? entityAccess(db, ref, "project", search.project, search.org) : undefined,
    secret: search.secret ? entityAccess(db, ref, "secret", search.secret, search.org) : undefined,
    jsonStore: search.jsonStore ? entityAccess(db, ref, "jsonStore", search.jsonStore, search.org) : undefined,
    team: search.team ? entityAccess(db, ref, "team", search.team, search.org) : undefined,
  }));
  if (!caller.isAdmin) {
    if (!search.org && children.length === 0) {
      throw forbidden("Only administrators may read the audit log without naming an org, project, secret, JSON store or team");
    }
    if (search.org) {
      const org = rows.org?.[0];
      if (!org || !canSeeOrg(org)) throw notFound(label("Organization", search.org));
      if (!org.access) throw forbidden(`Only members of organization '${org.name}' may read its audit log`);
    }
    for (const kind of children) {
      const row = rows[kind]?.[0];
      const what = label({ project: "Project", secret: "Secret", jsonStore: "JSON store", team: "Team" }[kind], search[kind]!);
      const org = { id: "", name: "", ownerId: null, visibility: row?.orgVisibility ?? "PRIVATE", access: row?.orgAccess ?? false };
      if (kind === "team") {
        if (!row || !canSeeOrg(org)) throw notFound(what);
        if (!row.orgAccess) throw forbidden(`${what}: only members of its organization may read its audit log`);
      } else {
        requireResource(org, row, what, "READER");
      }
    }
  }
  const page = rows.entries.slice(0, search.limit);
  const last = page[page.length - 1];
  if (rows.entries.length > search.limit && last) {
    // The next page starts after this one's last entry (a sequence number), whatever was inserted since.
    const url = new URL(c.req.url);
    url.searchParams.set("cursor", String(last.seq));
    url.searchParams.delete("offset");
    c.header("Link", `<${url.pathname}${url.search}>; rel="next"`);
  }
  return c.json(
    page.map((e) => ({
      entryDate: e.entryDate,
      action: e.action,
      object: e.object,
      details: JSON.parse(e.details) as Record<string, unknown>,
      ...(e.userId !== null && e.username !== null
        ? { user: { id: e.userId, username: e.username, userType: e.userType, ...(e.displayName !== null ? { displayName: e.displayName } : {}) } }
        : {}),
    })),
  );
});
