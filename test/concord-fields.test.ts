// Concord's clients send Concord's fields: each is implemented with Concord's meaning, or refused with
// a 400 naming it (and nothing changes), never silently dropped.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, count, createOrg, createUser, expectError, form, rows, snapshot, uniqueName } from "./helpers";

const projectsOf = (org: string) => `/api/v1/org/${org}/project`;
const secretsOf = (org: string) => `/api/v1/org/${org}/secret`;

async function keyOwner(key: string): Promise<string | undefined> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return (await rows<{ user_id: string }>(`SELECT user_id FROM api_keys WHERE key_hash = ?`, hex))[0]?.user_id;
}

/** A refused request: 400 whose details name the field, and no table changed. */
async function expectRefused(send: () => Promise<{ status: number; body: any; headers: Headers }>, field: string) {
  const before = await snapshot();
  const res = await send();
  expectError(res as any, 400, "VALIDATION_FAILED");
  expect(res.body.details.map((d: { id: string }) => d.id)).toContain(field);
  expect(await snapshot()).toBe(before);
  return res;
}

describe("API keys as Concord's clients create them", () => {
  it("an administrator's {userId, name} makes a key for that user, not for the administrator", async () => {
    const jdoe = await createUser();
    const res = await call("POST", "/api/v1/apikey", { json: { userId: jdoe.id, name: "ci-key" } });
    expect(res.body).toEqual({ ok: true, result: "CREATED", id: expect.any(String), name: "ci-key", key: expect.any(String) });
    expect(await keyOwner(res.body.key)).toBe(jdoe.id);
    // The key acts as jdoe: jdoe sees itself, and may not create orgs.
    expect((await call("GET", `/api/v1/user/${jdoe.username}`, { key: res.body.key })).body.id).toBe(jdoe.id);
    expectError(await call("POST", "/api/v1/org", { key: res.body.key, json: { name: uniqueName() } }), 403, "FORBIDDEN");
    // By username with the matching userType too.
    const byName = await call("POST", "/api/v1/apikey", { json: { username: jdoe.username.toUpperCase(), userType: "LOCAL" } });
    expect(await keyOwner(byName.body.key)).toBe(jdoe.id);
  });

  it("non-administrators only for themselves (403 for anyone else, existing or not); unknown users are 400 for administrators", async () => {
    const [user, other] = [await createUser(), await createUser()];
    const before = await snapshot();
    expectError(await call("POST", "/api/v1/apikey", { key: user.key, json: { userId: other.id } }), 403, "FORBIDDEN");
    expectError(await call("POST", "/api/v1/apikey", { key: user.key, json: { userId: crypto.randomUUID() } }), 403, "FORBIDDEN");
    expect(await snapshot()).toBe(before);
    await expectRefused(() => call("POST", "/api/v1/apikey", { json: { userId: crypto.randomUUID() } }), "userId");
    await expectRefused(() => call("POST", "/api/v1/apikey", { json: { username: other.username, userType: "LDAP" } }), "username");
    await expectRefused(() => call("POST", "/api/v1/apikey", { json: { username: other.username, userDomain: "corp" } }), "userDomain");
    const own = await call("POST", "/api/v1/apikey", { key: user.key, json: { userId: user.id } });
    expect(await keyOwner(own.body.key)).toBe(user.id);
  });

  it("administrators may supply the key value (migrated keys): stored hashed, unique, at least 16 characters", async () => {
    const jdoe = await createUser();
    const value = `migrated-${crypto.randomUUID()}`;
    const res = await call("POST", "/api/v1/apikey", { json: { userId: jdoe.id, key: value } });
    expect(res.status).toBe(200);
    expect(await keyOwner(value)).toBe(jdoe.id);
    expect(await count(`SELECT 1 FROM api_keys WHERE key_hash = ? OR name = ?`, value, value)).toBe(0);
    expect((await call("GET", `/api/v1/user/${jdoe.username}`, { key: value })).status).toBe(200);

    const before = await snapshot();
    expectError(await call("POST", "/api/v1/apikey", { json: { userId: jdoe.id, key: value, name: "again" } }), 409, "CONFLICT");
    expectError(await call("POST", "/api/v1/apikey", { json: { userId: jdoe.id, key: env.ADMIN_API_KEY, name: "admin" } }), 409, "CONFLICT");
    expectError(await call("POST", "/api/v1/apikey", { key: jdoe.key, json: { key: `mine-${crypto.randomUUID()}` } }), 403, "FORBIDDEN");
    expect(await snapshot()).toBe(before);
    await expectRefused(() => call("POST", "/api/v1/apikey", { json: { userId: jdoe.id, key: "short" } }), "key");
    await expectRefused(() => call("POST", "/api/v1/apikey", { json: { userId: jdoe.id, key: `clé-${crypto.randomUUID()}` } }), "key");
  });

  it("GET ?userId: administrators list anyone's keys, others only their own", async () => {
    const [jdoe, other] = [await createUser(), await createUser()];
    const listed = await call("GET", `/api/v1/apikey?userId=${jdoe.id}`);
    expect(listed.status).toBe(200);
    expect(listed.body.map((k: { userId: string }) => k.userId)).toEqual([jdoe.id]);
    expect((await call("GET", `/api/v1/apikey?userId=${jdoe.id}`, { key: jdoe.key })).body).toHaveLength(1);
    expectError(await call("GET", `/api/v1/apikey?userId=${jdoe.id}`, { key: other.key }), 403, "FORBIDDEN");
    expectError(await call("GET", `/api/v1/apikey?userId=nope`), 400, "VALIDATION_FAILED");
  });
});

