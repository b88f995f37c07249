/** Projects and their repositories. Every result column name is distinct (D1 batches key rows by name). */
import { and, asc, eq, sql } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { hasAccessToOrg, ORG_ID } from "./orgs";
import { prepared } from "./prepared";
import { PAYLOAD_MODES, PROCESS_EXEC_MODES, projects, repositories, secrets, users } from "./schema";
import { contains, lowerEq, type Page } from "./sql";

const p = {
  project: sql.placeholder("project"),
  projectName: sql.placeholder("projectName"),
  repo: sql.placeholder("repo"),
  filter: sql.placeholder("filter"),
  limit: sql.placeholder("limit"),
  offset: sql.placeholder("offset"),
};

const projectColumns = {
  id: projects.id,
  name: projects.name,
  description: projects.description,
  visibility: projects.visibility,
  meta: projects.meta,
  cfg: projects.cfg,
  rawPayloadMode: projects.rawPayloadMode,
  outVariablesMode: projects.outVariablesMode,
  processExecMode: projects.processExecMode,
  ownerId: projects.ownerId,
  ownerUsername: users.username,
};

export type ProjectRow = {
  id: string;
  name: string;
  description: string | null;
  visibility: "PUBLIC" | "PRIVATE";
  meta: string | null;
  cfg: string | null;
  rawPayloadMode: (typeof PAYLOAD_MODES)[number];
  outVariablesMode: (typeof PAYLOAD_MODES)[number];
  processExecMode: (typeof PROCESS_EXEC_MODES)[number];
  ownerId: string | null;
  ownerUsername: string | null;
};

const findProjectPrepared = prepared((db: Database, by: "id" | "name") =>
  db
    .select(projectColumns)
    .from(projects)
    .leftJoin(users, eq(users.id, projects.ownerId))
    .where(and(eq(projects.orgId, ORG_ID), by === "id" ? eq(projects.id, p.project) : lowerEq(projects.name, p.project))),
);

/** A project of the org by id or name. */
export const findProject = (db: Database, by: { id: string } | { name: string }) =>
  "id" in by ? findProjectPrepared(db, { project: by.id }, "id") : findProjectPrepared(db, { project: by.name }, "name");

const listProjectsPrepared = prepared((db: Database, ref: CallerRef, filtered: boolean) =>
  db
    .select(projectColumns)
    .from(projects)
    .leftJoin(users, eq(users.id, projects.ownerId))
    .where(
      and(
        eq(projects.orgId, ORG_ID),
        sql`(${projects.visibility} = 'PUBLIC' OR ${hasAccessToOrg(ORG_ID, ref)})`,
        filtered ? contains(projects.name, p.filter) : undefined,
      ),
    )
    .orderBy(asc(sql`lower(${projects.name})`))
    .limit(p.limit)
    .offset(p.offset),
);

/** A page of the projects the caller may read: PUBLIC ones, or all with org access. One extra row tells "more". */
export const listProjects = (db: Database, ref: CallerRef, q: Page) =>
  listProjectsPrepared(db, { filter: q.filter ?? null, limit: q.limit + 1, offset: q.offset }, ref, q.filter !== undefined);

/** The org's project named by the placeholder `projectName`, as a scalar subquery. */
const PROJECT_ID = sql<string>`(SELECT ${projects.id} FROM ${projects}
  WHERE ${projects.orgId} = ${ORG_ID} AND ${lowerEq(projects.name, p.projectName)})`;

const repositoryColumns = {
  id: repositories.id,
  name: repositories.name,
  url: repositories.url,
  branch: repositories.branch,
  commitId: repositories.commitId,
  path: repositories.path,
  disabled: repositories.disabled,
  triggersDisabled: repositories.triggersDisabled,
  meta: repositories.meta,
  secretId: repositories.secretId,
  secretName: sql<string | null>`${secrets.name}`.as("secret_name"),
  secretVisibility: sql<"PUBLIC" | "PRIVATE" | null>`${secrets.visibility}`.as("secret_visibility"),
};

export type RepositoryRow = {
  id: string;
  name: string;
  url: string;
  branch: string | null;
  commitId: string | null;
  path: string | null;
  disabled: boolean;
  triggersDisabled: boolean;
  meta: string | null;
  secretId: string | null;
  secretName: string | null;
  secretVisibility: "PUBLIC" | "PRIVATE" | null;
};

const listRepositoriesPrepared = prepared((db: Database) =>
  db
    .select(repositoryColumns)
    .from(repositories)
    .leftJoin(secrets, eq(secrets.id, repositories.secretId))
    .where(eq(repositories.projectId, PROJECT_ID))
    .orderBy(asc(sql`lower(${repositories.name})`)),
);

/** The repositories of the org's project of that name. */
export const listRepositories = (db: Database, projectName: string) => listRepositoriesPrepared(db, { projectName });

const listRepositoryPagePrepared = prepared((db: Database, filtered: boolean) =>
  db
    .select(repositoryColumns)
    .from(repositories)
    .leftJoin(secrets, eq(secrets.id, repositories.secretId))
    .where(and(eq(repositories.projectId, PROJECT_ID), filtered ? contains(repositories.name, p.filter) : undefined))
    .orderBy(asc(sql`lower(${repositories.name})`))
    .limit(p.limit)
    .offset(p.offset),
);

/** A page of the repositories of the org's project of that name; one extra row tells "more". */
export const listRepositoryPage = (db: Database, projectName: string, q: Page) =>
  listRepositoryPagePrepared(
    db,
    { projectName, filter: q.filter ?? null, limit: q.limit + 1, offset: q.offset },
    q.filter !== undefined,
  );

const findRepositoryPrepared = prepared((db: Database, by: "id" | "name") =>
  db
    .select(repositoryColumns)
    .from(repositories)
    .leftJoin(secrets, eq(secrets.id, repositories.secretId))
    .where(and(eq(repositories.projectId, PROJECT_ID), by === "id" ? eq(repositories.id, p.repo) : lowerEq(repositories.name, p.repo))),
);

/** A repository, by id or name, of the org's project of that name. */
export const findRepository = (db: Database, projectName: string, by: { id: string } | { name: string }) =>
  "id" in by
    ? findRepositoryPrepared(db, { projectName, repo: by.id }, "id")
    : findRepositoryPrepared(db, { projectName, repo: by.name }, "name");
