/**
 * Projects and their repositories, in the org of id `orgId` (a value such as `orgIdNamed(name)`).
 * Every result column name is distinct (D1 batches key rows by name).
 */
import { and, eq, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { ChangedField } from "./sql";
import type { CallerRef } from "./caller";
import type { Database } from "./client";
import { callerLevel, byIdsOrNames, fromCallerAndOrg, readableChildren, seesResource, type OrgScope } from "./orgs";
import { organizations, projects, repositories, secretProjects, secrets, users } from "./schema";
import { byLowerName, lowerEq, nowIso, pageOfNames, type Page } from "./sql";

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
  ownerUsername: sql<string | null>`${users.username}`.as("owner_username"),
  version: sql<number>`${projects.version}`.as("project_version"),
};

/** A project of the path's org by id or name, with the caller's level on it. */
export const findProject = (db: Database, s: OrgScope, by: { id: string } | { name: string }) =>
  fromCallerAndOrg(db, s, { ...projectColumns, level: callerLevel("project", s.caller).as("level") })
    .crossJoin(projects)
    .leftJoin(users, eq(users.id, projects.ownerId))
    .where(
      and(
        lowerEq(organizations.name, s.orgName),
        eq(projects.orgId, organizations.id),
        "id" in by ? eq(projects.id, by.id) : lowerEq(projects.name, by.name),
      ),
    );

export type ProjectRow = Awaited<ReturnType<typeof findProject>>[number];

/** The path's org's projects named by id or name (case-insensitive), however many, with the caller's level on each. */
export const findProjectsByRefs = (db: Database, s: OrgScope, ids: string[], names: string[]) => {
  const select = (where: SQL) =>
    fromCallerAndOrg(db, s, { ...projectColumns, level: callerLevel("project", s.caller).as("level") })
      .crossJoin(projects)
      .leftJoin(users, eq(users.id, projects.ownerId))
      .where(where);
  const [byId, byName] = byIdsOrNames(s, "project", ids, names);
  return select(byId).unionAll(select(byName));
};

/** A page of the projects of the org of that name the caller may read (see readableChildren and mergeChildren). */
export const listProjects = (db: Database, s: OrgScope, q: Page) =>
  readableChildren(s, "project", q, (where, window) =>
    fromCallerAndOrg(db, s, projectColumns)
      .crossJoin(projects)
      .leftJoin(users, eq(users.id, projects.ownerId))
      .where(and(where, pageOfNames(projects.name, q)))
      .orderBy(byLowerName(projects.name))
      .limit(window.limit)
      .offset(window.offset),
  );

/** The org's project of that name, as a value. */
const projectIdNamed = (orgId: SQLWrapper, projectName: string) =>
  sql<string>`(SELECT ${projects.id} FROM ${projects} WHERE ${projects.orgId} = ${orgId} AND ${lowerEq(projects.name, projectName)})`;

/**
 * What ties the path's org's project (by id or name) to secrets of its org, by name: its repositories
 * that use a secret, and the secrets restricted to it. A move needs both cleared first.
 */
export const projectSecretTies = (db: Database, s: OrgScope, by: { id: string } | { name: string }) => {
  const projectId = sql<string>`(SELECT ${projects.id} FROM ${projects} WHERE ${projects.orgId} = ${s.orgId} AND ${
    "id" in by ? eq(projects.id, by.id) : lowerEq(projects.name, by.name)
  })`;
  return db
    .select({ kind: sql<"repository" | "secret">`'repository'`.as("kind"), tieName: sql<string>`${repositories.name}`.as("tie_name") })
    .from(repositories)
    .where(and(eq(repositories.projectId, projectId), sql`${repositories.secretId} IS NOT NULL`))
    .unionAll(
      db
        .select({ kind: sql<"repository" | "secret">`'secret'`.as("kind"), tieName: sql<string>`${secrets.name}`.as("tie_name") })
        .from(secretProjects)
        .innerJoin(secrets, eq(secrets.id, secretProjects.secretId))
        .where(eq(secretProjects.projectId, projectId)),
    );
};

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
};

/** A repository's columns, and whether the caller may see its secret (else the answer leaves the secret out). */
const repositoryColumnsFor = (ref: CallerRef) => ({
  ...repositoryColumns,
  secretVisible: sql<number>`(${secrets.id} IS NOT NULL AND ${seesResource("secret", ref)})`.mapWith(Boolean).as("secret_visible"),
});

/** Repositories of the path's org's project of that name, if the caller may read that project. */
const readableRepositories = (db: Database, s: OrgScope, projectName: string, where?: SQL) =>
  fromCallerAndOrg(db, s, repositoryColumnsFor(s.caller))
    .crossJoin(projects)
    .crossJoin(repositories)
    .leftJoin(secrets, eq(secrets.id, repositories.secretId))
    .where(
      and(
        lowerEq(organizations.name, s.orgName),
        eq(projects.orgId, organizations.id),
        seesResource("project", s.caller),
        lowerEq(projects.name, projectName),
        eq(repositories.projectId, projects.id),
        where,
      ),
    )
    .orderBy(byLowerName(repositories.name));

/** A page of the repositories of the project of that name, in name order; one extra row tells "more". */
export const listRepositories = (db: Database, s: OrgScope, projectName: string, q: Page) =>
  readableRepositories(db, s, projectName, pageOfNames(repositories.name, q))
    .limit(q.limit + 1)
    .offset(q.offset);