describe("users as Concord stores and answers them", () => {
  it("stores usernames lower-cased: Alice then alice is one user; answers {id, name, displayName, email, type, disabled, roles}", async () => {
    const name = uniqueName("Alice");
    const created = await call("POST", "/api/v1/user", { json: { username: name, userType: "LDAP", displayName: "Alice A.", email: "a@example.com" } });
    expect(created.body).toEqual({ ok: true, result: "CREATED", id: expect.any(String), username: name.toLowerCase() });
    const again = await call("POST", "/api/v1/user", { json: { username: name.toLowerCase(), roles: ["concordAdmin"] } });
    expect(again.body).toEqual({ ok: true, result: "UPDATED", id: created.body.id, username: name.toLowerCase() });
    expect(await rows(`SELECT username FROM users WHERE id = ?`, created.body.id)).toEqual([{ username: name.toLowerCase() }]);
    expect((await call("GET", `/api/v1/user/${name}`)).body).toEqual({
      id: created.body.id,
      name: name.toLowerCase(),
      displayName: "Alice A.",
      email: "a@example.com",
      type: "LDAP",
      disabled: false,
      roles: [{ name: "concordAdmin" }],
    });
    await expectRefused(() => call("POST", "/api/v1/user", { json: { username: name, userDomain: "corp" } }), "userDomain");
    await expectRefused(() => call("POST", "/api/v1/user", { json: { username: name, type: "LOCAL", userType: "LDAP" } }), "userType");
  });

  it("disabled: true refuses the user's keys (401) until it is set back to false", async () => {
    const user = await createUser();
    await call("POST", "/api/v1/user", { json: { username: user.username, disabled: true } });
    expectError(await call("GET", "/api/v1/org", { key: user.key }), 401, "UNAUTHORIZED");
    expect((await call("GET", `/api/v1/user/${user.username}`)).body.disabled).toBe(true);
    await call("POST", "/api/v1/user", { json: { username: user.username, disabled: false } });
    expect((await call("GET", "/api/v1/org?limit=1", { key: user.key })).status).toBe(200);
  });
});

