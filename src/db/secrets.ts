/** Secrets of the org of id `orgId` (a value such as `orgIdNamed(name)`). */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { CallerRef } from "./caller";
import type { ChangedField } from "./sql";
import type { Database } from "./client";
import { refuseIf } from "./preconditions";
import { dropGrants } from "./grants";
import { byIdsOrNames, callerLevel, fromCallerAndOrg, holdsOwnership, LEVEL_RANK, readableChildren, seesResource, type OrgScope } from "./orgs";
import { organizations, projects, repositories, secretProjects, secrets } from "./schema";
import { byLowerName, lowerEq, nowIso, pageOfNames, type Page } from "./sql";

/** A project a secret is restricted to; its name only for callers who may see the project. */
export interface ProjectRef {
  id: string;
  name?: string;
}

/** What may be shown about a secret: never its ciphertext. */
const secretColumns = {
  id: secrets.id,
  name: secrets.name,
  type: secrets.type,
  visibility: secrets.visibility,
  encryptedBy: secrets.encryptedBy,
  publicKey: secrets.publicKey,
  ownerId: secrets.ownerId,
  version: sql<number>`${secrets.version}`.as("secret_version"),
};

/**
 * A secret's columns, with the projects it is restricted to (a JSON array of {id, name}, names in
 * order and only of projects the caller may see, then the others by id), read by primary key for a
 * restricted secret only.
 */
const secretColumnsFor = (ref: CallerRef) => ({
  ...secretColumns,
  projects: sql<string>`(CASE WHEN ${secrets.restricted} THEN (SELECT json_group_array(json_object('id', "id", 'name', "name")) FROM (
      SELECT "id", "name" FROM (
        SELECT ${projects.id} AS "id", CASE WHEN ${seesResource("project", ref)} THEN ${projects.name} END AS "name" FROM ${secretProjects}
        INNER JOIN ${projects} ON ${projects.id} = ${secretProjects.projectId}
        WHERE ${secretProjects.secretId} = ${secrets.id})
      ORDER BY "name" IS NULL, lower("name"), "id")) ELSE '[]' END)`
    .mapWith((text: string) => (JSON.parse(text) as { id: string; name: string | null }[]).map((p): ProjectRef => (p.name === null ? { id: p.id } : { id: p.id, name: p.name })))
    .as("projects"),
});

/** For checks on one secret: every project it is restricted to, by id (also those the caller may not see). */
const restrictedTo = sql<string>`(CASE WHEN ${secrets.restricted} THEN (SELECT json_group_array(${secretProjects.projectId}) FROM ${secretProjects} WHERE ${secretProjects.secretId} = ${secrets.id}) ELSE '[]' END)`
  .mapWith((text: string) => JSON.parse(text) as string[])
  .as("restricted_to");
/** The path's org's secret of that name, with its project and the caller's level on it. */
export const findSecret = (db: Database, s: OrgScope, name: string) =>
  fromCallerAndOrg(db, s, { ...secretColumnsFor(s.caller), restrictedTo, level: callerLevel("secret", s.caller).as("level") })
    .crossJoin(secrets)
    .where(and(lowerEq(organizations.name, s.orgName), eq(secrets.orgId, organizations.id), lowerEq(secrets.name, name)));

export type SecretRow = Awaited<ReturnType<typeof findSecret>>[number];

/** The path's org's secrets named by id or name (case-insensitive), however many, with the caller's level on each. */
export const findSecretsByRefs = (db: Database, s: OrgScope, ids: string[], names: string[]) => {
  const select = (where: SQL) =>
    fromCallerAndOrg(db, s, { ...secretColumnsFor(s.caller), restrictedTo, level: callerLevel("secret", s.caller).as("level") })
      .crossJoin(secrets)
      .where(where);
  const [byId, byName] = byIdsOrNames(s, "secret", ids, names);
  return select(byId).unionAll(select(byName));
};

