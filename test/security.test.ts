// Regression tests for defects found by trying the API as a hostile caller or with Concord's shapes.
import { describe, expect, it } from "vitest";
import { addToNewTeam, type ApiResponse, call, createOrg, createUser, expectError, form, snapshot, uniqueName } from "./helpers";

const orgs = "/api/v1/org";
const projectsOf = (org: string) => `/api/v1/org/${org}/project`;

describe("what a caller may not see does not leak", () => {
  it("POST /org by a non-administrator: a PRIVATE org's name answers exactly as an unused name (403)", async () => {
    const stranger = await createUser();
    const hidden = await createOrg({ visibility: "PRIVATE" });
    const before = await snapshot();
    const forHidden = await call("POST", orgs, { key: stranger.key, json: { name: hidden.name } });
    const forUnused = await call("POST", orgs, { key: stranger.key, json: { name: uniqueName() } });
    expectError(forHidden, 403, "FORBIDDEN");
    expect(forHidden.body).toEqual(forUnused.body);
    expect(await snapshot()).toBe(before);

    // An owner still updates its own org by name.
    const owner = await createUser();
    const owned = await createOrg({ visibility: "PRIVATE", owner: { id: owner.id } });
    const updated = await call("POST", orgs, { key: owner.key, json: { name: owned.name, meta: { x: 1 } } });
    expect(updated.body).toEqual({ ok: true, result: "UPDATED", id: owned.id });
  });

  it("POST /org by a non-administrator naming an owner: a user that exists answers exactly as one that does not (403)", async () => {
    const [stranger, someone] = [await createUser(), await createUser()];
    const [ownedOrg, othersOrg] = [await createOrg({ owner: { id: stranger.id } }), await createOrg()];
    const before = await snapshot();
    const owners = [{ username: someone.username }, { username: uniqueName("nobody") }, { id: someone.id }, { id: crypto.randomUUID() }];
    const answers = new Set<string>();
    for (const owner of owners) {
      // a create (only administrators may), and an update of an org the caller does not own
      for (const json of [{ name: uniqueName(), owner }, { id: othersOrg.id, owner }]) {
        const res = await call("POST", orgs, { key: stranger.key, json });
        expectError(res, 403, "FORBIDDEN");
        answers.add(`${"id" in json}:${res.body.message}`);
      }
    }
    expect(answers.size).toBe(2); // one message for creates, one for updates, whoever the owner named
    expect(await snapshot()).toBe(before);
    // the org's own owner may change its owner: for it, an unknown user is a 400 naming the field
    const unknown = await call("POST", orgs, { key: stranger.key, json: { id: ownedOrg.id, owner: { username: uniqueName("nobody") } } });
    expectError(unknown, 400, "VALIDATION_FAILED");
    expect(JSON.stringify(unknown.body.details)).toContain("owner");
  });

  it("a PRIVATE secret's name is not shown through a PUBLIC project's repositories to those who may not see it", async () => {
    const org = await createOrg();
    const [member, stranger] = [await createUser(), await createUser()];
    const team = await addToNewTeam(org.name, member);
    const project = uniqueName("proj");
    await call("POST", projectsOf(org.name), { json: { name: project } });
    await call("POST", `/api/v1/org/${org.name}/secret`, { raw: form({ name: "hidden-creds", type: "DATA", data: "x", visibility: "PRIVATE" }) });
    await call("POST", `/api/v1/org/${org.name}/secret`, { raw: form({ name: "open-creds", type: "DATA", data: "x" }) });
    const repos = `${projectsOf(org.name)}/${project}/repository`;
    await call("POST", repos, { json: { name: "r-private", url: "https://git.example/a.git", secretName: "hidden-creds" } });
    await call("POST", repos, { json: { name: "r-public", url: "https://git.example/b.git", secretName: "open-creds" } });

    const asStranger = await call("GET", `${projectsOf(org.name)}/${project}`, { key: stranger.key });
    expect(asStranger.status).toBe(200);
    expect(JSON.stringify(asStranger.body)).not.toContain("hidden-creds");
    expect(asStranger.body.repositories.map((r: { secretName?: string }) => r.secretName)).toEqual([undefined, "open-creds"]);
    const listed = await call("GET", repos, { key: stranger.key });
    expect(listed.body.map((r: { secretName?: string }) => r.secretName)).toEqual([undefined, "open-creds"]);

    // A member sees it only with a grant on the secret.
    expect((await call("GET", repos, { key: member.key })).body.map((r: { secretName?: string }) => r.secretName)).toEqual([undefined, "open-creds"]);
    await call("POST", `/api/v1/org/${org.name}/secret/hidden-creds/access`, { json: { teamName: team, level: "READER" } });
    const asMember = await call("GET", repos, { key: member.key });
    expect(asMember.body.map((r: { secretName?: string }) => r.secretName)).toEqual(["hidden-creds", "open-creds"]);
  });

  it("a PRIVATE project's name is not shown as a PUBLIC secret's projectName to those who may not see it", async () => {
    const org = await createOrg();
    const [member, stranger] = [await createUser(), await createUser()];
    const team = await addToNewTeam(org.name, member);
    const project = uniqueName("secret-proj");
    await call("POST", projectsOf(org.name), { json: { name: project, visibility: "PRIVATE" } });
    await call("POST", `/api/v1/org/${org.name}/secret`, { raw: form({ name: "scoped", type: "DATA", data: "x", project }) });

    for (const path of [`/api/v1/org/${org.name}/secret/scoped`, `/api/v1/org/${org.name}/secret`]) {
      const res = await call("GET", path, { key: stranger.key });
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(project);
    }
    expect((await call("GET", `/api/v1/org/${org.name}/secret/scoped`, { key: member.key })).body.projectName).toBeUndefined();
    await call("POST", `${projectsOf(org.name)}/${project}/access`, { json: { teamName: team, level: "READER" } });
    expect((await call("GET", `/api/v1/org/${org.name}/secret/scoped`, { key: member.key })).body.projectName).toBe(project);
  });

  it("a PRIVATE project of a PUBLIC org is 404 to outsiders on every route, never 403", async () => {
    const org = await createOrg();
    const stranger = await createUser();
    const project = uniqueName("priv");
    expect((await call("POST", projectsOf(org.name), { json: { name: project, visibility: "PRIVATE" } })).status).toBe(200);
    expect((await call("POST", `${projectsOf(org.name)}/${project}/repository`, { json: { name: "main", url: "https://git.example/a.git" } })).status).toBe(200);
    const base = `${projectsOf(org.name)}/${project}`;
    // Both are there (the admin sees them), so the stranger's 404s hide them rather than report them missing.
    expect((await call("GET", `${base}/repository`)).body.map((r: { name: string }) => r.name)).toEqual(["main"]);
    const before = await snapshot();
    for (const [method, path, json] of [
      ["GET", base],
      ["DELETE", base],
      ["GET", `${base}/repository`],
      ["POST", `${base}/repository`, { name: "other", url: "https://git.example/b.git" }],
      ["DELETE", `${base}/repository/main`],
    ] as const) {
      expectError(await call(method, path, { key: stranger.key, ...(json ? { json } : {}) }), 404, "NOT_FOUND");
    }
    expect(await snapshot()).toBe(before);
  });
});

