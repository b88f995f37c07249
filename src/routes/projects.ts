import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { batchInOrg } from "../db/caller";
import {
  findProject,
  findRepository,
  listProjects,
  listRepositories,
  type ProjectRow,
  type RepositoryRow,
} from "../db/projects";
import { projects, repositories } from "../db/schema";
import { findSecret } from "../db/secrets";
import { nowIso } from "../db/sql";
import type { AppEnv } from "../env";
import { requireOrgAccess, requireReadableChild, type OrgAccess } from "../lib/access";
import { invalidField, nameRequired, notFound, translateConstraint } from "../lib/errors";
import { nextPageLink } from "../lib/paging";
import { valid } from "../lib/validate";
import { parseJsonText } from "../schemas/common";
import {
  CreateOrUpdateProjectRequest,
  CreateOrUpdateRepositoryRequest,
  ListQuery,
  type ProjectEntry,
  type RepositoryEntry,
} from "../schemas/projects";

const toProjectEntry = (org: OrgAccess, p: ProjectRow): ProjectEntry => ({
  id: p.id,
  name: p.name,
  orgId: org.id,
  orgName: org.name,
  ...(p.description !== null ? { description: p.description } : {}),
  visibility: p.visibility,
  ...(p.ownerId && p.ownerUsername ? { owner: { id: p.ownerId, username: p.ownerUsername } } : {}),
  ...(p.meta !== null ? { meta: parseJsonText(p.meta) as Record<string, unknown> } : {}),
  ...(p.cfg !== null ? { cfg: parseJsonText(p.cfg) as Record<string, unknown> } : {}),
});

const toRepositoryEntry = (projectName: string, r: RepositoryRow): RepositoryEntry => ({
  id: r.id,
  name: r.name,
  projectName,
  url: r.url,
  ...(r.branch !== null ? { branch: r.branch } : {}),
  ...(r.commitId !== null ? { commitId: r.commitId } : {}),
  ...(r.path !== null ? { path: r.path } : {}),
  ...(r.secretName !== null ? { secretName: r.secretName } : {}),
  disabled: r.disabled,
  ...(r.meta !== null ? { meta: parseJsonText(r.meta) as Record<string, unknown> } : {}),
});

/** Mounted at /api/v1/org/:orgName/project. */
export const projectsRouter = new Hono<AppEnv>()
  .post("/", valid("json", CreateOrUpdateProjectRequest), async (c) => {
    const body = c.req.valid("json");
    if (body.id === undefined && body.name === undefined) throw nameRequired();
    const db = c.get("db");
    const [caller, visibleOrg, [found]] = await batchInOrg(c, () => [
      findProject(db, body.id !== undefined ? { id: body.id } : { name: body.name! }),
    ]);
    const org = requireOrgAccess(visibleOrg, "create or change projects");
    const existing = found[0];
    const fields = { description: body.description, visibility: body.visibility, meta: body.meta, cfg: body.cfg };
    const taken = { unique: `Project '${body.name}' already exists in '${org.name}'` };

    if (existing) {
      await db
        .update(projects)
        .set({ ...fields, name: body.id !== undefined ? body.name : undefined, updatedAt: nowIso })
        .where(eq(projects.id, existing.id))
        .catch((e) => translateConstraint(e, taken));
      return c.json({ ok: true, result: "UPDATED", id: existing.id } as const);
    }
    if (body.id !== undefined) throw notFound(`Project ${body.id}`);
    const id = crypto.randomUUID();
    await db
      .insert(projects)
      .values({ ...fields, id, orgId: org.id, name: body.name!, ownerId: caller.id })
      .catch((e) => translateConstraint(e, { ...taken, foreignKey: `Organization '${org.name}' no longer exists` }));
    return c.json({ ok: true, result: "CREATED", id } as const);
  })

  .get("/", valid("query", ListQuery), async (c) => {
    const q = c.req.valid("query");
    const [, org, [rows]] = await batchInOrg(c, (ref) => [listProjects(c.get("db"), ref, q)]);
    const link = nextPageLink(c.req.url, { offset: q.offset, limit: q.limit, fetched: rows.length });
    if (link) c.header("Link", link);
    return c.json(rows.slice(0, q.limit).map((p) => toProjectEntry(org, p)));
  })

  .get("/:projectName", async (c) => {
    const { projectName } = c.req.param();
    const db = c.get("db");
    const [, org, [found, repos]] = await batchInOrg(c, () => [
      findProject(db, { name: projectName }),
      listRepositories(db, projectName),
    ]);
    const project = requireReadableChild(org, found[0], `Project '${projectName}'`);
    return c.json({ ...toProjectEntry(org, project), repositories: repos.map((r) => toRepositoryEntry(project.name, r)) });
  })

  .delete("/:projectName", async (c) => {
    const { projectName } = c.req.param();
    const db = c.get("db");
    const [, visibleOrg, [found]] = await batchInOrg(c, () => [findProject(db, { name: projectName })]);
    const org = requireOrgAccess(visibleOrg, "delete projects");
    const project = requireReadableChild(org, found[0], `Project '${projectName}'`);
    // Its repositories go with it (CASCADE). Secrets restricted to it block the delete (NO ACTION):
    // removing the project must never silently widen who may use them.
    await db
      .delete(projects)
      .where(eq(projects.id, project.id))
      .catch((e) =>
        translateConstraint(e, {
          foreignKey: `Project '${project.name}' has secrets restricted to it: delete them or move them first`,
        }),
      );
    return c.json({ ok: true, result: "DELETED" } as const);
  });

