/** Secrets of the org of id `orgId` (a value such as `orgIdNamed(name)`). */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { callerLevel, fromCallerAndOrg, LEVEL_RANK, holdsOwnership, readableChildren, seesResource, type OrgScope } from "./orgs";
import { organizations, projects, secrets } from "./schema";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { byLowerName, lowerEq, pageOfNames, type Page } from "./sql";

/** What may be shown about a secret: never its ciphertext. */
const secretColumns = {
  id: secrets.id,
  name: secrets.name,
  type: secrets.type,
  visibility: secrets.visibility,
  encryptedBy: secrets.encryptedBy,
  projectId: secrets.projectId,
  projectName: sql<string | null>`${projects.name}`.as("project_name"),
  publicKey: secrets.publicKey,
  ownerId: secrets.ownerId,
};

/** A secret's columns, and whether the caller may see the project it is restricted to (else the answer leaves it out). */
const secretColumnsFor = (ref: CallerRef) => ({
  ...secretColumns,
  projectVisible: sql<number>`(${projects.id} IS NOT NULL AND ${seesResource("project", ref)})`.mapWith(Boolean).as("project_visible"),
});

/** The path's org's secret of that name, with its project and the caller's level on it. */
export const findSecret = (db: Database, s: OrgScope, name: string) =>
  fromCallerAndOrg(db, s, { ...secretColumnsFor(s.caller), level: callerLevel("secret", s.caller).as("level") })
    .crossJoin(secrets)
    .leftJoin(projects, eq(projects.id, secrets.projectId))
    .where(and(lowerEq(organizations.name, s.orgName), eq(secrets.orgId, organizations.id), lowerEq(secrets.name, name)));

export type SecretRow = Awaited<ReturnType<typeof findSecret>>[number];

/**
 * The path's org's secrets named by id or name (case-insensitive), however many, with the caller's
 * level on each: one JSON parameter each. Two index lookups joined by UNION ALL (an OR of the two
 * would scan the org's secrets).
 */
export const findSecretsByRefs = (db: Database, s: OrgScope, ids: string[], names: string[]) => {
  const select = (where: SQL) =>
    fromCallerAndOrg(db, s, { ...secretColumnsFor(s.caller), level: callerLevel("secret", s.caller).as("level") })
      .crossJoin(secrets)
      .leftJoin(projects, eq(projects.id, secrets.projectId))
      .where(and(lowerEq(organizations.name, s.orgName), where));
  return select(
    // `+org_id`: not an index choice, so SQLite looks the ids up by primary key instead of walking the org's secrets.
    sql`+${secrets.orgId} = ${organizations.id} AND ${secrets.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
  ).unionAll(
    select(sql`${secrets.orgId} = ${organizations.id} AND lower(${secrets.name}) IN (SELECT lower(value) FROM json_each(${JSON.stringify(names)}))`),
  );
};

/** A page of the secrets of the org of that name the caller may read (see readableChildren and mergeChildren). */
export const listSecrets = (db: Database, s: OrgScope, q: Page) =>
  readableChildren(s, "secret", q, (where, window) =>
    fromCallerAndOrg(db, s, secretColumnsFor(s.caller))
      .crossJoin(secrets)
      .leftJoin(projects, eq(projects.id, secrets.projectId))
      .where(and(where, pageOfNames(secrets.name, q)))
      .orderBy(byLowerName(secrets.name))
      .limit(window.limit)
      .offset(window.offset),
  );

/**
 * The secret of that name with its encrypted value, for the one endpoint that decrypts it. The
 * value (up to 512 KiB) is read only for callers who may decrypt it (READER on it, and for a secret
 * restricted to a project: administrator, its owner or the org's owner); others get the row without it
 * (the route answers them 403 or 404).
 */
export const findSecretCiphertext = (db: Database, s: OrgScope, name: string) => {
  const level = callerLevel("secret", s.caller);
  const ownership = holdsOwnership("secret", s.caller);
  const mayDecrypt = sql`(CASE WHEN ${secrets.projectId} IS NULL THEN ${level} >= ${sql.raw(String(LEVEL_RANK.READER))} ELSE ${ownership} END)`;
  const ifAllowed = <C extends SQLiteColumn>(column: C) => sql`CASE WHEN ${mayDecrypt} THEN ${column} END`.mapWith(column);
  return fromCallerAndOrg(db, s, {
    ...secretColumnsFor(s.caller),
    level: level.as("level"),
    ownership: sql<number>`${ownership}`.mapWith(Boolean).as("ownership"),
    ciphertext: ifAllowed(secrets.ciphertext).as("ciphertext"),
    iv: ifAllowed(secrets.iv).as("iv"),
    salt: ifAllowed(secrets.salt).as("salt"),
  })
    .crossJoin(secrets)
    .leftJoin(projects, eq(projects.id, secrets.projectId))
    .where(and(lowerEq(organizations.name, s.orgName), eq(secrets.orgId, organizations.id), lowerEq(secrets.name, name)));
};

export const insertSecret = (db: Database, secret: typeof secrets.$inferInsert) => db.insert(secrets).values(secret);

/** Repositories that used it keep existing without a secret (ON DELETE SET NULL). */
export const deleteSecret = (db: Database, id: string) => db.delete(secrets).where(eq(secrets.id, id));
