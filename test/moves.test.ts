// Moving projects and JSON stores to another org (orgId / orgName on update; secrets: see
// test/secret-update.test.ts): who may, what goes along, what is refused, and the database's own
// guarantee that no reference between a project and a secret crosses orgs.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addToNewTeam, call, createOrg, createUser, expectError, form, rows, snapshot, type ApiResponse } from "./helpers";

const projects = (org: string) => `/api/v1/org/${org}/project`;
const stores = (org: string) => `/api/v1/org/${org}/jsonstore`;

/** Sends a request that must be refused with `status` (naming `field` for a 400) and change nothing. */
async function expectUnchanged(send: () => Promise<ApiResponse>, status: number, field?: string) {
  const before = await snapshot();
  const res = await send();
  expectError(res, status, { 400: "VALIDATION_FAILED", 403: "FORBIDDEN", 409: "CONFLICT" }[status]!);
  if (field) expect(res.body.details?.map((d: { id: string }) => d.id), JSON.stringify(res.body)).toContain(field);
  expect(await snapshot()).toBe(before);
  return res;
}

/** Grants a new team of `org` holding `user` this level on the resource. */
async function grantTo(org: string, path: string, user: { username: string; id: string; key: string }, level: string) {
  const team = await addToNewTeam(org, user);
  expect((await call("POST", `${path}/access`, { json: { teamName: team, level } })).status).toBe(200);
}

describe("moving projects", { timeout: 60_000 }, () => {
  it("needs OWNER on it and org access in the target; refused while it refers to secrets of its org; repositories go along, grants do not", async () => {
    const [source, target] = [await createOrg(), await createOrg()];
    const [writer, owner] = [await createUser(), await createUser()];
    const created = await call("POST", projects(source.name), { json: { name: "app", visibility: "PRIVATE", repositories: { plain: { url: "https://git.test/plain.git" } } } });
    expect(created.status).toBe(200);
    const id = created.body.id as string;
    await grantTo(source.name, `${projects(source.name)}/app`, writer!, "WRITER");
    await grantTo(source.name, `${projects(source.name)}/app`, owner!, "OWNER");
    const move = (body: Record<string, unknown>, key?: string) => call("POST", projects(source.name), { key, json: { id, ...body } });

    await expectUnchanged(() => move({ orgName: target.name }, writer!.key), 403);
    await expectUnchanged(() => move({ orgName: target.name }, owner!.key), 403); // no access to the target
    await expectUnchanged(() => move({ orgName: "no-such-org-anywhere" }), 400, "orgName");
    await expectUnchanged(() => move({ orgId: crypto.randomUUID() }), 400, "orgId");
    await expectUnchanged(() => move({ orgId: target.id, orgName: source.name }), 400, "orgName");
    expect((await call("POST", projects(target.name), { json: { name: "APP" } })).status).toBe(200);
    await expectUnchanged(() => move({ orgName: target.name }), 409);
    expect((await call("DELETE", `${projects(target.name)}/APP`)).status).toBe(200);

    // a repository using a secret of the source org
    expect((await call("POST", `/api/v1/org/${source.name}/secret`, { raw: form({ name: "git-creds", type: "DATA", data: "x" }) })).status).toBe(200);
    expect((await call("POST", `${projects(source.name)}/app/repository`, { json: { name: "main", url: "https://git.test/main.git", secretName: "git-creds" } })).status).toBe(200);
    const used = await expectUnchanged(() => move({ orgName: target.name }), 409);
    expect(used.body.message).toContain("main");
    await expectUnchanged(
      () => move({ orgName: target.name, repositories: { main: { url: "https://git.test/main.git", secretName: "git-creds" } } }),
      400,
      "repositories.main.secretName",
    );
    // a secret of the source org restricted to it
    expect((await call("POST", `/api/v1/org/${source.name}/secret`, { raw: form({ name: "scoped", type: "DATA", data: "x", projects: "app" }) })).status).toBe(200);
    const restricted = await expectUnchanged(() => move({ orgName: target.name, repositories: { main: { url: "https://git.test/main.git" } } }), 409);
    expect(restricted.body.message).toContain("1 secret of");
    expect((await call("DELETE", `/api/v1/org/${source.name}/secret/scoped`)).status).toBe(200);

    await addToNewTeam(target.name, owner!);
    const moved = await move({ orgName: target.name, repositories: { main: { url: "https://git.test/main.git" }, plain: { url: "https://git.test/plain.git" } } }, owner!.key);
    expect(moved.body).toEqual({ ok: true, result: "UPDATED", id });
    expect((await call("GET", `${projects(source.name)}/app`)).status).toBe(404);
    const entry = (await call("GET", `${projects(target.name)}/app`)).body;
    expect(entry).toMatchObject({ id, orgId: target.id, orgName: target.name, visibility: "PRIVATE" });
    expect(entry.repositories.map((r: { name: string }) => r.name).sort()).toEqual(["main", "plain"]);
    expect(await rows(`SELECT * FROM project_team_access WHERE project_id = ?`, id)).toEqual([]);
    expect((await rows<{ org_id: string }>(`SELECT org_id FROM projects WHERE id = ?`, id))[0]!.org_id).toBe(target.id);
  });

  it("the database refuses any reference between a project and a secret of different orgs, whoever writes it", async () => {
    const [a, b] = [await createOrg(), await createOrg()];
    const projectA = (await call("POST", projects(a.name), { json: { name: "in-a", repositories: { repo: { url: "https://git.test/r.git" } } } })).body.id;
    const projectB = (await call("POST", projects(b.name), { json: { name: "in-b" } })).body.id;
    const secretA = (await call("POST", `/api/v1/org/${a.name}/secret`, { raw: form({ name: "secret-a", type: "DATA", data: "x" }) })).body.id;
    const secretB = (await call("POST", `/api/v1/org/${b.name}/secret`, { raw: form({ name: "secret-b", type: "DATA", data: "x" }) })).body.id;
    const refused = async (statement: string, ...params: unknown[]) => {
      const before = await snapshot();
      await expect(env.DB.prepare(statement).bind(...params).run()).rejects.toThrow(/refused/);
      expect(await snapshot()).toBe(before);
    };
    // a repository of A's project using B's secret: inserted, or updated to it
    await refused(`INSERT INTO repositories (id, project_id, name, url, secret_id) VALUES (?, ?, 'x', 'https://git.test/x', ?)`, crypto.randomUUID(), projectA, secretB);
    await refused(`UPDATE repositories SET secret_id = ? WHERE project_id = ?`, secretB, projectA);
    // a restriction of A's secret to B's project
    await refused(`INSERT INTO secret_projects (secret_id, project_id) VALUES (?, ?)`, secretA, projectB);
    // moving either side of a reference
    await env.DB.prepare(`UPDATE repositories SET secret_id = ? WHERE project_id = ?`).bind(secretA, projectA).run();
    await refused(`UPDATE projects SET org_id = ? WHERE id = ?`, b.id, projectA);
    await refused(`UPDATE secrets SET org_id = ? WHERE id = ?`, b.id, secretA);
    await env.DB.prepare(`UPDATE repositories SET secret_id = NULL WHERE project_id = ?`).bind(projectA).run();
    await env.DB.prepare(`INSERT INTO secret_projects (secret_id, project_id) VALUES (?, ?)`).bind(secretA, projectA).run();
    await refused(`UPDATE projects SET org_id = ? WHERE id = ?`, b.id, projectA);
    await refused(`UPDATE secrets SET org_id = ? WHERE id = ?`, b.id, secretA);
  });

  it("the database refuses a grant naming a team of another org (a grant racing a move), for each kind", async () => {
    const [a, b] = [await createOrg(), await createOrg()];
    const teamB = (await call("POST", `/api/v1/org/${b.name}/team`, { json: { name: "team-b" } })).body.id;
    const ids = {
      project: (await call("POST", projects(a.name), { json: { name: "granted" } })).body.id,
      secret: (await call("POST", `/api/v1/org/${a.name}/secret`, { raw: form({ name: "granted", type: "DATA", data: "x" }) })).body.id,
      json_store: (await call("POST", stores(a.name), { json: { name: "granted" } })).body.id,
    };
    for (const [kind, id] of Object.entries(ids)) {
      const before = await snapshot();
      const insert = env.DB.prepare(`INSERT INTO ${kind}_team_access (${kind}_id, team_id, level) VALUES (?, ?, 'READER')`).bind(id, teamB);
      await expect(insert.run(), kind).rejects.toThrow(/refused/);
      expect(await snapshot()).toBe(before);
    }
  });
});