describe("projects: Concord's ProjectEntry", () => {
  it("stores the process modes with Concord's values and defaults, and keeps them when not sent", async () => {
    const org = await createOrg();
    const name = uniqueName("proj");
    await call("POST", projectsOf(org.name), { json: { name } });
    const modes = (b: any) => [b.rawPayloadMode, b.outVariablesMode, b.processExecMode];
    expect(modes((await call("GET", `${projectsOf(org.name)}/${name}`)).body)).toEqual(["DISABLED", "DISABLED", "READERS"]);
    await call("POST", projectsOf(org.name), { json: { name, rawPayloadMode: "TEAM_MEMBERS", processExecMode: "WRITERS" } });
    await call("POST", projectsOf(org.name), { json: { name, outVariablesMode: "EVERYONE" } });
    expect(modes((await call("GET", `${projectsOf(org.name)}/${name}`)).body)).toEqual(["TEAM_MEMBERS", "EVERYONE", "WRITERS"]);
    await expectRefused(() => call("POST", projectsOf(org.name), { json: { name, processExecMode: "OWNERS" } }), "processExecMode");
  });

  it("takes an owner; orgId/orgName of the path's org are accepted, another org's are refused for a new project", async () => {
    const org = await createOrg();
    const other = await createOrg();
    const user = await createUser();
    const name = uniqueName("proj");
    const created = await call("POST", projectsOf(org.name), { json: { name, orgId: org.id, orgName: org.name, owner: { username: user.username } } });
    expect(created.body.result).toBe("CREATED");
    expect((await call("GET", `${projectsOf(org.name)}/${name}`)).body.owner).toEqual({ id: user.id, username: user.username });
    // A member (not the org's owner) may not set owners, and learns nothing about which users exist.
    const member = await createUser();
    expect((await call("PUT", `/api/v1/org/${org.name}/team/default/users`, { json: [{ username: member.username }] })).status).toBe(200);
    const before = await snapshot();
    const forReal = await call("POST", projectsOf(org.name), { key: member.key, json: { name, owner: { username: member.username } } });
    const forGhost = await call("POST", projectsOf(org.name), { key: member.key, json: { name, owner: { username: uniqueName("ghost") } } });
    expectError(forReal, 403, "FORBIDDEN");
    expect(forGhost.body).toEqual(forReal.body);
    expect(await snapshot()).toBe(before);
    // A new project is created in the path's org; naming another one is refused (moves: test/moves.test.ts).
    await expectRefused(() => call("POST", projectsOf(org.name), { json: { name: uniqueName("new"), orgId: other.id } }), "orgId");
    await expectRefused(() => call("POST", projectsOf(org.name), { json: { name: uniqueName("new"), orgName: other.name } }), "orgName");
    await expectRefused(() => call("POST", projectsOf(org.name), { json: { name: uniqueName("new"), orgId: org.id, orgName: other.name } }), "orgName");
    await expectRefused(() => call("POST", projectsOf(org.name), { json: { id: created.body.id, orgId: org.id, orgName: other.name } }), "orgName");
    await expectRefused(() => call("POST", projectsOf(org.name), { json: { name, owner: { username: user.username, userDomain: "corp" } } }), "owner.userDomain");
    await expectRefused(() => call("POST", projectsOf(org.name), { json: { name, owner: { username: user.username, userType: "LDAP" } } }), "owner");
  });

  it("repositories (Concord's map by name) are created, updated and replaced with the project, atomically", async () => {
    const org = await createOrg();
    const secretId = (await call("POST", secretsOf(org.name), { raw: form({ name: "git-creds", type: "DATA", data: "x" }) })).body.id;
    const name = uniqueName("proj");
    const projects = projectsOf(org.name);
    const created = await call("POST", projects, {
      json: {
        name,
        repositories: {
          main: { url: "https://git.example/main.git", branch: "main", secret: "git-creds" },
          docs: { name: "docs", url: "git@git.example:docs.git", triggersDisabled: true },
        },
      },
    });
    expect(created.body.result).toBe("CREATED");
    expect(created.roundTrips).toBe(2);
    const repos = async () => (await call("GET", `${projectsOf(org.name)}/${name}/repository`)).body;
    const first = await repos();
    expect(first).toEqual([
      expect.objectContaining({ name: "docs", url: "git@git.example:docs.git", triggersDisabled: true }),
      expect.objectContaining({ name: "main", branch: "main", secretId, secretName: "git-creds", triggersDisabled: false }),
    ]);

    // As in Concord, the map replaces the whole set: docs removed, main written anew (no secret now), tools added.
    const updated = await call("POST", projects, {
      json: { id: created.body.id, repositories: { main: { url: "https://git.example/main.git", branch: "release" }, tools: { url: "https://git.example/tools.git" } } },
    });
    expect(updated.body.result).toBe("UPDATED");
    expect(updated.roundTrips).toBe(2);
    const second = await repos();
    expect(second.map((r: { name: string }) => r.name)).toEqual(["main", "tools"]);
    expect(second[0]).toEqual({
      id: expect.any(String),
      name: "main",
      projectName: name,
      url: "https://git.example/main.git",
      branch: "release",
      disabled: false,
      triggersDisabled: false,
    });
    expect(first.map((r: { id: string }) => r.id)).not.toContain(second[0].id);

    // Any bad entry refuses the whole request.
    await expectRefused(
      () => call("POST", projects, { json: { name, description: "x", repositories: { main: { url: "https://x.example/a" }, bad: { url: "https://x.example/a", secretName: "nope" } } } }),
      "repositories.bad.secretName",
    );
    await expectRefused(() => call("POST", projects, { json: { name, repositories: { fresh: { branch: "b" } } } }), "repositories.fresh.url");
    await expectRefused(
      () => call("POST", projects, { json: { name, repositories: { main: { id: first[1].id, url: "https://git.example/main.git" } } } }),
      "repositories.main.id",
    );
    expect((await call("POST", projects, { json: { name, repositories: {} } })).status).toBe(200);
    expect(await repos()).toEqual([]);

    // 100 repositories in one request: still two statements in the write batch.
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`repo-${String(i).padStart(3, "0")}`, { url: `https://git.example/${i}.git`, secretId }]));
    const big = await call("POST", projects, { json: { name, repositories: many } });
    expect(big.status, JSON.stringify(big.body)).toBe(200);
    expect(await count(`SELECT 1 FROM repositories WHERE project_id = ? AND secret_id = ?`, created.body.id, secretId)).toBe(100);
  });
});

