import { Hono } from "hono/tiny";
import { sql } from "drizzle-orm";
import { batch } from "../db/client";
import { changesOf } from "../db/audit";
import { dropGrants } from "../db/grants";
import { findOrg, mergeChildren, type OrgRow } from "../db/orgs";
import {
  allRepositories,
  deleteProject,
  deleteRepository,
  findProject,
  findRepository,
  insertProject,
  insertRepository,
  listProjects,
  listRepositories,
  projectChangedFields,
  projectSecretTies,
  repositoryChangedFields,
  replaceRepositories,
  updateProject,
  updateRepository,
  type ProjectRow,
  type RepositoryFields,
  type RepositoryRow,
} from "../db/projects";
import { projects, repositories } from "../db/schema";
import { findSecretsByRefs, type SecretRow } from "../db/secrets";
import { findUser, matchingUser } from "../db/users";
import type { AppEnv } from "../env";
import { batchInOrg, canSeeResource, moveTarget, moveTargetOf, requireOrgAccess, requireResource, type OrgAccess } from "../lib/access";
import { audit, newFields, whileRowExists } from "../lib/audit";
import { ifMatchHolds, takesIfMatch } from "../lib/if-match";
import { ApiError, forbidden, invalidField, nameRequired, notFound, translateConstraint } from "../lib/errors";
import { pageOf } from "../lib/paging";
import { valid } from "../lib/validate";
import { ListQuery, parseJsonText } from "../schemas/common";
import {
  CreateOrUpdateProjectRequest,
  CreateOrUpdateRepositoryRequest,
  type RepositoryRequest,
  type ProjectEntry,
  type RepositoryEntry,
} from "../schemas/projects";

const toProjectEntry = (org: OrgAccess, p: Omit<ProjectRow, "level">): ProjectEntry => ({
  id: p.id,
  name: p.name,
  orgId: org.id,
  orgName: org.name,
  ...(p.description !== null ? { description: p.description } : {}),
  visibility: p.visibility,
  ...(p.ownerId && p.ownerUsername ? { owner: { id: p.ownerId, username: p.ownerUsername } } : {}),
  ...(p.meta !== null ? { meta: parseJsonText(p.meta) as Record<string, unknown> } : {}),
  ...(p.cfg !== null ? { cfg: parseJsonText(p.cfg) as Record<string, unknown> } : {}),
  rawPayloadMode: p.rawPayloadMode,
  outVariablesMode: p.outVariablesMode,
  processExecMode: p.processExecMode,
});

const toRepositoryEntry = (projectName: string, r: RepositoryRow): RepositoryEntry => ({
  id: r.id,
  name: r.name,
  projectName,
  url: r.url,
  ...(r.branch !== null ? { branch: r.branch } : {}),
  ...(r.commitId !== null ? { commitId: r.commitId } : {}),
  ...(r.path !== null ? { path: r.path } : {}),
  // A PRIVATE secret only for callers who may see that secret.
  ...(r.secretId !== null && r.secretName !== null && r.secretVisible
    ? { secretId: r.secretId, secretName: r.secretName }
    : {}),
  disabled: r.disabled,
  triggersDisabled: r.triggersDisabled,
  ...(r.meta !== null ? { meta: parseJsonText(r.meta) as Record<string, unknown> } : {}),
});

/**
 * A repository's secret: by secretId, else secretName or Concord's alias `secret`; it must be a
 * secret of the org that the caller may see and this project may use (unrestricted, or restricted
 * to projects including this one). `found` holds only secrets the caller may see.
 */
function repositorySecret(
  entry: RepositoryRequest,
  found: SecretRow[],
  project: { id: string | null; name: string },
  field: string,
): SecretRow | undefined {
  const name = entry.secretName ?? entry.secret;
  if (entry.secretName !== undefined && entry.secret !== undefined && entry.secretName.toLowerCase() !== entry.secret.toLowerCase()) {
    throw invalidField(`${field}secret`, "differs from secretName (send one of them)");
  }
  if (entry.secretId === undefined && name === undefined) return undefined;
  const secret =
    entry.secretId !== undefined ? found.find((s) => s.id === entry.secretId) : found.find((s) => s.name.toLowerCase() === name!.toLowerCase());
  const label = entry.secretId !== undefined ? "secretId" : entry.secretName !== undefined ? "secretName" : "secret";
  if (!secret) throw invalidField(`${field}${label}`, `no secret '${entry.secretId ?? name}' in this organization`);
  if (secret.restrictedTo.length > 0 && !secret.restrictedTo.includes(project.id ?? "")) {
    throw invalidField(`${field}${label}`, `secret '${secret.name}' is restricted to other projects`);
  }
  return secret;
}