describe("filters and paging", () => {
  it("a filter finds every name that contains it verbatim, non-ASCII included, ASCII in any case", async () => {
    const org = await createOrg();
    const store = uniqueName("inv");
    await call("POST", `/api/v1/org/${org.name}/jsonstore`, { json: { name: store } });
    const items = `/api/v1/org/${org.name}/jsonstore/${store}/item`;
    for (const path of ["Éclair-x", "crème-brûlée", "plain"]) {
      expect((await call("PUT", `${items}/${encodeURIComponent(path)}`, { json: { v: 1 } })).status).toBe(200);
    }
    const find = async (filter: string) => (await call("GET", `${items}?filter=${encodeURIComponent(filter)}`)).body;
    expect(await find("Éclair-x")).toEqual(["Éclair-x"]);
    expect(await find("ÉCLAIR-X")).toEqual(["Éclair-x"]);
    expect(await find("brûlée")).toEqual(["crème-brûlée"]);
    expect(await find("BRÛLÉE")).toEqual([]); // non-ASCII letters compare exactly (SQLite's lower() is ASCII-only)
    expect(await find("PLAIN")).toEqual(["plain"]);
  });

  it("following Link next from any first page visits every matching row exactly once", async () => {
    const tag = uniqueName("pg").replace(/-/g, "");
    const names = Array.from({ length: 7 }, (_, i) => `${tag}-${String.fromCharCode(97 + i)}`);
    for (const name of names) await createOrg({ name });
    const follow = async (first: string) => {
      const seen: string[] = [];
      let url: string | undefined = first;
      for (let pages = 0; url && pages < 20; pages++) {
        const res: ApiResponse = await call("GET", url);
        expect(res.status, url).toBe(200);
        seen.push(...res.body.map((o: { name: string }) => o.name));
        url = /<([^>]+)>; rel="next"/.exec(res.headers.get("Link") ?? "")?.[1];
      }
      return seen;
    };
    expect(await follow(`${orgs}?filter=${tag}&after=&offset=1&limit=2`)).toEqual(names.slice(1));
    expect(await follow(`${orgs}?filter=${tag}&after=${names[1]}&limit=2`)).toEqual(names.slice(2));
    expect(await follow(`${orgs}?filter=${tag}&offset=2&limit=2`)).toEqual(names.slice(2));
    expect(await follow(`${orgs}?filter=${tag}&limit=3`)).toEqual(names);
  });

  it("following Link next from a plain first page visits every row once while rows come and go between pages", async () => {
    const org = await createOrg();
    const teams = ["tma", "tmb", "tmc", "tmd", "tme", "tmf"];
    for (const name of teams) expect((await call("POST", `/api/v1/org/${org.name}/team`, { json: { name } })).status).toBe(200);
    const next = (res: ApiResponse) => /<([^>]+)>; rel="next"/.exec(res.headers.get("Link") ?? "")?.[1];
    const names = (res: ApiResponse): string[] => res.body.map((t: { name: string }) => t.name);
    /** the first page, then `between`, then every next page */
    const follow = async (between: () => Promise<unknown>) => {
      const first = await call("GET", `/api/v1/org/${org.name}/team?limit=3`);
      const seen = names(first);
      await between();
      for (let url = next(first); url; ) {
        const res = await call("GET", url);
        seen.push(...names(res));
        url = next(res);
      }
      return seen;
    };
    // a row of the page already read goes: nothing after it is skipped
    expect(await follow(() => call("DELETE", `/api/v1/org/${org.name}/team/default`))).toEqual(["default", ...teams]);
    // a row sorting before the page read comes: nothing is read twice
    expect(await follow(() => call("POST", `/api/v1/org/${org.name}/team`, { json: { name: "aaa" } }))).toEqual(teams);
  });
});
