/** Secrets of the org of id `orgId` (a value such as `orgIdNamed(name)`). */
import { and, eq, sql, type SQLWrapper } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { accessibleOrg, fromCallerAndOrg, readableChildren, type OrgScope } from "./orgs";
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
  projectVisibility: sql<"PUBLIC" | "PRIVATE" | null>`${projects.visibility}`.as("project_visibility"),
  publicKey: secrets.publicKey,
};

/** The org's secret of that name, with its project's name and visibility. */
export const findSecret = (db: Database, orgId: SQLWrapper, name: string) =>
  db
    .select(secretColumns)
    .from(secrets)
    .leftJoin(projects, eq(projects.id, secrets.projectId))
    .where(and(eq(secrets.orgId, orgId), lowerEq(secrets.name, name)));

export type SecretRow = Awaited<ReturnType<typeof findSecret>>[number];

/**
 * The org's secrets named by id or name (case-insensitive), however many: one JSON parameter each.
 * Two index lookups joined by UNION ALL (an OR of the two would scan the org's secrets).
 */
export const findSecretsByRefs = (db: Database, s: OrgScope, ids: string[], names: string[]) => {
  const select = () =>
    db.select(secretColumns).from(s.caller.table).crossJoin(secrets).leftJoin(projects, eq(projects.id, secrets.projectId));
  return select()
    // `+org_id`: not an index choice, so SQLite looks the ids up by primary key instead of walking the org's secrets.
    .where(and(sql`+${secrets.orgId} = ${s.orgId}`, sql`${secrets.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`))
    .unionAll(
      select().where(
        and(eq(secrets.orgId, s.orgId), sql`lower(${secrets.name}) IN (SELECT lower(value) FROM json_each(${JSON.stringify(names)}))`),
      ),
    );
};

/** A page of the secrets of the org of that name the caller may read (see readableChildren); one extra row tells "more". */
export const listSecrets = (db: Database, s: OrgScope, q: Page) =>
  readableChildren(s, secrets.visibility, (where) =>
    fromCallerAndOrg(db, s, secretColumns)
      .crossJoin(secrets)
      .leftJoin(projects, eq(projects.id, secrets.projectId))
      .where(and(where, eq(secrets.orgId, organizations.id), pageOfNames(secrets.name, q)))
      .orderBy(byLowerName(secrets.name))
      .limit(q.limit + 1)
      .offset(q.offset),
  );

/**
 * The secret of that name with its encrypted value, for the one endpoint that decrypts it. The
 * value (up to 512 KiB) is read only for callers with org access, who alone may decrypt; others get
 * the row without it (the route answers them 403 or 404).
 */
export const findSecretCiphertext = (db: Database, s: OrgScope, name: string) => {
  const ifAccess = <C extends SQLiteColumn>(column: C) => sql`CASE WHEN ${accessibleOrg(s)} THEN ${column} END`.mapWith(column);
  return fromCallerAndOrg(db, s, {
    ...secretColumns,
    ciphertext: ifAccess(secrets.ciphertext).as("ciphertext"),
    iv: ifAccess(secrets.iv).as("iv"),
    salt: ifAccess(secrets.salt).as("salt"),
  })
    .crossJoin(secrets)
    .leftJoin(projects, eq(projects.id, secrets.projectId))
    .where(and(lowerEq(organizations.name, s.orgName), eq(secrets.orgId, organizations.id), lowerEq(secrets.name, name)));
};

export const insertSecret = (db: Database, secret: typeof secrets.$inferInsert) => db.insert(secrets).values(secret);

/** Repositories that used it keep existing without a secret (ON DELETE SET NULL). */
export const deleteSecret = (db: Database, id: string) => db.delete(secrets).where(eq(secrets.id, id));