/** The secret references of repository entries, for one read of all of them. */
const secretRefs = (entries: RepositoryRequest[]) => ({
  ids: entries.flatMap((e) => (e.secretId !== undefined ? [e.secretId] : [])),
  names: entries.flatMap((e) => (e.secretName ?? e.secret) ?? []),
});

/** The columns a repository request sets (unsent fields stay as they are on update). */
const repositoryFields = (entry: RepositoryRequest, secret: SecretRow | undefined): RepositoryFields => ({
  url: entry.url,
  branch: entry.branch,
  commitId: entry.commitId,
  path: entry.path,
  secretId: secret?.id,
  disabled: entry.disabled,
  triggersDisabled: entry.triggersDisabled,
  meta: entry.meta,
});

/**
 * A project moves to another org without references to secrets of its old one: its repositories
 * use none (or the request replaces them with ones that use none), and no secret is restricted to
 * it. Otherwise 409 (400 for a replacement that names a secret).
 */
function requireUntied(project: { name: string }, org: OrgRow, ties: { kind: "repository" | "secret"; tieName: string }[], replacing: (RepositoryRequest & { name: string })[] | undefined) {
  const named = (kind: string) => ties.filter((t) => t.kind === kind).map((t) => t.tieName);
  if (replacing) {
    const entry = replacing.find((r) => r.secretId !== undefined || r.secretName !== undefined || r.secret !== undefined);
    if (entry) throw invalidField(`repositories.${entry.name}.${entry.secretId !== undefined ? "secretId" : entry.secretName !== undefined ? "secretName" : "secret"}`, `cannot name a secret while the project moves: secrets stay in '${org.name}'`);
  } else if (named("repository").length > 0) {
    throw new ApiError("CONFLICT", `Project '${project.name}' has repositories using secrets of '${org.name}' (${named("repository").join(", ")}): clear their secrets, or replace the repositories in the same request`);
  }
  // counted, not named: they may be secrets the caller may not see
  const restricted = named("secret").length;
  if (restricted > 0) {
    throw new ApiError("CONFLICT", `${restricted === 1 ? "1 secret" : `${restricted} secrets`} of '${org.name}' ${restricted === 1 ? "is" : "are"} restricted to project '${project.name}': change ${restricted === 1 ? "its restriction" : "their restrictions"} first`);
  }
}

/**
 * The rows of Concord's `repositories` of a project request, which replace the project's
 * repositories as Concord does (every entry needs its url; ids are not accepted).
 */
function repositoryRows(projectId: string, entries: (RepositoryRequest & { name: string })[], secretRows: SecretRow[], projectName: string) {
  const seen = new Set<string>();
  return entries.map((entry) => {
    const field = `repositories.${entry.name}.`;
    if (seen.has(entry.name.toLowerCase())) throw invalidField(`${field}name`, "names a repository twice");
    seen.add(entry.name.toLowerCase());
    if (entry.id !== undefined) throw invalidField(`${field}id`, "is not supported here: the repositories are replaced");
    if (entry.url === undefined) throw invalidField(`${field}url`, "is required");
    const secret = repositorySecret(entry, secretRows, { id: projectId, name: projectName }, field);
    return {
      ...repositoryFields(entry, secret),
      id: crypto.randomUUID(),
      name: entry.name,
      url: entry.url,
      disabled: entry.disabled ?? false,
      triggersDisabled: entry.triggersDisabled ?? false,
    };
  });
}