/** A page of the secrets of the org of that name the caller may read (see readableChildren and mergeChildren). */
export const listSecrets = (db: Database, s: OrgScope, q: Page) =>
  readableChildren(s, "secret", q, (where, window) =>
    fromCallerAndOrg(db, s, secretColumnsFor(s.caller))
      .crossJoin(secrets)
      .where(and(where, pageOfNames(secrets.name, q)))
      .orderBy(byLowerName(secrets.name))
      .limit(window.limit)
      .offset(window.offset),
  );

/**
 * The secret of that name with its encrypted value (up to 512 KiB), read only for callers who may
 * use it: to `read` it (`/data`), READER on it, and for a secret restricted to projects the
 * administrators, its owner and the org's owner; to `update` it (re-encrypt), WRITER on it. Others
 * get the row without the value (the route answers them 403 or 404).
 */
export const findSecretCiphertext = (db: Database, s: OrgScope, name: string, purpose: "read" | "update") => {
  const level = callerLevel("secret", s.caller);
  const ownership = holdsOwnership("secret", s.caller);
  const may =
    purpose === "update"
      ? sql`${level} >= ${sql.raw(String(LEVEL_RANK.WRITER))}`
      : sql`(CASE WHEN NOT ${secrets.restricted} THEN ${level} >= ${sql.raw(String(LEVEL_RANK.READER))} ELSE ${ownership} END)`;
  const ifAllowed = <C extends SQLiteColumn>(column: C) => sql`CASE WHEN ${may} THEN ${column} END`.mapWith(column);
  return fromCallerAndOrg(db, s, {
    ...secretColumnsFor(s.caller),
    restrictedTo,
    level: level.as("level"),
    ownership: sql<number>`${ownership}`.mapWith(Boolean).as("ownership"),
    ciphertext: ifAllowed(secrets.ciphertext).as("ciphertext"),
    iv: ifAllowed(secrets.iv).as("iv"),
    salt: ifAllowed(secrets.salt).as("salt"),
  })
    .crossJoin(secrets)
    .where(and(lowerEq(organizations.name, s.orgName), eq(secrets.orgId, organizations.id), lowerEq(secrets.name, name)));
};

export type SecretValueRow = Awaited<ReturnType<typeof findSecretCiphertext>>[number];

/** Restricts the secret to these projects (ids of its org), if `when` holds: one statement whatever the count. */
const restrictTo = (db: Database, secretId: string, projectIds: string[], when: SQL = sql`true`) =>
  projectIds.length > 0
    ? db.insert(secretProjects).select(sql`SELECT ${secretId}, value FROM json_each(${JSON.stringify(projectIds)}) WHERE ${when}`)
    : undefined;

export const insertSecret = (db: Database, secret: typeof secrets.$inferInsert & { id: string }, projectIds: string[]) => ({
  inserted: db.insert(secrets).values(secret),
  restricted: restrictTo(db, secret.id, projectIds),
});

export type SecretChanges = Partial<
  Pick<typeof secrets.$inferInsert, "name" | "visibility" | "ownerId" | "type" | "encryptedBy" | "ciphertext" | "iv" | "salt" | "publicKey">
>;

/** The secret is still in the org it was read in, with the value it was read with (`readIv`, when a new value is written). */
export const stillAsRead = (id: string, orgId: string, readIv?: Buffer) =>
  and(eq(secrets.id, id), eq(secrets.orgId, orgId), readIv ? eq(secrets.iv, readIv) : undefined)!;

/** The fields a secret update may change (a move changes `orgId`), for its audit entry's `changes` (db/audit.ts). */
export const secretChangedFields = (changes: SecretChanges & { orgId?: string }): ChangedField[] => [
  ["name", secrets.name, changes.name],
  ["orgId", secrets.orgId, changes.orgId],
  ["type", secrets.type, changes.type],
  ["visibility", secrets.visibility, changes.visibility],
  ["ownerId", secrets.ownerId, changes.ownerId],
];

