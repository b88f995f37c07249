import { describe, expect, it } from "vitest";
import { ADMIN_ID, call, count, orgRowCounts, createOrg, createUser, expectError, form, type TestUser } from "./helpers";

/** Every kind of owned resource, made through the API. */
async function populate(orgName: string, members: TestUser[]) {
  const base = `/api/v1/org/${orgName}`;
  const ok = async (p: Promise<{ status: number; body: unknown }>) => {
    const res = await p;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res;
  };
  await ok(call("POST", `${base}/team`, { json: { name: "builders" } }));
  await ok(call("PUT", `${base}/team/builders/users`, { json: members.map((m, i) => ({ userId: m.id, role: i ? "MEMBER" : "OWNER" })) }));
  await ok(call("POST", `${base}/project`, { json: { name: "app", visibility: "PRIVATE" } }));
  await ok(call("POST", `${base}/project`, { json: { name: "infra" } }));
  await ok(call("POST", `${base}/secret`, { raw: form({ name: "git-creds", type: "USERNAME_PASSWORD", username: "bot", password: "hunter22" }) }));
  await ok(call("POST", `${base}/secret`, { raw: form({ name: "blob", type: "DATA", data: "x", storePassword: "long enough" }) }));
  await ok(call("POST", `${base}/secret`, { raw: form({ name: "deploy-key", type: "KEY_PAIR", project: "app" }) }));
  await ok(call("POST", `${base}/project/app/repository`, { json: { name: "main", url: "git@host:org/app.git", secretName: "git-creds" } }));
  await ok(call("POST", `${base}/project/app/repository`, { json: { name: "deploy", url: "ssh://host/app.git", secretName: "deploy-key" } }));
  await ok(call("POST", `${base}/project/infra/repository`, { json: { name: "terraform", url: "https://host/tf.git" } }));
  await ok(call("POST", `${base}/jsonstore`, { json: { name: "inventory" } }));
  for (const k of ["hosts/a", "hosts/b", "vars"]) await ok(call("PUT", `${base}/jsonstore/inventory/item/${k}`, { json: { k } }));
}

/** What the API shows of an org's resources, as the admin sees it. */
async function view(orgName: string) {
  const base = `/api/v1/org/${orgName}`;
  const get = async (path: string) => (await call("GET", `${base}${path}`)).body;
  return {
    org: await get(""),
    teams: await get("/team"),
    members: await get("/team/builders/users"),
    projects: await get("/project"),
    app: await get("/project/app"),
    repos: await get("/project/infra/repository"),
    secrets: await get("/secret"),
    stores: await get("/jsonstore"),
    items: await get("/jsonstore/inventory/item"),
    item: await get("/jsonstore/inventory/item/vars"),
  };
}

/** What an admin reads of an org's resources, by path under the org (each answers 200 while the org exists). */
const OWNED_PATHS = [
  "", "/team", "/team/builders", "/team/builders/users", "/project", "/project/app", "/project/app/repository",
  "/secret", "/secret/git-creds", "/secret/deploy-key/public", "/jsonstore", "/jsonstore/inventory",
  "/jsonstore/inventory/item", "/jsonstore/inventory/item/vars",
];

describe("deleting an organization, end to end through the API", () => {
  it("removes every resource of that org (404s, no rows), leaves the other org untouched and user accounts alive", async () => {
    const members = [await createUser(), await createUser()];
    const doomed = await createOrg();
    const kept = await createOrg();
    await populate(doomed.name, members);
    await populate(kept.name, members);
    const keptView = await view(kept.name);
    const keptRows = await orgRowCounts(kept.id);
    // Every kind of row exists (a secret restricted to a project, repositories using secrets, ...)...
    expect(await orgRowCounts(doomed.id)).toEqual({
      organizations: 1, teams: 2, team_members: 4, projects: 2, repositories: 3, secrets: 3, json_stores: 1, json_store_items: 3,
    });
    // ...memberships carry their team's org...
    expect(await count(`SELECT 1 FROM team_members WHERE org_id = ?`, doomed.id)).toBe(4);
    // ...and every path answers, so the 404s below come from the deletion.
    const base = `/api/v1/org/${doomed.name}`;
    for (const path of OWNED_PATHS) expect((await call("GET", `${base}${path}`)).status, path).toBe(200);
    expect((await call("POST", `${base}/secret/git-creds/data`)).status).toBe(200);

    const res = await call("DELETE", `${base}?confirmation=yes`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, result: "DELETED" });
    expect(res.roundTrips).toBe(1); // the admin key is known without D1; the DELETE is one statement

    for (const path of OWNED_PATHS) expectError(await call("GET", `${base}${path}`), 404, "NOT_FOUND");
    expectError(await call("POST", `${base}/secret/git-creds/data`), 404, "NOT_FOUND");
    expect(await orgRowCounts(doomed.id)).toEqual({
      organizations: 0, teams: 0, team_members: 0, projects: 0, repositories: 0, secrets: 0, json_stores: 0, json_store_items: 0,
    });
    expect(await count(`SELECT 1 FROM team_members WHERE org_id = ?`, doomed.id)).toBe(0);

    expect(await orgRowCounts(kept.id)).toEqual(keptRows);
    expect(await view(kept.name)).toEqual(keptView);
    for (const m of members) {
      expect(await count(`SELECT 1 FROM users WHERE id = ?`, m.id)).toBe(1);
      expect((await call("GET", "/api/v1/org", { key: m.key })).status).toBe(200);
    }
  });

  it("deleting a user removes its memberships and keys only", async () => {
    const [leaving, staying] = [await createUser(), await createUser()];
    const org = await createOrg({ owner: { id: leaving.id } });
    await populate(org.name, [leaving, staying]);
    const before = await orgRowCounts(org.id);
    // The Default org's default team, this org's default team (OWNER) and builders (OWNER); its key.
    expect(await count(`SELECT 1 FROM team_members WHERE user_id = ?`, leaving.id)).toBe(3);
    expect(await count(`SELECT 1 FROM api_keys WHERE user_id = ?`, leaving.id)).toBe(1);

    expect((await call("DELETE", `/api/v1/user/${leaving.id}`)).status).toBe(200);
    expect(await count(`SELECT 1 FROM team_members WHERE user_id = ?`, leaving.id)).toBe(0);
    expect(await count(`SELECT 1 FROM api_keys WHERE user_id = ?`, leaving.id)).toBe(0);
    expectError(await call("GET", "/api/v1/org", { key: leaving.key }), 401, "UNAUTHORIZED");
    // Two memberships went (the default team's OWNER and builders' OWNER); nothing else of the org did.
    expect(await orgRowCounts(org.id)).toEqual({ ...before, team_members: before.team_members - 2 });
    const builders = (await call("GET", `/api/v1/org/${org.name}/team/builders/users`)).body.map((m: { userId: string }) => m.userId);
    expect(builders.sort()).toEqual([ADMIN_ID, staying.id].sort()); // the admin created the team: MAINTAINER
  });
});