/** Mounted at /api/v1/org/:orgName/project. */
export const projectsRouter = new Hono<AppEnv>()
  .post("/", takesIfMatch, valid("json", CreateOrUpdateProjectRequest), async (c) => {
    const body = c.req.valid("json");
    if (body.id === undefined && body.name === undefined) throw nameRequired();
    const db = c.get("db");
    const inline = Object.entries(body.repositories ?? {}).map(([key, entry]) => ({ ...entry, name: entry.name ?? key }));
    const refs = secretRefs(inline);
    const by = body.id !== undefined ? { id: body.id } : { name: body.name! };
    const move = moveTargetOf(body);
    const { caller, org, rows } = await batchInOrg(c, (s) => ({
      project: findProject(db, s, by),
      owner: body.owner ? findUser(db, body.owner) : undefined,
      secrets: refs.ids.length || refs.names.length ? findSecretsByRefs(db, s, refs.ids, refs.names) : undefined,
      target: move ? findOrg(db, s.caller, move.by) : undefined,
      ties: move ? projectSecretTies(db, s, by) : undefined,
    }));
    const found = rows.project[0];
    // An update needs WRITER on the project; a create, membership of the org. A project the caller
    // may not see is 404 (by id) and otherwise answered as the create it would be.
    const existing = found && canSeeResource(org, found) ? requireResource(org, found, `Project '${found.name}'`, "WRITER") : undefined;
    if (!existing) {
      if (body.id !== undefined) throw notFound(`Project ${body.id}`);
      requireOrgAccess(org, "create projects");
      // Checked before the owner is looked at, so members learn nothing about which users exist.
      if (body.owner && !caller.isAdmin && org.ownerId !== caller.id) {
        throw forbidden("Only administrators and the organization's owner may create a project for another owner");
      }
    }
    // Moving (orgId / orgName naming another org) needs OWNER on the project and access to the target.
    const target = moveTarget(org, existing, existing ? `Project '${existing.name}'` : "a new project", move && { ...move, row: rows.target?.[0] });
    const moved = target.id !== org.id;
    if (moved) requireUntied(existing!, org, rows.ties ?? [], body.repositories ? inline : undefined);
    const owner = body.owner ? matchingUser(rows.owner?.[0], body.owner) : undefined;
    // Changing the owner of an existing project needs OWNER on it, however the new owner is named;
    // checked before "no such user", so WRITERs learn nothing about which users exist.
    if (existing && body.owner && owner?.id !== existing.ownerId) requireResource(org, existing, `Project '${existing.name}'`, "OWNER");
    if (body.owner && !owner) throw invalidField("owner", "no such user");

    if (!existing && body.id !== undefined) throw notFound(`Project ${body.id}`);
    const projectId = existing?.id ?? crypto.randomUUID();
    const projectName = body.id !== undefined ? (body.name ?? existing!.name) : body.name!;
    const fields = {
      description: body.description,
      visibility: body.visibility,
      ownerId: owner?.id,
      meta: body.meta,
      cfg: body.cfg,
      rawPayloadMode: body.rawPayloadMode,
      outVariablesMode: body.outVariablesMode,
      processExecMode: body.processExecMode,
    };
    const taken = {
      unique: `Project '${projectName}' already exists in '${target.name}'`,
      foreignKey: "The organization, owner or a secret no longer exists",
      refused: `The references between project '${projectName}' and secrets changed meanwhile: read them again and retry`,
    };
    const visibleSecrets = (rows.secrets ?? []).filter((secret) => canSeeResource(org, secret));
    const repos = body.repositories ? replaceRepositories(db, projectId, repositoryRows(projectId, inline, visibleSecrets, projectName)) : {};
    const replaced = body.repositories ? { repositories: inline.map((r) => r.name) } : {};
    const about = { orgId: org.id, orgName: org.name, projectId };
    // An update replaces the repositories first: a move is refused while they use secrets of the old org.
    const changes = { ...fields, name: body.id !== undefined ? body.name : undefined, orgId: moved ? target.id : undefined };
    await batch(
      db,
      existing
        ? {
            precondition: ifMatchHolds(c, sql`(SELECT ${projects.version} FROM ${projects} WHERE ${projects.id} = ${projectId})`),
            audited: audit(c, "PROJECT", "UPDATE", { ...about, name: existing.name, ...replaced }, {
              ...whileRowExists(projects.id, projectId),
              computed: { changes: changesOf(projectChangedFields(changes)) },
            }),
            ...repos,
            project: updateProject(db, projectId, changes),
            ungranted: moved ? dropGrants(db, "project", projectId) : undefined,
          }
        : {
            // If-Match on a project that does not exist (yet) cannot hold
            precondition: ifMatchHolds(c, sql`NULL`),
            project: insertProject(db, { ...fields, id: projectId, orgId: org.id, name: projectName, ownerId: owner?.id ?? caller.id }),
            audited: audit(c, "PROJECT", "CREATE", { ...about, name: projectName, changes: { new: newFields({ ...fields, name: projectName }) }, ...replaced }),
            ...repos,
          },
    ).catch((e) => translateConstraint(e, taken));
    return c.json({ ok: true, result: existing ? "UPDATED" : "CREATED", id: projectId } as const);
  })

  .get("/", valid("query", ListQuery), async (c) => {
    const q = c.req.valid("query");
    const { org, rows } = await batchInOrg(c, (s) => listProjects(c.get("db"), s, q));
    return c.json(pageOf(c, q, mergeChildren(rows, q), (p) => p.name).map((p) => toProjectEntry(org, p)));
  })

  .get("/:projectName", async (c) => {
    const { projectName } = c.req.param();
    const db = c.get("db");
    const { org, rows } = await batchInOrg(c, (s) => ({
      project: findProject(db, s, { name: projectName }),
      repositories: allRepositories(db, s, projectName),
    }));
    const project = requireResource(org, rows.project[0], `Project '${projectName}'`, "SEE");
    c.set("version", project.version);
    return c.json({ ...toProjectEntry(org, project), repositories: rows.repositories.map((r) => toRepositoryEntry(project.name, r)) });
  })

  .delete("/:projectName", async (c) => {
    const { projectName } = c.req.param();
    const db = c.get("db");
    const { org, rows } = await batchInOrg(c, (s) => ({ project: findProject(db, s, { name: projectName }) }));
    // Concord deletes a project without its org gate: its owner may, member of the org or not
    const project = requireResource(org, rows.project[0], `Project '${projectName}'`, "OWNER", { orgGate: false });
    // Its repositories go with it (CASCADE), and it leaves secrets' restrictions; a secret restricted
    // to it alone blocks the delete (a trigger): it must never silently widen who may use the secret.
    await batch(db, {
      audited: audit(c, "PROJECT", "DELETE", { orgId: org.id, orgName: org.name, projectId: project.id, name: project.name }, whileRowExists(projects.id, project.id)),
      deleted: deleteProject(db, project.id),
    }).catch((e) =>
      translateConstraint(e, {
        refused: `Project '${project.name}' is the only project a secret is restricted to: restrict the secret to another project, lift its restriction or delete it first`,
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
    const refs = secretRefs([body]);
    const { org, rows } = await batchInOrg(c, (s) => ({
      project: findProject(db, s, { name: projectName }),
      repository: findRepository(db, s, projectName, body.id !== undefined ? { id: body.id } : { name: body.name! }),
      secrets: refs.ids.length || refs.names.length ? findSecretsByRefs(db, s, refs.ids, refs.names) : undefined,
    }));
    const project = requireResource(org, rows.project[0], `Project '${projectName}'`, "WRITER");
    const visibleSecrets = (rows.secrets ?? []).filter((secret) => canSeeResource(org, secret));
    const secret = repositorySecret(body, visibleSecrets, project, "");
    const constraintMessages = {
      unique: `Repository '${body.name}' already exists in project '${project.name}'`,
      foreignKey: "The project or the secret no longer exists",
      refused: `The secret's restriction or organization changed meanwhile: read it again and retry`,
    };

    const existing = rows.repository[0];
    // Concord records a repository's changes as its project's (PROJECT UPDATE)
    const about = { orgId: org.id, orgName: org.name, projectId: project.id, name: project.name };
    if (existing) {
      const changes = { ...repositoryFields(body, secret), name: body.id !== undefined ? body.name : undefined };
      await batch(db, {
        audited: audit(c, "PROJECT", "UPDATE", { ...about, repository: existing.name }, {
          ...whileRowExists(repositories.id, existing.id),
          computed: { changes: changesOf(repositoryChangedFields(changes)) },
        }),
        updated: updateRepository(db, existing.id, changes),
      }).catch((e) => translateConstraint(e, constraintMessages));
      return c.json({ ok: true, result: "UPDATED", id: existing.id } as const);
    }
    if (body.id !== undefined) throw notFound(`Repository ${body.id}`);
    if (body.url === undefined) throw invalidField("url", "is required");
    const id = crypto.randomUUID();
    const repo = { ...repositoryFields(body, secret), id, projectId: project.id, name: body.name!, url: body.url };
    await batch(db, {
      inserted: insertRepository(db, repo),
      audited: audit(c, "PROJECT", "UPDATE", { ...about, repository: repo.name, changes: { new: { repositories: { [repo.name]: newFields(repo) } } } }),
    }).catch((e) => translateConstraint(e, constraintMessages));
    return c.json({ ok: true, result: "CREATED", id } as const);
  })

  .get("/", valid("query", ListQuery), async (c) => {
    const projectName = c.req.param("projectName") ?? "";
    const q = c.req.valid("query");
    const db = c.get("db");
    const { org, rows } = await batchInOrg(c, (s) => ({
      project: findProject(db, s, { name: projectName }),
      repositories: listRepositories(db, s, projectName, q),
    }));
    const project = requireResource(org, rows.project[0], `Project '${projectName}'`, "SEE");
    return c.json(pageOf(c, q, rows.repositories, (r) => r.name).map((r) => toRepositoryEntry(project.name, r)));
  })

  .delete("/:repoName", async (c) => {
    const projectName = c.req.param("projectName") ?? "";
    const { repoName } = c.req.param();
    const db = c.get("db");
    const { org, rows } = await batchInOrg(c, (s) => ({
      project: findProject(db, s, { name: projectName }),
      repository: findRepository(db, s, projectName, { name: repoName }),
    }));
    const project = requireResource(org, rows.project[0], `Project '${projectName}'`, "WRITER");
    const repo = rows.repository[0];
    if (!repo) throw notFound(`Repository '${repoName}'`);
    await batch(db, {
      audited: audit(c, "PROJECT", "UPDATE", { orgId: org.id, orgName: org.name, projectId: project.id, name: project.name, repository: repo.name, changes: { prev: { repositories: { [repo.name]: { url: repo.url } } } } }, whileRowExists(repositories.id, repo.id)),
      deleted: deleteRepository(db, repo.id),
    });
    return c.json({ ok: true, result: "DELETED" } as const);
  });
