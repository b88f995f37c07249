/** Secrets of the org of the request's path (ORG_ID, db/orgs.ts). */
import { and, asc, eq, sql } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { hasAccessToOrg, ORG_ID } from "./orgs";
import { prepared } from "./prepared";
import { projects, secrets } from "./schema";
import { contains, lowerEq, type Page } from "./sql";

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
  projectVisibility: sql<"PUBLIC" | "PRIVATE" | null>`${projects.visibility}`.as("project_visibility"),
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
  projectVisibility: "PUBLIC" | "PRIVATE" | null;
  publicKey: string | null;
};

/** Secrets with their project's name and visibility. */
const selectSecrets = (db: Database) => db.select(secretColumns).from(secrets).leftJoin(projects, eq(projects.id, secrets.projectId));

const findSecretPrepared = prepared((db: Database) =>
  selectSecrets(db)
    .where(and(eq(secrets.orgId, ORG_ID), lowerEq(secrets.name, secretName))),
);

export const findSecret = (db: Database, name: string) => findSecretPrepared(db, { secretName: name });

const findSecretsByRefsPrepared = prepared((db: Database) =>
  selectSecrets(db)
    .where(
      and(
        eq(secrets.orgId, ORG_ID),
        sql`(${secrets.id} IN (SELECT value FROM json_each(${sql.placeholder("ids")}))
          OR lower(${secrets.name}) IN (SELECT lower(value) FROM json_each(${sql.placeholder("names")})))`,
      ),
    ),
);

/** The org's secrets named by id or name (case-insensitive), however many: one JSON parameter each. */
export const findSecretsByRefs = (db: Database, ids: string[], names: string[]) =>
  findSecretsByRefsPrepared(db, { ids: JSON.stringify(ids), names: JSON.stringify(names) });

const listSecretsPrepared = prepared((db: Database, ref: CallerRef, filtered: boolean) =>
  selectSecrets(db)
    .where(
      and(
        eq(secrets.orgId, ORG_ID),
        sql`(${secrets.visibility} = 'PUBLIC' OR ${hasAccessToOrg(ORG_ID, ref)})`,
        filtered ? contains(secrets.name, sql.placeholder("filter")) : undefined,
      ),
    )
    .orderBy(asc(sql`lower(${secrets.name})`))
    .limit(sql.placeholder("limit"))
    .offset(sql.placeholder("offset")),
);

/** A page of the secrets the caller may read (PUBLIC ones, or all with org access); one extra row tells "more". */
export const listSecrets = (db: Database, ref: CallerRef, q: Page) =>
  listSecretsPrepared(db, { filter: q.filter ?? null, limit: q.limit + 1, offset: q.offset }, ref, q.filter !== undefined);

const findSecretCiphertextPrepared = prepared((db: Database) =>
  db
    .select({ ...secretColumns, ciphertext: secrets.ciphertext, iv: secrets.iv, salt: secrets.salt })
    .from(secrets)
    .leftJoin(projects, eq(projects.id, secrets.projectId))
    .where(and(eq(secrets.orgId, ORG_ID), lowerEq(secrets.name, secretName))),
);

/** The encrypted value, for the one endpoint that decrypts it. */
export const findSecretCiphertext = (db: Database, name: string) => findSecretCiphertextPrepared(db, { secretName: name });
