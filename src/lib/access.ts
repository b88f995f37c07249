/**
 * Who may see and change what inside an organization. Rows come from queries that computed the
 * caller's `access` (administrator, owner, or member of any of the org's teams) in SQL.
 * Something the caller may not see is "not found" (404), so its existence does not leak; something
 * it sees but may not change is 403.
 */
import type { Visibility } from "../db/schema";
import { ApiError, notFound } from "./errors";

export interface OrgAccess {
  id: string;
  name: string;
  visibility: Visibility;
  ownerId: string | null;
  access: boolean;
}

export const canSeeOrg = (org: OrgAccess) => org.visibility === "PUBLIC" || org.access;

/** Anyone reads a PUBLIC org's PUBLIC children; the rest needs org access. */
export const canReadChild = (org: OrgAccess, childVisibility: Visibility) =>
  org.access || (org.visibility === "PUBLIC" && childVisibility === "PUBLIC");

export function requireVisibleOrg<T extends OrgAccess>(org: T | undefined, orgName: string): T {
  if (!org || !canSeeOrg(org)) throw notFound(`Organization '${orgName}'`);
  return org;
}

/** For an org the caller can see: 403 unless it has access (administrator, owner or member). */
export function requireOrgAccess<T extends OrgAccess>(org: T, action: string): T {
  if (!org.access) throw new ApiError("FORBIDDEN", `Only members of organization '${org.name}' may ${action}`);
  return org;
}

export function requireReadableChild<T extends { visibility: Visibility }>(
  org: OrgAccess,
  child: T | undefined,
  what: string,
): T {
  if (!child || !canReadChild(org, child.visibility)) throw notFound(what);
  return child;
}
