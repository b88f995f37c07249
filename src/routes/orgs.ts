import { Hono } from "hono/tiny";
import { and, eq, ne, sql } from "drizzle-orm";
import { changesOf } from "../db/audit";
import { callerIdOf, callerIsAdmin } from "../db/caller";
import { batch } from "../db/client";
import {
  createOrgBatch,
  deleteOrgAsAdmin,
  findOrg,
  listOrgs,
  mergeOrgLists,
  orgChangedFields,
  orgContentsCounts,
  updateOrgById,
  type OrgChanges,
  type OrgRow,
} from "../db/orgs";
import { organizations } from "../db/schema";
import { lowerEq } from "../db/sql";
import { audit, newFields } from "../lib/audit";
import { ifMatchHolds, takesIfMatch } from "../lib/if-match";
import { findUser, matchingUser } from "../db/users";
import type { AppEnv } from "../env";
import { batchAsCaller, canSeeOrg, readAsCallerGuessingAdmin, requireAdmin } from "../lib/access";
import { ApiError, forbidden, invalidField, nameRequired, notFound, translateConstraint } from "../lib/errors";
import { pageOf } from "../lib/paging";
import { valid } from "../lib/validate";
import { parseJsonText } from "../schemas/common";
import { CreateOrUpdateOrgRequest, DeleteOrgQuery, ListOrgsQuery, type OrgEntry } from "../schemas/orgs";

export const toOrgEntry = (row: OrgRow): OrgEntry => ({
  id: row.id,
  name: row.name,
  visibility: row.visibility,
  ...(row.ownerId && row.ownerUsername ? { owner: { id: row.ownerId, username: row.ownerUsername } } : {}),
  ...(row.meta !== null ? { meta: parseJsonText(row.meta) as Record<string, unknown> } : {}),
  ...(row.cfg !== null ? { cfg: parseJsonText(row.cfg) as Record<string, unknown> } : {}),
});