/**
 * Updates the secret of the org `orgId`; replaces its restriction when `projectIds` is given ([]
 * lifts it); moves it to `toOrgId`, with its new name if any (last: a trigger refuses the move
 * while a restriction or a repository of the old org refers to it), and drops its grants there
 * (they name teams of the old org). A new value (`changes.iv`) is written only over the value that
 * was read (`readIv`). The other statements run only if `updated` wrote: after a concurrent change
 * of the value, or a concurrent move, nothing changes and `updated` is empty (the route answers 409).
 */
export function updateSecret(
  db: Database,
  id: string,
  orgId: string,
  changes: SecretChanges,
  opts: { projectIds?: string[]; readIv?: Buffer; toOrgId?: string },
) {
  // Whether `updated` wrote: the new IV is in place, or (no new value) the secret is still in its org.
  const wrote = changes.iv
    ? sql`EXISTS (SELECT 1 FROM ${secrets} WHERE ${secrets.id} = ${id} AND ${secrets.iv} = ${changes.iv})`
    : sql`EXISTS (SELECT 1 FROM ${secrets} WHERE ${secrets.id} = ${id} AND ${secrets.orgId} = ${orgId})`;
  // Renamed as it moves: the new name must be free in the target org, not in the old one.
  const { name, ...rest } = changes;
  const here = opts.toOrgId ? rest : changes;
  return {
    updated: db
      .update(secrets)
      // The legacy single-project column is cleared with any change of the restriction (schema.ts).
      .set({ ...here, ...(opts.projectIds && { projectId: null }), updatedAt: nowIso })
      .where(stillAsRead(id, orgId, opts.readIv))
      .returning({ id: secrets.id }),
    ...(opts.projectIds && {
      unrestricted: db.delete(secretProjects).where(and(eq(secretProjects.secretId, id), wrote)),
      restricted: opts.toOrgId ? undefined : restrictTo(db, id, opts.projectIds, wrote),
      // last of the restriction: a repository that came into use meanwhile outside it refuses it all
      stillRestrictable: opts.projectIds.length > 0 && !opts.toOrgId ? refuseIf(db, usedOutsideRestriction(id)) : undefined,
    }),
    ...(opts.toOrgId && {
      moved: db.update(secrets).set({ orgId: opts.toOrgId, name }).where(and(eq(secrets.id, id), wrote)),
      ungranted: dropGrants(db, "secret", id, wrote),
    }),
  };
}

/** The repositories that use the secret, with their projects: a move needs them cleared, a restriction must include their projects. */
export const repositoriesUsing = (db: Database, secretName: string, orgId: SQL) =>
  db
    .select({ repositoryId: repositories.id, projectId: repositories.projectId })
    .from(secrets)
    .innerJoin(repositories, eq(repositories.secretId, secrets.id))
    .where(and(eq(secrets.orgId, orgId), lowerEq(secrets.name, secretName)));

/**
 * Broken when a repository uses the secret in a project outside its restriction (it has one): for
 * the end of a batch that writes a restriction (db/preconditions.ts refuseIf), against a repository
 * written since the restriction's checks read. The other side is migration 0019's triggers.
 */
export const usedOutsideRestriction = (secretId: string) =>
  sql`EXISTS (SELECT 1 FROM ${secretProjects} WHERE ${secretProjects.secretId} = ${secretId})
    AND EXISTS (SELECT 1 FROM ${repositories} WHERE ${repositories.secretId} = ${secretId}
      AND NOT EXISTS (SELECT 1 FROM ${secretProjects} WHERE ${secretProjects.secretId} = ${secretId} AND ${secretProjects.projectId} = ${repositories.projectId}))`;

/** Repositories that used it keep existing without a secret (ON DELETE SET NULL). */
export const deleteSecret = (db: Database, id: string) => db.delete(secrets).where(eq(secrets.id, id));
