/**
 * Who is calling, and what they may see and change: the one place for both.
 *
 * Every route reads the same way: `batchAsCaller` (or `batchInOrg` under /org/{orgName}) runs the
 * route's reads, built as a function of the caller, in one D1 batch together with the API-key
 * lookup; then the rules below decide; then the route writes. If the key turns out unknown, expired
 * or its user disabled, the reads ran with an empty `caller` (lists start from the caller row, so
 * they read nothing; the rest are lookups by a unique key; a delete that travels in the batch is
 * conditioned on the caller) and the request is answered 401.
 *
 * Inside an org, something the caller may not see is "not found" (404), so its existence does not
 * leak; something it sees but may not change is 403.
 */
import type { Context } from "hono";
import { keyCaller, knownCaller, lookupCaller, type CallerRef } from "../db/caller";
import { batch, type NamedQueries, type NamedResults } from "../db/client";
import { findOrg, LEVEL_RANK, orgIdNamed, type OrgRow, type OrgScope } from "../db/orgs";
import type { AccessLevel, Visibility } from "../db/schema";
import type { AppEnv, Caller } from "../env";
import { ApiError, forbidden, invalidField, notFound } from "./errors";

export const ADMIN_USER_ID = "230c5c9c-d9a7-11e6-bcfd-bb681c07b26c";
export const ADMIN_USERNAME = "admin";

const unauthorized = () => new ApiError("UNAUTHORIZED", "Unknown or expired API key");

/** The caller if known without D1: the admin key, or a key already resolved in this request. */
function knownCallerOf(c: Context<AppEnv>): Caller | undefined {
  const known = c.get("caller");
  if (known) return known;
  if (c.get("credential").kind !== "admin") return undefined;
  const admin = { id: ADMIN_USER_ID, username: ADMIN_USERNAME, isAdmin: true };
  c.set("caller", admin);
  return admin;
}

/**
 * The caller and the reads `build` describes for it, in one round trip. `isAdmin` is passed to
 * `build` when the caller is known without D1, so it may leave out reads that cannot apply.
 * The name `caller` is taken (the key lookup), and under batchInOrg `thisOrg` too.
 */
export async function batchAsCaller<T extends NamedQueries>(
  c: Context<AppEnv>,
  build: (ref: CallerRef, isAdmin: boolean | undefined) => T,
): Promise<{ caller: Caller; rows: NamedResults<T> }> {
  const db = c.get("db");
  const known = knownCallerOf(c);
  if (known) return { caller: known, rows: await batch(db, build(knownCaller(known), known.isAdmin)) };

  const credential = c.get("credential");
  if (credential.kind !== "key") throw unauthorized();
  const now = new Date().toISOString();
  // The lookup goes first: it must see the key as it was before any write of the same batch (a
  // caller revoking its own key, or deleting itself, has been authenticated and is answered 200).
  const ref = keyCaller(credential.keyHash, now);
  const { caller: found, ...rows } = await batch(db, { caller: lookupCaller(db, ref), ...build(ref, undefined) });
  const caller = found[0];
  if (!caller) throw unauthorized();
  c.set("caller", caller);
  return { caller, rows: rows as unknown as NamedResults<T> };
}

/** Whether each recently seen key was an administrator's, per isolate: a guess, never an authorization. */
const adminGuesses = new Map<string, boolean>();
const MAX_GUESSES = 1000;

/**
 * For reads whose shape depends on whether the caller is an administrator (the org list sends one
 * read for administrators, three for everyone else). `build` gets what this key's caller was the
 * last time this isolate saw it (undefined if never): a guess that only chooses which reads to
 * send. Every read stays gated on the caller in SQL, so a wrong guess reads nothing it should not;
 * it is then noticed (the key's row says otherwise) and the reads are sent again for the caller now
 * known: one more round trip, once, after a user's admin role changed. Reads only: a batch that
 * writes must not run twice. `guessMatters: false` (the reads are the same either way) never re-reads.
 */