/** Mounted at /api/v1/org/:orgName/project/:projectName/repository. */
export const repositoriesRouter = new Hono<AppEnv>()
  .post("/", valid("json", CreateOrUpdateRepositoryRequest), async (c) => {
    const body = c.req.valid("json");
    const projectName = c.req.param("projectName") ?? "";
    if (body.id === undefined && body.name === undefined) throw nameRequired();
    const db = c.get("db");
    const [, visibleOrg, [projectRows, repoRows, secretRows]] = await batchInOrg(c, () => [
      findProject(db, { name: projectName }),
      findRepository(db, projectName, body.id !== undefined ? { id: body.id } : { name: body.name! }),
      ...(body.secretName !== undefined ? [findSecret(db, body.secretName)] : []),
    ]);
    const org = requireOrgAccess(visibleOrg, "create or change repositories");
    const project = requireReadableChild(org, projectRows[0], `Project '${projectName}'`);
    const secret = secretRows?.[0];
    if (body.secretName !== undefined) {
      if (!secret) {
        throw invalidField("secretName", `no secret '${body.secretName}' in organization '${org.name}'`);
      }
      if (secret.projectId !== null && secret.projectId !== project.id) {
        throw invalidField("secretName", `secret '${secret.name}' is restricted to project '${secret.projectName}'`);
      }
    }
    const fields = {
      url: body.url,
      branch: body.branch,
      commitId: body.commitId,
      path: body.path,
      secretId: secret?.id,
      disabled: body.disabled,
      meta: body.meta,
    };
    const constraintMessages = {
      unique: `Repository '${body.name}' already exists in project '${project.name}'`,
      foreignKey: "The project or the secret no longer exists",
    };

    const existing = repoRows[0];
    if (existing) {
      await db
        .update(repositories)
        .set({ ...fields, name: body.id !== undefined ? body.name : undefined, updatedAt: nowIso })
        .where(eq(repositories.id, existing.id))
        .catch((e) => translateConstraint(e, constraintMessages));
      return c.json({ ok: true, result: "UPDATED", id: existing.id } as const);
    }
    if (body.id !== undefined) throw notFound(`Repository ${body.id}`);
    if (body.url === undefined) {
      throw invalidField("url", "is required");
    }
    const id = crypto.randomUUID();
    await db
      .insert(repositories)
      .values({ ...fields, id, projectId: project.id, name: body.name!, url: body.url })
      .catch((e) => translateConstraint(e, constraintMessages));
    return c.json({ ok: true, result: "CREATED", id } as const);
  })

  .get("/", async (c) => {
    const projectName = c.req.param("projectName") ?? "";
    const db = c.get("db");
    const [, org, [projectRows, repos]] = await batchInOrg(c, () => [
      findProject(db, { name: projectName }),
      listRepositories(db, projectName),
    ]);
    const project = requireReadableChild(org, projectRows[0], `Project '${projectName}'`);
    return c.json(repos.map((r) => toRepositoryEntry(project.name, r)));
  })

  .delete("/:repoName", async (c) => {
    const projectName = c.req.param("projectName") ?? "";
    const { repoName } = c.req.param();
    const db = c.get("db");
    const [, visibleOrg, [projectRows, repoRows]] = await batchInOrg(c, () => [
      findProject(db, { name: projectName }),
      findRepository(db, projectName, { name: repoName }),
    ]);
    const org = requireOrgAccess(visibleOrg, "delete repositories");
    requireReadableChild(org, projectRows[0], `Project '${projectName}'`);
    const repo = repoRows[0];
    if (!repo) throw notFound(`Repository '${repoName}'`);
    await db.delete(repositories).where(eq(repositories.id, repo.id));
    return c.json({ ok: true, result: "DELETED" } as const);
  });
