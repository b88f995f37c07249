import { describe, expect, it } from "vitest";
import { ADMIN_ID, addToNewTeam, call, count, createOrg, createUser, expectError, rows, snapshot, uniqueName } from "./helpers";

const teamsOf = (org: string) => `/api/v1/org/${org}/team`;

describe("teams", () => {
  it("create, get, list, update by name and by id (rename); the creator becomes MAINTAINER", async () => {
    const org = await createOrg();
    const name = uniqueName("team");
    const created = await call("POST", teamsOf(org.name), { json: { name, description: "builders" } });
    expect(created.body).toEqual({ ok: true, result: "CREATED", id: expect.any(String) });
    expect(await rows(`SELECT user_id, role FROM team_members WHERE team_id = ?`, created.body.id)).toEqual([
      { user_id: ADMIN_ID, role: "MAINTAINER" },
    ]);

    const got = await call("GET", `${teamsOf(org.name)}/${name.toUpperCase()}`);
    expect(got.body).toEqual({ id: created.body.id, orgId: org.id, orgName: org.name, name, description: "builders" });
    const list = await call("GET", teamsOf(org.name));
    expect(list.body.map((t: { name: string }) => t.name)).toEqual(["default", name].sort((a, b) => a.localeCompare(b)));

    const byName = await call("POST", teamsOf(org.name), { json: { name, description: "changed" } });
    expect(byName.body).toEqual({ ok: true, result: "UPDATED", id: created.body.id });
    const renamed = uniqueName("renamed");
    expect((await call("POST", teamsOf(org.name), { json: { id: created.body.id, name: renamed } })).body.result).toBe("UPDATED");
    const after = await call("GET", `${teamsOf(org.name)}/${renamed}`);
    expect(after.body).toMatchObject({ name: renamed, description: "changed" });
  });

  it("refuses a rename onto a taken name (409), an unknown id (404) and bad fields (400), changing nothing", async () => {
    const org = await createOrg();
    const created = await call("POST", teamsOf(org.name), { json: { name: uniqueName("team") } });
    expect(created.status).toBe(200);
    const before = await snapshot();
    expectError(await call("POST", teamsOf(org.name), { json: { id: created.body.id, name: "DEFAULT" } }), 409, "CONFLICT");
    expectError(await call("POST", teamsOf(org.name), { json: { id: crypto.randomUUID(), name: "whatever" } }), 404, "NOT_FOUND");
    expectError(await call("POST", teamsOf(org.name), { json: { name: "x" } }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", teamsOf(org.name), { json: { name: "valid-name", description: 5 } }), 400, "VALIDATION_FAILED");
    expect(await snapshot()).toBe(before);
  });

  it("creating needs administrator, the org's owner, or OWNER in any team of the org", async () => {
    const owner = await createUser();
    const teamOwner = await createUser();
    const member = await createUser();
    const stranger = await createUser();
    const org = await createOrg({ owner: { id: owner.id } });
    await addToNewTeam(org.name, teamOwner, "OWNER");
    await addToNewTeam(org.name, member, "MEMBER");

    for (const u of [owner, teamOwner]) {
      const res = await call("POST", teamsOf(org.name), { key: u.key, json: { name: uniqueName("t") } });
      expect(res.body.result).toBe("CREATED");
      expect(await rows(`SELECT role FROM team_members WHERE team_id = ? AND user_id = ?`, res.body.id, u.id)).toEqual([{ role: "MAINTAINER" }]);
    }
    const before = await snapshot();
    expectError(await call("POST", teamsOf(org.name), { key: member.key, json: { name: uniqueName("t") } }), 403, "FORBIDDEN");
    expectError(await call("POST", teamsOf(org.name), { key: stranger.key, json: { name: uniqueName("t") } }), 403, "FORBIDDEN");
    expect(await snapshot()).toBe(before);
  });

  it("a PRIVATE org's teams are 404 to non-members; a PUBLIC org's teams are readable by anyone", async () => {
    const stranger = await createUser();
    const priv = await createOrg({ visibility: "PRIVATE" });
    expectError(await call("GET", teamsOf(priv.name), { key: stranger.key }), 404, "NOT_FOUND");
    expectError(await call("GET", `${teamsOf(priv.name)}/default/users`, { key: stranger.key }), 404, "NOT_FOUND");
    expectError(await call("POST", teamsOf(priv.name), { key: stranger.key, json: { name: uniqueName("t") } }), 404, "NOT_FOUND");
    const pub = await createOrg();
    const res = await call("GET", teamsOf(pub.name), { key: stranger.key });
    expect(res.status).toBe(200);
    expect(res.roundTrips).toBe(1);
  });

  it("members: upsert with roles (default MEMBER), replace=true makes the list exact, sorted by username", async () => {
    const org = await createOrg();
    const team = uniqueName("team");
    await call("POST", teamsOf(org.name), { json: { name: team } });
    const [a, b, c] = [await createUser({ username: `b-${uniqueName("u")}` }), await createUser({ username: `a-${uniqueName("u")}` }), await createUser({ username: `c-${uniqueName("u")}` })];
    const users = `${teamsOf(org.name)}/${team}/users`;

    expect((await call("PUT", users, { json: [{ username: a.username }, { userId: b.id, role: "OWNER" }] })).body).toEqual({ ok: true });
    let list = await call("GET", users);
    expect(list.body).toEqual([
      { userId: b.id, username: b.username, role: "OWNER" },
      { userId: ADMIN_ID, username: "admin", role: "MAINTAINER" },
      { userId: a.id, username: a.username, role: "MEMBER" },
    ]);

    await call("PUT", users, { json: [{ username: a.username.toUpperCase(), role: "MAINTAINER" }] });
    list = await call("GET", users);
    expect(list.body.find((m: { userId: string }) => m.userId === a.id).role).toBe("MAINTAINER");

    const replaced = await call("PUT", `${users}?replace=true`, { json: [{ username: c.username }, { username: b.username, role: "MEMBER" }] });
    expect(replaced.status).toBe(200);
    list = await call("GET", users);
    expect(list.body).toEqual([
      { userId: b.id, username: b.username, role: "MEMBER" },
      { userId: c.id, username: c.username, role: "MEMBER" },
    ]);

    const removed = await call("DELETE", users, { json: [c.username, "nobody-here"] });
    expect(removed.body).toEqual({ ok: true });
    expect((await call("GET", users)).body.map((m: { userId: string }) => m.userId)).toEqual([b.id]);
    expect(await count(`SELECT 1 FROM users WHERE id = ?`, c.id)).toBe(1);
  });

  it("members: an empty list without replace and an unknown user are 400 (naming it), and nothing changes", async () => {
    const org = await createOrg();
    const user = await createUser();
    const team = await addToNewTeam(org.name, user);
    const users = `${teamsOf(org.name)}/${team}/users`;
    const before = await snapshot();
    expectError(await call("PUT", users, { json: [] }), 400, "BAD_REQUEST");
    const ghost = uniqueName("ghost");
    const unknown = await call("PUT", users, { json: [{ username: user.username, role: "OWNER" }, { username: ghost }] });
    expectError(unknown, 400, "VALIDATION_FAILED");
    expect(unknown.body.details).toEqual([{ id: "[1]", message: `no such user: ${ghost}` }]);
    expectError(await call("PUT", users, { json: [{ username: user.username, role: "BOSS" }] }), 400, "VALIDATION_FAILED");
    expectError(await call("PUT", users, { json: { username: user.username } }), 400, "VALIDATION_FAILED");
    expectError(await call("PUT", `${users}?replace=perhaps`, { json: [] }), 400, "VALIDATION_FAILED");
    expectError(await call("DELETE", users, { json: [] }), 400, "VALIDATION_FAILED");
    expect(await snapshot()).toBe(before);

    expect((await call("PUT", `${users}?replace=true`, { json: [] })).status).toBe(200);
    expect(await count(`SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.org_id = ? AND t.name = ?`, org.id, team)).toBe(0);
  });

  it("an org without an owner keeps its last team OWNER: a member change that would take it is 409", async () => {
    const [owner, teamOwner, maintainer, next] = [await createUser(), await createUser(), await createUser(), await createUser()];
    const org = await createOrg({ owner: { id: owner.id } });
    const users = `${teamsOf(org.name)}/default/users`;
    expect((await call("PUT", users, { key: owner.key, json: [{ username: teamOwner.username, role: "OWNER" }, { username: maintainer.username, role: "MAINTAINER" }] })).status).toBe(200);
    // while the org has an owner, its teams may keep no OWNER
    expect((await call("PUT", users, { key: maintainer.key, json: [{ username: teamOwner.username, role: "MEMBER" }] })).status).toBe(200);
    expect((await call("PUT", users, { key: maintainer.key, json: [{ username: teamOwner.username, role: "OWNER" }] })).status).toBe(200);
    expect((await call("DELETE", `/api/v1/user/${owner.id}`)).status).toBe(200); // the org has no owner now
    const before = await snapshot();
    for (const send of [
      () => call("PUT", `${users}?replace=true`, { key: maintainer.key, json: [{ username: maintainer.username, role: "MAINTAINER" }] }),
      () => call("PUT", `${users}?replace=true`, { key: maintainer.key, json: [] }),
      () => call("PUT", users, { key: maintainer.key, json: [{ username: teamOwner.username, role: "MEMBER" }] }),
      () => call("DELETE", users, { key: maintainer.key, json: [teamOwner.username] }),
    ]) {
      const res = await send();
      expectError(res, 409, "CONFLICT");
      expect(res.body.message).toContain("OWNER");
    }
    expect(await snapshot()).toBe(before);
    // changes that leave the OWNER go through: a MEMBER added and removed
    const member = await createUser();
    expect((await call("PUT", users, { key: maintainer.key, json: [{ username: member.username }] })).status).toBe(200);
    expect((await call("DELETE", users, { key: maintainer.key, json: [member.username] })).status).toBe(200);
    // another OWNER first, then the old one may go
    expect((await call("PUT", users, { key: maintainer.key, json: [{ username: next.username, role: "OWNER" }] })).status).toBe(200);
    expect((await call("DELETE", users, { key: maintainer.key, json: [teamOwner.username] })).status).toBe(200);
    // an org that has no OWNER to take (the seeded Default org) is managed as before
    expect((await call("PUT", `${teamsOf("Default")}/default/users`, { json: [{ username: member.username, role: "MAINTAINER" }] })).status).toBe(200);
    expect((await call("DELETE", `${teamsOf("Default")}/default/users`, { json: [member.username] })).status).toBe(200);
  });

  it("changing members needs MAINTAINER or OWNER in that team; deleting the team needs OWNER", async () => {
    const org = await createOrg();
    const [maintainer, member, owner, other] = [await createUser(), await createUser(), await createUser(), await createUser()];
    const team = uniqueName("team");
    await call("POST", teamsOf(org.name), { json: { name: team } });
    const users = `${teamsOf(org.name)}/${team}/users`;
    const joined = await call("PUT", users, { json: [{ userId: maintainer.id, role: "MAINTAINER" }, { userId: member.id }, { userId: owner.id, role: "OWNER" }] });
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);

    const before = await snapshot();
    expectError(await call("PUT", users, { key: member.key, json: [{ userId: other.id }] }), 403, "FORBIDDEN");
    expectError(await call("POST", teamsOf(org.name), { key: member.key, json: { name: team, description: "x" } }), 403, "FORBIDDEN");
    expectError(await call("DELETE", `${teamsOf(org.name)}/${team}`, { key: maintainer.key }), 403, "FORBIDDEN");
    expect(await snapshot()).toBe(before);

    const added = await call("PUT", users, { key: maintainer.key, json: [{ userId: other.id }] });
    expect(added.status).toBe(200);
    expect(added.roundTrips).toBe(2);
    expect((await call("POST", teamsOf(org.name), { key: maintainer.key, json: { name: team, description: "x" } })).body.result).toBe("UPDATED");

    const teamId = (await call("GET", `${teamsOf(org.name)}/${team}`)).body.id;
    const deleted = await call("DELETE", `${teamsOf(org.name)}/${team}`, { key: owner.key });
    expect(deleted.body).toEqual({ ok: true, result: "DELETED" });
    expectError(await call("GET", `${teamsOf(org.name)}/${team}`), 404, "NOT_FOUND");
    expect(await count(`SELECT 1 FROM team_members WHERE team_id = ?`, teamId)).toBe(0);
    expect(await count(`SELECT 1 FROM users WHERE id IN (?, ?, ?, ?)`, maintainer.id, member.id, owner.id, other.id)).toBe(4);
  });
});
