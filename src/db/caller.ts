/**
 * Who is calling, resolved inside the request's first D1 batch.
 *
 * A handler describes its reads as a function of the caller (`CallerRef`: SQL fragments for the
 * caller's user id and admin flag) and `batchAsCaller` runs the API-key lookup and those reads in one
 * round trip. If the key turns out to be unknown or expired, the reads ran with a NULL caller (they
 * saw nothing private, changed nothing) and the request is answered 401.
 */
import { and, eq, gt, isNull, or, sql, type SQL } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { requireVisibleOrg } from "../lib/access";
import { ApiError } from "../lib/errors";
import { findOrg, type OrgRow } from "./orgs";
import type { Database } from "./client";
import { bindPlaceholders, prepared, runBatch } from "./prepared";
import { apiKeys, users } from "./schema";

export const ADMIN_USER_ID = "230c5c9c-d9a7-11e6-bcfd-bb681c07b26c";
export const ADMIN_USERNAME = "admin";

export interface Caller {
  id: string;
  username: string;
  isAdmin: boolean;
}

/**
 * The caller inside SQL: placeholders (filled by batchAsCaller), so queries that use it have the
 * same SQL for every caller and can be prepared once (db/prepared.ts).
 */
export interface CallerRef {
  kind: "known" | "key";
  /** a derived table of one row (caller_id, caller_is_admin), none for an unknown key */
  rows: SQL;
  /** the caller's user id (NULL for an unknown or expired key) */
  id: SQL;
  /** 1 when the caller is an administrator */
  isAdmin: SQL;
}

/** A caller already known (the admin key, or a key resolved earlier in the request). */
const KNOWN_CALLER: CallerRef = {
  kind: "known",
  rows: sql`(SELECT ${sql.placeholder("callerId")} AS caller_id, ${sql.placeholder("callerIsAdmin")} AS caller_is_admin)`,
  id: sql`${sql.placeholder("callerId")}`,
  isAdmin: sql`${sql.placeholder("callerIsAdmin")}`,
};

/**
 * A caller known only by its key's hash: resolved inside each statement. Valid = that hash, not
 * expired, and its user not disabled (conditions on api_keys joined to users).
 */
const validKey = and(
  eq(apiKeys.keyHash, sql.placeholder("keyHash")),
  or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql.placeholder("now"))),
  eq(users.disabled, false),
);
const keyCallerId = sql`(SELECT ${apiKeys.userId} FROM ${apiKeys}
  INNER JOIN ${users} ON ${users.id} = ${apiKeys.userId} WHERE ${validKey})`;
const KEY_CALLER: CallerRef = {
  kind: "key",
  rows: sql`(SELECT ${apiKeys.userId} AS caller_id, ${users.isAdmin} AS caller_is_admin FROM ${apiKeys}
    INNER JOIN ${users} ON ${users.id} = ${apiKeys.userId} WHERE ${validKey})`,
  id: keyCallerId,
  isAdmin: sql`(SELECT ${users.isAdmin} FROM ${users} WHERE ${users.id} = ${keyCallerId})`,
};

const lookupCaller = prepared((db: Database) =>
  db
    .select({ id: users.id, username: users.username, isAdmin: users.isAdmin })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(validKey),
);

/**
 * `condition` about the caller, with the caller resolved once (its parameters bound once). Prefer
 * it to `ref.id`/`ref.isAdmin` where a condition names the caller more than once.
 */
export const callerMatches = (ref: CallerRef, condition: (callerId: SQL, callerIsAdmin: SQL) => SQL) =>
  sql`EXISTS (SELECT 1 FROM ${ref.rows} AS caller WHERE ${condition(sql.raw("caller.caller_id"), sql.raw("caller.caller_is_admin"))})`;

const unauthorized = () => new ApiError("UNAUTHORIZED", "Unknown or expired API key");

export async function batchAsCaller<T extends readonly BatchItem<"sqlite">[]>(
  c: Context<AppEnv>,
  build: (ref: CallerRef) => [...T],
  /** values for placeholders the built queries share (e.g. `orgName` of ORG_ID) */
  shared: Record<string, unknown> = {},
): Promise<[Caller, BatchResponse<T>]> {
  const db = c.get("db");
  const known = c.get("caller") ?? adminCaller(c);
  if (known) {
    const values = { ...shared, callerId: known.id, callerIsAdmin: known.isAdmin ? 1 : 0 };
    const items = build(KNOWN_CALLER).map((item) => bindPlaceholders(db, item, values));
    const results = items.length ? await runBatch(db, items) : [];
    return [known, results as BatchResponse<T>];
  }

  const credential = c.get("credential");
  if (credential.kind !== "key") throw unauthorized();
  const values = { ...shared, keyHash: credential.keyHash, now: new Date().toISOString() };
  const items = build(KEY_CALLER).map((item) => bindPlaceholders(db, item, values));
  const [found, ...results] = await runBatch(db, [lookupCaller(db, values), ...items] as const);
  const caller = found[0];
  if (!caller) throw unauthorized();
  c.set("caller", caller);
  return [caller, results as BatchResponse<T>];
}

/** The caller alone, for handlers whose queries need the caller's identity first. */
export async function requireCaller(c: Context<AppEnv>): Promise<Caller> {
  const [caller] = await batchAsCaller(c, () => []);
  return caller;
}

export function requireAdmin(caller: Caller, action: string): void {
  if (!caller.isAdmin) throw new ApiError("FORBIDDEN", `Only administrators may ${action}`);
}

function adminCaller(c: Context<AppEnv>): Caller | undefined {
  if (c.get("credential").kind !== "admin") return undefined;
  const caller = { id: ADMIN_USER_ID, username: ADMIN_USERNAME, isAdmin: true };
  c.set("caller", caller);
  return caller;
}

/**
 * For routes under /api/v1/org/{orgName}: the org (with the caller's access to it) and the route's
 * own queries, scoped by ORG_ID (db/orgs.ts), in the same single batch as the key lookup. An org
 * the caller may not see is answered 404 here, before the route looks at its own results.
 */
export async function batchInOrg<T extends readonly BatchItem<"sqlite">[]>(
  c: Context<AppEnv>,
  build: (ref: CallerRef) => [...T],
): Promise<[Caller, OrgRow, BatchResponse<T>]> {
  const db = c.get("db");
  const orgName = c.req.param("orgName") ?? "";
  const [caller, [orgRows, ...rest]] = await batchAsCaller(
    c,
    (ref) => [findOrg(db, ref, { name: orgName }), ...build(ref)],
    { orgName },
  );
  return [caller, requireVisibleOrg(orgRows[0], orgName), rest as unknown as BatchResponse<T>];
}
