import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { hasAccessToOrg } from "./orgs";
import { projects, secrets } from "./schema";
import { lowerEq } from "./sql";

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
};

export type SecretRow = {
  id: string;
  name: string;
  type: "DATA" | "USERNAME_PASSWORD" | "KEY_PAIR";
  visibility: "PUBLIC" | "PRIVATE";
  encryptedBy: "SERVER_KEY" | "PASSWORD";
  projectId: string | null;
  projectName: string | null;
  publicKey: string | null;
};

export const findSecret = (db: Database, orgId: SQL, name: string) =>
  db
    .select(secretColumns)
    .from(secrets)
    .leftJoin(projects, eq(projects.id, secrets.projectId))
    .where(and(eq(secrets.orgId, orgId), lowerEq(secrets.name, name)));

/** The secrets the caller may read: PUBLIC ones, or all with org access. */
export const listSecrets = (db: Database, ref: CallerRef, orgId: SQL) =>
  db
    .select(secretColumns)
    .from(secrets)
    .leftJoin(projects, eq(projects.id, secrets.projectId))
    .where(and(eq(secrets.orgId, orgId), sql`(${secrets.visibility} = 'PUBLIC' OR ${hasAccessToOrg(orgId, ref)})`))
    .orderBy(asc(sql`lower(${secrets.name})`));

/** The encrypted value, for the one endpoint that decrypts it. */
export const findSecretCiphertext = (db: Database, orgId: SQL, name: string) =>
  db
    .select({ ...secretColumns, ciphertext: secrets.ciphertext, iv: secrets.iv, salt: secrets.salt })
    .from(secrets)
    .leftJoin(projects, eq(projects.id, secrets.projectId))
    .where(and(eq(secrets.orgId, orgId), lowerEq(secrets.name, name)));