export type RepositoryRow = Awaited<ReturnType<typeof listRepositories>>[number];

/** Every repository of the project of that name (a project's own answer lists them all, as Concord). */
export const allRepositories = (db: Database, s: OrgScope, projectName: string) => readableRepositories(db, s, projectName);

/** A repository, by id or name, of the org's project of that name (for writes: their rules are checked on the project). */
export const findRepository = (db: Database, s: OrgScope, projectName: string, by: { id: string } | { name: string }) =>
  fromCallerAndOrg(db, s, repositoryColumnsFor(s.caller))
    .crossJoin(repositories)
    .leftJoin(secrets, eq(secrets.id, repositories.secretId))
    .where(
    and(
      lowerEq(organizations.name, s.orgName),
      eq(repositories.projectId, projectIdNamed(organizations.id, projectName)),
      "id" in by ? eq(repositories.id, by.id) : lowerEq(repositories.name, by.name),
    ),
  );

export type ProjectFields = Partial<
  Pick<typeof projects.$inferInsert, "description" | "visibility" | "ownerId" | "meta" | "cfg" | "rawPayloadMode" | "outVariablesMode" | "processExecMode">
>;

/** The fields a project update may change (a move changes `orgId`), for its audit entry's `changes` (db/audit.ts). */
export const projectChangedFields = (changes: ProjectFields & { name?: string; orgId?: string }): ChangedField[] => [
  ["name", projects.name, changes.name],
  ["orgId", projects.orgId, changes.orgId],
  ["description", projects.description, changes.description],
  ["visibility", projects.visibility, changes.visibility],
  ["ownerId", projects.ownerId, changes.ownerId],
  ["meta", projects.meta, changes.meta, "json"],
  ["cfg", projects.cfg, changes.cfg, "json"],
  ["rawPayloadMode", projects.rawPayloadMode, changes.rawPayloadMode],
  ["outVariablesMode", projects.outVariablesMode, changes.outVariablesMode],
  ["processExecMode", projects.processExecMode, changes.processExecMode],
];

/** The fields a repository update may change, for the audit entry's `changes`. */
export const repositoryChangedFields = (changes: RepositoryFields & { name?: string }): ChangedField[] => [
  ["name", repositories.name, changes.name],
  ["url", repositories.url, changes.url],
  ["branch", repositories.branch, changes.branch],
  ["commitId", repositories.commitId, changes.commitId],
  ["path", repositories.path, changes.path],
  ["secretId", repositories.secretId, changes.secretId],
  ["disabled", repositories.disabled, changes.disabled, "boolean"],
  ["triggersDisabled", repositories.triggersDisabled, changes.triggersDisabled, "boolean"],
  ["meta", repositories.meta, changes.meta, "json"],
];

export const insertProject = (db: Database, project: ProjectFields & { id: string; orgId: string; name: string }) =>
  db.insert(projects).values(project);

/** `orgId` moves it (a trigger refuses while it refers to secrets of its org, or secrets are restricted to it). */
export const updateProject = (db: Database, id: string, changes: ProjectFields & { name?: string; orgId?: string }) =>
  db.update(projects).set({ ...changes, updatedAt: nowIso }).where(eq(projects.id, id));

/**
 * Its repositories go with it (CASCADE), and it leaves the restrictions of secrets (CASCADE); when it
 * is the only project a secret is restricted to, a trigger refuses the delete (migration 0010).
 */
export const deleteProject = (db: Database, id: string) => db.delete(projects).where(eq(projects.id, id));

export type RepositoryFields = Partial<
  Pick<typeof repositories.$inferInsert, "url" | "branch" | "commitId" | "path" | "secretId" | "disabled" | "triggersDisabled" | "meta">
>;

export const insertRepository = (db: Database, repo: RepositoryFields & { id: string; projectId: string; name: string; url: string }) =>
  db.insert(repositories).values(repo);

export const updateRepository = (db: Database, id: string, changes: RepositoryFields & { name?: string }) =>
  db.update(repositories).set({ ...changes, updatedAt: nowIso }).where(eq(repositories.id, id));

export const deleteRepository = (db: Database, id: string) => db.delete(repositories).where(eq(repositories.id, id));

/**
 * Replaces every repository of a project (Concord's `repositories` of a project request): all
 * deleted, these inserted. Two statements whatever the count: the rows travel as one JSON parameter.
 */
export function replaceRepositories(db: Database, projectId: string, rows: (RepositoryFields & { id: string; name: string; url: string })[]) {
  const field = (name: string) => sql.raw(`json_extract(value, '$.${name}')`);
  return {
    cleared: db.delete(repositories).where(eq(repositories.projectId, projectId)),
    inserted: db.insert(repositories).select(
      // `WHERE true` lets SQLite tell this SELECT's end from what follows.
      sql`SELECT ${field("id")}, ${projectId}, ${field("name")}, ${field("url")}, ${field("branch")}, ${field("commitId")},
          ${field("path")}, ${field("secretId")}, ${field("disabled")}, ${field("triggersDisabled")}, ${field("meta")},
          ${nowIso}, ${nowIso}
          FROM json_each(${JSON.stringify(rows)}) WHERE true`,
    ),
  };
}