export async function readAsCallerGuessingAdmin<T extends NamedQueries>(
  c: Context<AppEnv>,
  build: (ref: CallerRef, isAdmin: boolean | undefined) => T,
  guessMatters = true,
): Promise<{ caller: Caller; rows: NamedResults<T> }> {
  const credential = c.get("credential");
  if (knownCallerOf(c) || credential.kind !== "key" || !guessMatters) return batchAsCaller(c, build);
  const guess = adminGuesses.get(credential.keyHash);
  const result = await batchAsCaller(c, (ref) => build(ref, guess));
  const isAdmin = result.caller.isAdmin;
  if (guess !== isAdmin) {
    adminGuesses.delete(credential.keyHash); // re-inserted last: the map drops its oldest entries
    adminGuesses.set(credential.keyHash, isAdmin);
    if (adminGuesses.size > MAX_GUESSES) adminGuesses.delete(adminGuesses.keys().next().value!);
  }
  // The caller is known now, so batchAsCaller builds for it.
  return guess !== undefined && guess !== isAdmin ? batchAsCaller(c, build) : result;
}

/** The caller alone, for handlers that need nothing else read first. */
export async function requireCaller(c: Context<AppEnv>): Promise<Caller> {
  return (await batchAsCaller(c, () => ({}))).caller;
}

/**
 * For routes under /api/v1/org/{orgName}: the org (with the caller's access to it) and the route's
 * reads, in the same single batch as the key lookup. An org the caller may not see is answered
 * 404 here, before the route looks at its own results.
 */
export async function batchInOrg<T extends NamedQueries>(
  c: Context<AppEnv>,
  build: (scope: OrgScope) => T,
): Promise<{ caller: Caller; org: OrgRow; rows: NamedResults<T> }> {
  const db = c.get("db");
  const orgName = c.req.param("orgName") ?? "";
  const orgId = orgIdNamed(orgName);
  const { caller, rows } = await batchAsCaller(c, (ref) => ({
    ...build({ caller: ref, orgName, orgId }),
    thisOrg: findOrg(db, ref, { name: orgName }),
  }));
  const { thisOrg, ...own } = rows;
  return { caller, org: requireVisibleOrg(thisOrg[0], orgName), rows: own as unknown as NamedResults<T> };
}

export function requireAdmin(caller: Caller, action: string): void {
  if (!caller.isAdmin) throw forbidden(`Only administrators may ${action}`);
}

/** What the rules need of an org: read with the caller's `access` (administrator, owner, or member of any of its teams). */
export interface OrgAccess {
  id: string;
  name: string;
  visibility: Visibility;
  ownerId: string | null;
  access: boolean;
}

export const canSeeOrg = (org: OrgAccess) => org.visibility === "PUBLIC" || org.access;

export function requireVisibleOrg<T extends OrgAccess>(org: T | undefined, orgName: string): T {
  if (!org || !canSeeOrg(org)) throw notFound(`Organization '${orgName}'`);
  return org;
}

/** For an org the caller can see: 403 unless it has access (administrator, owner or member). */
export function requireOrgAccess<T extends OrgAccess>(org: T, action: string): T {
  if (!org.access) throw forbidden(`Only members of organization '${org.name}' may ${action}`);
  return org;
}

/**
 * What the rules need of a project, secret or JSON store: its visibility, and the caller's level on
 * it as the read computed it (`callerLevel` of db/orgs.ts: 0 none, then LEVEL_RANK).
 */
export interface ResourceAccess {
  visibility: Visibility;
  level: number;
}

/** The caller may know the resource exists: it holds READER on it, or the resource and its org are PUBLIC. */
export const canSeeResource = (org: OrgAccess, r: ResourceAccess) =>
  r.level >= LEVEL_RANK.READER || (org.visibility === "PUBLIC" && r.visibility === "PUBLIC");

