import { describe, expect, it } from "vitest";
import { ADMIN_ID, addToNewTeam, call, count, createOrg, createUser, expectError, form, snapshot, uniqueName } from "./helpers";

const projectsOf = (org: string) => `/api/v1/org/${org}/project`;
const reposOf = (org: string, project: string) => `/api/v1/org/${org}/project/${project}/repository`;

async function createSecret(org: string, name: string, extra: Record<string, string> = {}) {
  const res = await call("POST", `/api/v1/org/${org}/secret`, { raw: form({ name, type: "DATA", data: "s3cr3t", ...extra }) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id as string;
}

describe("projects", () => {
  it("create, get (with repositories), update by name and by id (rename)", async () => {
    const org = await createOrg();
    const name = uniqueName("proj");
    const created = await call("POST", projectsOf(org.name), { json: { name, description: "d", meta: { a: 1 }, cfg: { b: 2 } } });
    expect(created.body).toEqual({ ok: true, result: "CREATED", id: expect.any(String) });
    const got = await call("GET", `${projectsOf(org.name)}/${name.toUpperCase()}`);
    expect(got.body).toEqual({
      id: created.body.id,
      name,
      orgId: org.id,
      orgName: org.name,
      description: "d",
      visibility: "PUBLIC",
      owner: { id: ADMIN_ID, username: "admin" },
      meta: { a: 1 },
      cfg: { b: 2 },
      rawPayloadMode: "DISABLED",
      outVariablesMode: "DISABLED",
      processExecMode: "READERS",
      repositories: [],
    });

    expect((await call("POST", projectsOf(org.name), { json: { name, visibility: "PRIVATE", meta: { c: 3 } } })).body).toEqual({
      ok: true,
      result: "UPDATED",
      id: created.body.id,
    });
    const renamed = uniqueName("renamed");
    await call("POST", projectsOf(org.name), { json: { id: created.body.id, name: renamed } });
    const after = await call("GET", `${projectsOf(org.name)}/${renamed}`);
    expect(after.body).toMatchObject({ name: renamed, visibility: "PRIVATE", meta: { c: 3 }, cfg: { b: 2 } });
    expectError(await call("GET", `${projectsOf(org.name)}/${name}`), 404, "NOT_FOUND");
  });

  it("refuses a rename onto a taken name (409, any case), bad fields (400) and an unknown id (404), changing nothing", async () => {
    const org = await createOrg();
    const [mine, other] = [uniqueName("proj"), uniqueName("other")];
    const created = await call("POST", projectsOf(org.name), { json: { name: mine } });
    expect(created.status).toBe(200);
    expect((await call("POST", projectsOf(org.name), { json: { name: other } })).status).toBe(200);
    const before = await snapshot();
    expectError(await call("POST", projectsOf(org.name), { json: { id: created.body.id, name: other.toUpperCase() } }), 409, "CONFLICT");
    expectError(await call("POST", projectsOf(org.name), { json: { name: "bad name" } }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", projectsOf(org.name), { json: { name: other, visibility: "OPEN" } }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", projectsOf(org.name), { json: { name: other, meta: [] } }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", projectsOf(org.name), { json: { id: crypto.randomUUID() } }), 404, "NOT_FOUND");
    expect(await snapshot()).toBe(before);
  });

  it("lists by name with offset, limit, filter and a Link header", async () => {
    const org = await createOrg();
    for (const n of ["gamma", "Alpha", "beta", "alpha2"]) await call("POST", projectsOf(org.name), { json: { name: n } });
    const all = await call("GET", projectsOf(org.name));
    expect(all.body.map((p: { name: string }) => p.name)).toEqual(["Alpha", "alpha2", "beta", "gamma"]);
    const page = await call("GET", `${projectsOf(org.name)}?limit=2&offset=1`);
    expect(page.body.map((p: { name: string }) => p.name)).toEqual(["alpha2", "beta"]);
    expect(page.headers.get("Link")).toBe(`<${projectsOf(org.name)}?limit=2&offset=3>; rel="next"`);
    expect((await call("GET", `${projectsOf(org.name)}?filter=ALPHA`)).body.map((p: { name: string }) => p.name)).toEqual(["Alpha", "alpha2"]);
    expectError(await call("GET", `${projectsOf(org.name)}?limit=0`), 400, "VALIDATION_FAILED");
  });

  it("PRIVATE projects are 404 to non-members of a PUBLIC org and to members without a grant; only members create", async () => {
    const org = await createOrg();
    const [member, stranger] = [await createUser(), await createUser()];
    await addToNewTeam(org.name, member);
    const priv = uniqueName("priv");
    const pub = uniqueName("pub");
    await call("POST", projectsOf(org.name), { json: { name: priv, visibility: "PRIVATE" } });
    await call("POST", projectsOf(org.name), { json: { name: pub } });

    expectError(await call("GET", `${projectsOf(org.name)}/${priv}`, { key: stranger.key }), 404, "NOT_FOUND");
    const strangerList = await call("GET", projectsOf(org.name), { key: stranger.key });
    expect(strangerList.body.map((p: { name: string }) => p.name)).toEqual([pub]);
    expect(strangerList.roundTrips).toBe(1);
    expect((await call("GET", `${projectsOf(org.name)}/${pub}`, { key: stranger.key })).status).toBe(200);
    expectError(await call("GET", `${projectsOf(org.name)}/${priv}`, { key: member.key }), 404, "NOT_FOUND");
    expect((await call("GET", projectsOf(org.name), { key: member.key })).body.map((p: { name: string }) => p.name)).toEqual([pub]);
    // A grant to one of the member's teams shows it (test/access.test.ts covers every level).
    const team = await addToNewTeam(org.name, member);
    expect((await call("POST", `${projectsOf(org.name)}/${priv}/access`, { json: { teamName: team, level: "READER" } })).status).toBe(200);
    expect((await call("GET", `${projectsOf(org.name)}/${priv}`, { key: member.key })).status).toBe(200);
    expect((await call("GET", projectsOf(org.name), { key: member.key })).body).toHaveLength(2);

    const before = await snapshot();
    expectError(await call("POST", projectsOf(org.name), { key: stranger.key, json: { name: uniqueName("p") } }), 403, "FORBIDDEN");
    expectError(await call("DELETE", `${projectsOf(org.name)}/${pub}`, { key: stranger.key }), 403, "FORBIDDEN");
    expect(await snapshot()).toBe(before);
    const byMember = await call("POST", projectsOf(org.name), { key: member.key, json: { name: uniqueName("p") } });
    expect(byMember.body.result).toBe("CREATED");
    expect(byMember.roundTrips).toBe(2);

    const privOrg = await createOrg({ visibility: "PRIVATE" });
    expectError(await call("GET", projectsOf(privOrg.name), { key: stranger.key }), 404, "NOT_FOUND");
    expectError(await call("POST", projectsOf(privOrg.name), { key: stranger.key, json: { name: uniqueName("p") } }), 404, "NOT_FOUND");
  });
});

describe("repositories", () => {
  it("create with every URL form, list, update, delete; url required; bad URLs refused", async () => {
    const org = await createOrg();
    const project = uniqueName("proj");
    await call("POST", projectsOf(org.name), { json: { name: project } });
    const urls = ["https://github.com/a/b.git", "http://git.local/x", "ssh://git@host:22/repo.git", "git@github.com:walmartlabs/concord.git"];
    for (const [i, url] of urls.entries()) {
      const res = await call("POST", reposOf(org.name, project), { json: { name: `repo-${i}`, url, branch: "main" } });
      expect(res.body, url).toMatchObject({ ok: true, result: "CREATED" });
    }
    const list = await call("GET", reposOf(org.name, project));
    expect(list.body.map((r: { url: string }) => r.url)).toEqual(urls);
    expect(list.body[0]).toEqual({ id: expect.any(String), name: "repo-0", projectName: project, url: urls[0], branch: "main", disabled: false, triggersDisabled: false });

    const upd = await call("POST", reposOf(org.name, project), { json: { name: "repo-0", commitId: "abc123", disabled: true, meta: { k: 1 } } });
    expect(upd.body.result).toBe("UPDATED");
    const got = await call("GET", `${projectsOf(org.name)}/${project}`);
    expect(got.body.repositories[0]).toMatchObject({ name: "repo-0", commitId: "abc123", disabled: true, meta: { k: 1 }, branch: "main" });

    const before = await snapshot();
    for (const url of ["ftp://x/y", "github.com/a/b", "javascript:alert(1)", "https://", "git@host", ""]) {
      expectError(await call("POST", reposOf(org.name, project), { json: { name: "bad-url", url } }), 400, "VALIDATION_FAILED");
    }
    expectError(await call("POST", reposOf(org.name, project), { json: { name: "no-url" } }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", reposOf(org.name, project), { json: { name: "repo-1", url: urls[0], disabled: "yes" } }), 400, "VALIDATION_FAILED");
    for (const [field, value] of [["commitId", "not-hex!"], ["branch", ""], ["path", 5], ["meta", []], ["secretName", "a b"]] as const) {
      const res = await call("POST", reposOf(org.name, project), { json: { name: "repo-1", url: urls[0], [field]: value } });
      expectError(res, 400, "VALIDATION_FAILED");
      expect(res.body.details[0].id).toBe(field);
    }
    expectError(await call("POST", reposOf(org.name, uniqueName("nope")), { json: { name: "r-1", url: urls[0] } }), 404, "NOT_FOUND");
    expect(await snapshot()).toBe(before);

    expect((await call("DELETE", `${reposOf(org.name, project)}/repo-1`)).body).toEqual({ ok: true, result: "DELETED" });
    expectError(await call("DELETE", `${reposOf(org.name, project)}/repo-1`), 404, "NOT_FOUND");
    expect((await call("GET", reposOf(org.name, project))).body).toHaveLength(3);
  });

  it("a secretName must name a secret of the same org, usable by this project; deleting the secret unlinks it", async () => {
    const org = await createOrg();
    const otherOrg = await createOrg();
    const project = uniqueName("proj");
    const otherProject = uniqueName("proj");
    await call("POST", projectsOf(org.name), { json: { name: project } });
    await call("POST", projectsOf(org.name), { json: { name: otherProject } });
    await createSecret(org.name, "git-creds");
    await createSecret(otherOrg.name, "foreign-creds");
    await createSecret(org.name, "restricted", { project: otherProject });

    const before = await snapshot();
    const foreign = await call("POST", reposOf(org.name, project), { json: { name: "repo", url: "https://x/y", secretName: "foreign-creds" } });
    expectError(foreign, 400, "VALIDATION_FAILED");
    expect(foreign.body.details[0].id).toBe("secretName");
    expectError(await call("POST", reposOf(org.name, project), { json: { name: "repo", url: "https://x/y", secretName: "restricted" } }), 400, "VALIDATION_FAILED");
    expect(await snapshot()).toBe(before);

    await call("POST", reposOf(org.name, project), { json: { name: "repo", url: "https://x/y", secretName: "git-creds" } });
    expect((await call("GET", reposOf(org.name, project))).body[0].secretName).toBe("git-creds");
    await call("DELETE", `/api/v1/org/${org.name}/secret/git-creds`);
    const after = await call("GET", reposOf(org.name, project));
    expect(after.body).toHaveLength(1);
    expect(after.body[0].secretName).toBeUndefined();
  });

  it("deleting a project removes its repositories only; a project with secrets restricted to it is kept (409)", async () => {
    const org = await createOrg();
    const [doomed, kept] = [uniqueName("doomed"), uniqueName("kept")];
    await call("POST", projectsOf(org.name), { json: { name: doomed } });
    await call("POST", projectsOf(org.name), { json: { name: kept } });
    const secretId = await createSecret(org.name, "shared");
    await call("POST", reposOf(org.name, doomed), { json: { name: "r-a", url: "https://x/a", secretName: "shared" } });
    await call("POST", reposOf(org.name, kept), { json: { name: "r-b", url: "https://x/b", secretName: "shared" } });
    const doomedId = (await call("GET", `${projectsOf(org.name)}/${doomed}`)).body.id;
    expect(await count(`SELECT 1 FROM repositories WHERE project_id = ?`, doomedId)).toBe(1);

    const res = await call("DELETE", `${projectsOf(org.name)}/${doomed}`);
    expect(res.body).toEqual({ ok: true, result: "DELETED" });
    expect(await count(`SELECT 1 FROM repositories WHERE project_id = ?`, doomedId)).toBe(0);
    expect(await count(`SELECT 1 FROM secrets WHERE id = ?`, secretId)).toBe(1);
    expect((await call("GET", reposOf(org.name, kept))).body.map((r: { name: string }) => r.name)).toEqual(["r-b"]);

    const guarded = uniqueName("guarded");
    await call("POST", projectsOf(org.name), { json: { name: guarded } });
    await createSecret(org.name, "only-guarded", { project: guarded });
    const before = await snapshot();
    expectError(await call("DELETE", `${projectsOf(org.name)}/${guarded}`), 409, "CONFLICT");
    expect(await snapshot()).toBe(before);
  });
});
