/** Secrets of the org of the request's path (ORG_ID, db/orgs.ts). */
import { and, asc, eq, sql } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { hasAccessToOrg, ORG_ID } from "./orgs";
import { prepared } from "./prepared";
import { projects, secrets } from "./schema";
import { lowerEq } from "./sql";

const secretName = sql.placeholder("secretName");

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

const findSecretPrepared = prepared((db: Database) =>
  db
    .select(secretColumns)
    .from(secrets)
    .leftJoin(projects, eq(projects.id, secrets.projectId))
    .where(and(eq(secrets.orgId, ORG_ID), lowerEq(secrets.name, secretName))),
);

export const findSecret = (db: Database, name: string) => findSecretPrepared(db, { secretName: name });

const listSecretsPrepared = prepared((db: Database, ref: CallerRef) =>
  db
    .select(secretColumns)
    .from(secrets)
    .leftJoin(projects, eq(projects.id, secrets.projectId))
    .where(and(eq(secrets.orgId, ORG_ID), sql`(${secrets.visibility} = 'PUBLIC' OR ${hasAccessToOrg(ORG_ID, ref)})`))
    .orderBy(asc(sql`lower(${secrets.name})`)),
);

/** The secrets the caller may read: PUBLIC ones, or all with org access. */
export const listSecrets = (db: Database, ref: CallerRef) => listSecretsPrepared(db, {}, ref);

const findSecretCiphertextPrepared = prepared((db: Database) =>
  db
    .select({ ...secretColumns, ciphertext: secrets.ciphertext, iv: secrets.iv, salt: secrets.salt })
    .from(secrets)
    .leftJoin(projects, eq(projects.id, secrets.projectId))
    .where(and(eq(secrets.orgId, ORG_ID), lowerEq(secrets.name, secretName))),
);

/** The encrypted value, for the one endpoint that decrypts it. */
export const findSecretCiphertext = (db: Database, name: string) => findSecretCiphertextPrepared(db, { secretName: name });