/**
 * The resource, if the caller holds `level` on it; "SEE" asks only that it may know the resource
 * (its metadata). 404 for a resource the caller may not see, so its existence does not leak;
 * 403 for one it sees without the level.
 *
 * `orgGate`: the caller must also have org access (administrator, the org's owner, or a member),
 * as Concord's "members only" org gate asks before its checks. It matters only for a resource's
 * owner who does not (or no longer) belong to the org: it keeps OWNER on what it owns, but may not
 * change it. On by default for WRITER and OWNER (Concord's writes); off where Concord asks no
 * gate (deleting a project or a JSON store), on for reading a store's items.
 */
export function requireResource<T extends ResourceAccess>(
  org: OrgAccess,
  r: T | undefined,
  what: string,
  level: AccessLevel | "SEE",
  { orgGate = level === "WRITER" || level === "OWNER" }: { orgGate?: boolean } = {},
): T {
  if (!r || !canSeeResource(org, r)) throw notFound(what);
  if (level !== "SEE" && r.level < LEVEL_RANK[level]) {
    const holders = level === "OWNER" ? "a team granted OWNER" : `a team granted ${level} or higher`;
    throw forbidden(`${what}: ${level} access is required (administrators, its owner, the organization's owner, or ${holders})`);
  }
  if (orgGate && !org.access) throw forbidden(`${what}: the caller is not a member of organization '${org.name}'`);
  return r;
}

/** Administrators and the org's owner administer the org's teams. */
export const isOrgAdmin = (caller: Caller, org: OrgAccess) => caller.isAdmin || org.ownerId === caller.id;

/** Who may change a team and its members: org admins, and the team's OWNERs and MAINTAINERs. */
export const canManageTeam = (caller: Caller, org: OrgAccess, role: string | null) =>
  isOrgAdmin(caller, org) || role === "OWNER" || role === "MAINTAINER";

/** The org an update names to move a resource to (Concord's orgId / orgName), and how it was read. */
export interface MoveTarget {
  field: string;
  by: { id: string } | { name: string };
  /** the org read by `by` (db/orgs.ts findOrg), with the caller's access to it */
  row?: OrgRow;
  /** the org's name also sent (orgName beside orgId), in that field: it must name the same org */
  alsoNamed?: { field: string; name: string };
}

/** The target an update body names: orgId first, as Concord reads it, else orgName. */
export const moveTargetOf = (body: { orgId?: string; orgName?: string }, nameField = "orgName"): MoveTarget | undefined =>
  body.orgId !== undefined
    ? { field: "orgId", by: { id: body.orgId.toLowerCase() }, alsoNamed: body.orgName === undefined ? undefined : { field: nameField, name: body.orgName } }
    : body.orgName !== undefined
      ? { field: nameField, by: { name: body.orgName } }
      : undefined;

/**
 * Where a project, secret or JSON store belongs after a create-or-update: the target org if the
 * request names another one, else its own. Moving needs OWNER on the resource and org access in
 * the target; a new one (`resource` undefined) is created in the path's org. An org the caller may
 * not see, an orgName that is not the org of orgId, or another org for a new one is 400 naming the field.
 */
export function moveTarget(org: OrgRow, resource: ResourceAccess | undefined, what: string, target: MoveTarget | undefined, fields = "request body"): OrgRow {
  if (!target) return org;
  const found = target.row;
  if (!found || !canSeeOrg(found)) throw invalidField(target.field, "no such organization", fields);
  if (target.alsoNamed && target.alsoNamed.name.toLowerCase() !== found.name.toLowerCase()) {
    throw invalidField(target.alsoNamed.field, `is not the organization of orgId ('${found.name}')`, fields);
  }
  if (found.id === org.id) return org;
  if (!resource) throw invalidField(target.field, `must be the organization of the path: ${what} is created there (move it afterwards)`, fields);
  requireResource(org, resource, what, "OWNER");
  return requireOrgAccess(found, "move things into it");
}