describe("moving JSON stores", () => {
  it("takes its items along; needs OWNER on it and org access in the target; drops its grants; a name clash is 409", async () => {
    const [source, target] = [await createOrg(), await createOrg()];
    const writer = await createUser();
    const id = (await call("POST", stores(source.name), { json: { name: "inventory" } })).body.id as string;
    for (const [path, value] of [["hosts/web", { ip: "10.0.0.1" }], ["hosts/db", { ip: "10.0.0.2", tags: ["primary"] }]] as const) {
      expect((await call("PUT", `${stores(source.name)}/inventory/item/${path}`, { json: value })).status).toBe(200);
    }
    await grantTo(source.name, `${stores(source.name)}/inventory`, writer!, "WRITER");
    await addToNewTeam(target.name, writer!);

    await expectUnchanged(() => call("POST", stores(source.name), { key: writer!.key, json: { id, orgName: target.name } }), 403);
    // OWNER on the store, but no access to the target org
    const owner = await createUser();
    await grantTo(source.name, `${stores(source.name)}/inventory`, owner, "OWNER");
    await expectUnchanged(() => call("POST", stores(source.name), { key: owner.key, json: { id, orgName: target.name } }), 403);
    await expectUnchanged(() => call("POST", stores(source.name), { json: { id, orgId: target.id, orgName: source.name } }), 400, "orgName");
    expect((await call("POST", stores(target.name), { json: { name: "Inventory" } })).status).toBe(200);
    await expectUnchanged(() => call("POST", stores(source.name), { json: { id, orgId: target.id } }), 409);
    // renamed in the same request, it fits
    const moved = await call("POST", stores(source.name), { json: { id, name: "inventory-2", orgId: target.id } });
    expect(moved.body).toEqual({ ok: true, result: "UPDATED", id });
    expect((await call("GET", `${stores(source.name)}/inventory`)).status).toBe(404);
    expect((await call("GET", `${stores(target.name)}/inventory-2`)).body).toMatchObject({ id, orgId: target.id, orgName: target.name });
    expect((await call("GET", `${stores(target.name)}/inventory-2/item/hosts/db`)).body).toEqual({ ip: "10.0.0.2", tags: ["primary"] });
    expect((await call("GET", `${stores(target.name)}/inventory-2/item`)).body).toEqual(["hosts/db", "hosts/web"]);
    expect(await rows(`SELECT * FROM json_store_team_access WHERE json_store_id = ?`, id)).toEqual([]);
  });
});
