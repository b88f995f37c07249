/** Projects and their repositories. Every result column name is distinct (D1 batches key rows by name). */
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { hasAccessToOrg } from "./orgs";
import { projects, repositories, secrets, users } from "./schema";
import { contains, lowerEq } from "./sql";

const projectColumns = {
  id: projects.id,
  name: projects.name,
  description: projects.description,
  visibility: projects.visibility,
  meta: projects.meta,
  cfg: projects.cfg,
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
  ownerId: string | null;
  ownerUsername: string | null;
};

export const findProject = (db: Database, orgId: SQL, by: { id: string } | { name: string }) =>
  db
    .select(projectColumns)
    .from(projects)
    .leftJoin(users, eq(users.id, projects.ownerId))
    .where(and(eq(projects.orgId, orgId), "id" in by ? eq(projects.id, by.id) : lowerEq(projects.name, by.name)));

/** A page of the projects the caller may read: PUBLIC ones, or all with org access. One extra row tells "more". */
export const listProjects = (
  db: Database,
  ref: CallerRef,
  orgId: SQL,
  q: { offset: number; limit: number; filter?: string },
) =>
  db
    .select(projectColumns)
    .from(projects)
    .leftJoin(users, eq(users.id, projects.ownerId))
    .where(
      and(
        eq(projects.orgId, orgId),
        sql`(${projects.visibility} = 'PUBLIC' OR ${hasAccessToOrg(orgId, ref)})`,
        q.filter ? contains(projects.name, q.filter.toLowerCase()) : undefined,
      ),
    )
    .orderBy(asc(sql`lower(${projects.name})`))
    .limit(q.limit + 1)
    .offset(q.offset);

/** The project of that name in the org, as a scalar subquery. */
export const projectIdOf = (orgId: SQL, projectName: string) =>
  sql<string>`(SELECT ${projects.id} FROM ${projects} WHERE ${projects.orgId} = ${orgId} AND ${lowerEq(projects.name, projectName)})`;

const repositoryColumns = {
  id: repositories.id,
  name: repositories.name,
  url: repositories.url,
  branch: repositories.branch,
  commitId: repositories.commitId,
  path: repositories.path,
  disabled: repositories.disabled,
  meta: repositories.meta,
  secretId: repositories.secretId,
  secretName: sql<string | null>`${secrets.name}`.as("secret_name"),
};

export type RepositoryRow = {
  id: string;
  name: string;
  url: string;
  branch: string | null;
  commitId: string | null;
  path: string | null;
  disabled: boolean;
  meta: string | null;
  secretId: string | null;
  secretName: string | null;
};

export const listRepositories = (db: Database, projectId: SQL) =>
  db
    .select(repositoryColumns)
    .from(repositories)
    .leftJoin(secrets, eq(secrets.id, repositories.secretId))
    .where(eq(repositories.projectId, projectId))
    .orderBy(asc(sql`lower(${repositories.name})`));

export const findRepository = (db: Database, projectId: SQL, by: { id: string } | { name: string }) =>
  db
    .select(repositoryColumns)
    .from(repositories)
    .leftJoin(secrets, eq(secrets.id, repositories.secretId))
    .where(
      and(eq(repositories.projectId, projectId), "id" in by ? eq(repositories.id, by.id) : lowerEq(repositories.name, by.name)),
    );