describe("secrets: Concord's form fields", () => {
  it("projectId, project, projectIds and projects (comma-separated or repeated) restrict to those projects", async () => {
    const org = await createOrg();
    const [a, b] = [uniqueName("pa"), uniqueName("pb")];
    const idOf: Record<string, string> = {};
    for (const p of [a, b]) idOf[p] = (await call("POST", projectsOf(org.name), { json: { name: p } })).body.id;
    const restrictedTo = async (secret: string) =>
      (
        await rows<{ project_id: string }>(
          `SELECT sp.project_id FROM secret_projects sp JOIN secrets s ON s.id = sp.secret_id WHERE s.name = ? ORDER BY sp.project_id`,
          secret,
        )
      ).map((r) => r.project_id);
    const both = [idOf[a]!, idOf[b]!].sort();

    const cases: [Record<string, string>, string[]][] = [
      [{ projectId: idOf[a]! }, [idOf[a]!]],
      [{ project: a }, [idOf[a]!]],
      [{ projectIds: ` ${idOf[a]} ` }, [idOf[a]!]],
      [{ projects: `${a},${a.toUpperCase()}` }, [idOf[a]!]],
      [{ projects: `${a}, ${b}` }, both],
      [{ projectIds: `${idOf[a]},${idOf[b]}` }, both],
      // the first list sent wins, as in Concord
      [{ projectIds: idOf[b]!, projects: a }, [idOf[b]!]],
    ];
    for (const [i, [fields, expected]] of cases.entries()) {
      const secret = uniqueName(`s${i}`);
      const res = await call("POST", secretsOf(org.name), { raw: form({ name: secret, type: "DATA", data: "x", ...fields }) });
      expect(res.status, JSON.stringify(fields)).toBe(200);
      expect(await restrictedTo(secret), JSON.stringify(fields)).toEqual(expected);
    }
    // the field repeated
    const repeated = form({ name: "repeated", type: "DATA", data: "x" });
    repeated.append("projects", a);
    repeated.append("projects", b);
    expect((await call("POST", secretsOf(org.name), { raw: repeated })).status).toBe(200);
    expect(await restrictedTo("repeated")).toEqual(both);
    const entry = (await call("GET", `${secretsOf(org.name)}/repeated`)).body;
    expect(entry.projects).toEqual([a, b].sort().map((name) => ({ id: idOf[name], name })));
    expect(entry.projectName).toBeUndefined();

    const before = await rows(`SELECT count(*) AS n FROM secrets`);
    await expectRefused(() => call("POST", secretsOf(org.name), { raw: form({ name: uniqueName("s"), type: "DATA", data: "x", projects: `${a},nope-${b}` }) }), "projects");
    await expectRefused(() => call("POST", secretsOf(org.name), { raw: form({ name: uniqueName("s"), type: "DATA", data: "x", projectIds: `${idOf[a]},not-a-uuid` }) }), "projectIds");
    await expectRefused(() => call("POST", secretsOf(org.name), { raw: form({ name: uniqueName("s"), type: "DATA", data: "x", projectId: crypto.randomUUID() }) }), "projectId");
    await expectRefused(() => call("POST", secretsOf(org.name), { raw: form({ name: uniqueName("s"), type: "DATA", data: "x", storeType: "vault" }) }), "storeType");
    expect(await rows(`SELECT count(*) AS n FROM secrets`)).toEqual(before);
    expect((await call("POST", secretsOf(org.name), { raw: form({ name: uniqueName("s"), type: "DATA", data: "x", storeType: "concord" }) })).status).toBe(200);
  });

  it("generatePassword: the secret is sealed with a generated store password, returned once", async () => {
    const org = await createOrg();
    const res = await call("POST", secretsOf(org.name), { raw: form({ name: "gen", type: "DATA", data: "payload", generatePassword: "true" }) });
    expect(res.body).toEqual({ ok: true, result: "CREATED", id: expect.any(String), password: expect.stringMatching(/^\S{16,}$/) });
    const read = (password?: string) =>
      call("POST", `${secretsOf(org.name)}/gen/data`, { raw: form(password ? { storePassword: password } : {}) });
    expect((await read()).status).toBe(400);
    const ok = await read(res.body.password);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe("payload");
    expect((await call("GET", `${secretsOf(org.name)}/gen`)).body.encryptedBy).toBe("PASSWORD");
  });
});