export const orgsRouter = new Hono<AppEnv>()
  .post("/", takesIfMatch, valid("json", CreateOrUpdateOrgRequest), async (c) => {
    const body = c.req.valid("json");
    if (body.id === undefined && body.name === undefined) {
      throw nameRequired();
    }
    const db = c.get("db");
    // An administrator's create-or-update by name is decided by the upsert batch below and needs no
    // read of the org: it is left out when the caller is (known or expected to be) an administrator.
    // The admin key is known without D1: with it (and no owner) no read at all.
    const readsOrg = (isAdmin: boolean | undefined) => body.id !== undefined || isAdmin !== true;
    const { caller, rows } = await readAsCallerGuessingAdmin(
      c,
      (ref, isAdmin) => ({
        existing: readsOrg(isAdmin) ? findOrg(db, ref, body.id !== undefined ? { id: body.id } : { name: body.name ?? "" }) : undefined,
        owner: body.owner ? findUser(db, body.owner) : undefined,
      }),
      body.id === undefined,
    );
    const existing = rows.existing?.[0];
    const owner = body.owner ? matchingUser(rows.owner?.[0], body.owner) : undefined;
    // Only after the caller is known to be allowed: else anyone could probe which users exist.
    const requireOwnerFound = () => {
      if (body.owner && !owner) throw invalidField("owner", "no such user");
    };
    const changes: OrgChanges = {
      visibility: body.visibility,
      ownerId: owner?.id,
      meta: body.meta,
      cfg: body.cfg,
    };

    if (body.id !== undefined || !caller.isAdmin) {
      // Update by id, or a non-administrator's update by name: it needs the org as read above.
      // An org the caller may not see is treated as absent, so the answer does not tell it exists.
      const found = existing && canSeeOrg(existing) ? existing : undefined;
      if (!found) {
        if (body.id !== undefined) throw notFound(`Organization ${body.id}`);
        requireAdmin(caller, "create organizations");
      } else if (!caller.isAdmin && found.ownerId !== caller.id) {
        throw forbidden("Only administrators and the organization's owner may update it");
      }
      requireOwnerFound();
      if (body.id !== undefined && body.name !== undefined) changes.name = body.name;
      const { updated } = await batch(db, {
        precondition: ifMatchHolds(c, sql`(SELECT ${organizations.version} FROM ${organizations} WHERE ${organizations.id} = ${found!.id})`),
        // the name before the change, and the changes, from the row as the update finds it
        audited: audit(c, "ORGANIZATION", "UPDATE", { orgId: found!.id }, {
          from: sql`FROM ${organizations}`,
          when: eq(organizations.id, found!.id),
          computed: { name: organizations.name, changes: changesOf(orgChangedFields(changes)) },
        }),
        updated: updateOrgById(db, found!.id, changes),
      }).catch((e) =>
        translateConstraint(e, { unique: `Organization name '${body.name}' is already taken` }),
      );
      if (!updated[0]) throw notFound("Organization");
      return c.json({ ok: true, result: "UPDATED", id: found!.id } as const);
    }

    // An administrator without an id: create, or update the org of that name, in one atomic batch
    // whatever the read above saw, so concurrent creators of one name all succeed.
    requireOwnerFound();
    const id = crypto.randomUUID();
    const org = {
      id,
      name: body.name!, // without an id, a name was required above
      visibility: body.visibility ?? "PUBLIC",
      ownerId: owner?.id ?? caller.id,
      meta: body.meta,
      cfg: body.cfg,
    } as const;
    const upsert = createOrgBatch(db, org, changes);
    const { holder } = await batch(db, {
      // If-Match: the org of that name must exist and be at that version (a create has none)
      precondition: ifMatchHolds(c, sql`(SELECT ${organizations.version} FROM ${organizations} WHERE ${lowerEq(organizations.name, org.name)})`),
      inserted: upsert.org,
      // CREATE if this request's row went in; else UPDATE of the org of that name, before the update
      created: audit(c, "ORGANIZATION", "CREATE", { orgId: id, name: org.name, changes: { new: newFields(org) } }, {
        when: sql`EXISTS (SELECT 1 FROM ${organizations} WHERE ${organizations.id} = ${id})`,
      }),
      team: upsert.team,
      teamOwner: upsert.owner,
      changed: audit(c, "ORGANIZATION", "UPDATE", {}, {
        from: sql`FROM ${organizations}`,
        when: and(lowerEq(organizations.name, org.name), ne(organizations.id, id)),
        computed: { orgId: organizations.id, name: organizations.name, changes: changesOf(orgChangedFields(changes)) },
      }),
      updated: upsert.updated,
      holder: upsert.holder,
    }).catch((e) => translateConstraint(e, { foreignKey: "The owner no longer exists" }));
    if (!holder[0]) throw new Error("organization missing right after its upsert");
    return c.json({ ok: true, result: holder[0].id === id ? "CREATED" : "UPDATED", id: holder[0].id } as const);
  })

  .get("/", valid("query", ListOrgsQuery), async (c) => {
    const q = c.req.valid("query");
    // With onlyCurrent, administrators and others get the same reads: no guess needed.
    const { caller, rows } = await readAsCallerGuessingAdmin(c, (ref, isAdmin) => listOrgs(c.get("db"), ref, q, isAdmin), !q.onlyCurrent);
    return c.json(pageOf(c, q, mergeOrgLists(rows, q, caller), (org) => org.name).map(toOrgEntry));
  })

  .get("/:orgName", async (c) => {
    const orgName = c.req.param("orgName");
    const { rows } = await batchAsCaller(c, (ref) => ({ org: findOrg(c.get("db"), ref, { name: orgName }) }));
    const org = rows.org[0];
    if (!org || !canSeeOrg(org)) throw notFound(`Organization '${orgName}'`);
    c.set("version", org.version);
    return c.json(toOrgEntry(org));
  })

  .delete("/:orgName", valid("query", DeleteOrgQuery), async (c) => {
    const orgName = c.req.param("orgName");
    if (c.req.valid("query").confirmation?.toLowerCase() !== "yes") {
      throw new ApiError("BAD_REQUEST", "Operation must be confirmed");
    }
    // The delete travels with the key lookup, conditioned on the caller being an administrator.
    const { caller, rows } = await batchAsCaller(c, (ref) => ({
      // before the delete: the org's id, its last name and how many rows of each kind go with it
      audited: audit(c, "ORGANIZATION", "DELETE", {}, {
        userId: callerIdOf(ref),
        from: sql`FROM ${organizations}`,
        when: and(lowerEq(organizations.name, orgName), sql`${callerIsAdmin(ref)} = 1`),
        computed: { orgId: organizations.id, name: organizations.name, deleted: orgContentsCounts(organizations.id) },
      }),
      deleted: deleteOrgAsAdmin(c.get("db"), callerIsAdmin(ref), orgName),
    }));
    requireAdmin(caller, "delete organizations");
    if (!rows.deleted[0]) throw notFound(`Organization '${orgName}'`);
    return c.json({ ok: true, result: "DELETED" } as const);
  });