describe("owners, stores and team members: Concord's user references", () => {
  it("userType narrows a username, userDomain is refused, a new store's orgName must be its org", async () => {
    const org = await createOrg();
    const other = await createOrg();
    const user = await createUser();
    await expectRefused(() => call("POST", "/api/v1/org", { json: { name: uniqueName(), owner: { username: user.username, userDomain: "corp" } } }), "owner.userDomain");
    await expectRefused(() => call("POST", "/api/v1/org", { json: { name: uniqueName(), owner: { username: user.username, userType: "LDAP" } } }), "owner");
    const store = uniqueName("inv");
    await call("POST", `/api/v1/org/${org.name}/jsonstore`, { json: { name: store, orgName: org.name, owner: { username: user.username, userType: "LOCAL" } } });
    expect((await call("GET", `/api/v1/org/${org.name}/jsonstore/${store}`)).body.owner).toEqual({ id: user.id, username: user.username });
    await expectRefused(() => call("POST", `/api/v1/org/${org.name}/jsonstore`, { json: { name: uniqueName("new"), orgName: other.name } }), "orgName");
    await expectRefused(
      () => call("POST", `/api/v1/org/${org.name}/jsonstore`, { json: { name: store, owner: { username: user.username, userDomain: "corp" } } }),
      "owner.userDomain",
    );

    const team = `/api/v1/org/${org.name}/team/default/users`;
    await expectRefused(() => call("PUT", team, { json: [{ username: user.username, userDomain: "corp" }] }), "0.userDomain");
    await expectRefused(() => call("PUT", team, { json: [{ username: user.username, userType: "LDAP" }] }), "[0]");
    expect((await call("PUT", team, { json: [{ username: user.username, userType: "LOCAL", role: "MAINTAINER" }] })).status).toBe(200);
    expect(await rows(`SELECT role FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.org_id = ? AND m.user_id = ?`, org.id, user.id)).toEqual([
      { role: "MAINTAINER" },
    ]);
  });
});
