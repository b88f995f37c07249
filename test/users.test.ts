import { describe, expect, it } from "vitest";
import {
  ADMIN_ID,
  DEFAULT_ORG_ID,
  call,
  count,
  createOrg,
  createUser,
  expectError,
  rows,
  snapshot,
  uniqueName,
} from "./helpers";

describe("POST /api/v1/user", () => {
  it("creates a user (joining the Default org's default team as MEMBER) and updates it by username", async () => {
    const username = uniqueName("user");
    const created = await call("POST", "/api/v1/user", { json: { username, type: "LOCAL" } });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ ok: true, result: "CREATED", id: expect.any(String), username });
    const membership = await rows(
      `SELECT t.org_id, t.name, m.role FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ?`,
      created.body.id,
    );
    expect(membership).toEqual([{ org_id: DEFAULT_ORG_ID, name: "default", role: "MEMBER" }]);

    const updated = await call("POST", "/api/v1/user", { json: { username: username.toUpperCase(), roles: ["concordAdmin"] } });
    expect(updated.body).toEqual({ ok: true, result: "UPDATED", id: created.body.id, username });
    const got = await call("GET", `/api/v1/user/${username}`);
    expect(got.body).toEqual({ id: created.body.id, name: username, type: "LOCAL", disabled: false, roles: [{ name: "concordAdmin" }] });
    expect(await count(`SELECT 1 FROM team_members WHERE user_id = ?`, created.body.id)).toBe(1);
  });

  it("never changes a user's type: naming another one is 409 (Concord would make another user), the same one or none updates", async () => {
    const username = uniqueName("typed");
    const created = await call("POST", "/api/v1/user", { json: { username, userType: "LDAP", displayName: "One" } });
    expect(created.body.result).toBe("CREATED");
    const before = await snapshot();
    for (const json of [{ username, userType: "LOCAL" }, { username: username.toUpperCase(), type: "LOCAL", displayName: "Two" }]) {
      const res = await call("POST", "/api/v1/user", { json });
      expectError(res, 409, "CONFLICT");
      expect(res.body.message).toContain("another type");
    }
    expect(await snapshot()).toBe(before);
    expect((await call("POST", "/api/v1/user", { json: { username, userType: "LDAP", displayName: "Two" } })).body.result).toBe("UPDATED");
    expect((await call("POST", "/api/v1/user", { json: { username, displayName: "Three" } })).body.result).toBe("UPDATED");
    expect((await call("GET", `/api/v1/user/${username}`)).body).toMatchObject({ type: "LDAP", displayName: "Three" });
  });

  it("is for administrators only", async () => {
    const user = await createUser();
    const before = await snapshot();
    expectError(await call("POST", "/api/v1/user", { key: user.key, json: { username: uniqueName("u") } }), 403, "FORBIDDEN");
    expect(await snapshot()).toBe(before);
  });

  it("refuses bad input and changes nothing", async () => {
    const before = await snapshot();
    for (const json of [{}, { username: "" }, { username: "has space" }, { username: "x", type: "KERBEROS" }, { username: "x", roles: ["god"] }, { username: "x", roles: "concordAdmin" }]) {
      expectError(await call("POST", "/api/v1/user", { json }), 400, "VALIDATION_FAILED");
    }
    expect(await snapshot()).toBe(before);
  });
});

describe("GET /api/v1/user/{username}", () => {
  it("shows users themselves and administrators, and nobody else", async () => {
    const a = await createUser();
    const b = await createUser();
    expect((await call("GET", `/api/v1/user/${a.username}`, { key: a.key })).body).toEqual({
      id: a.id,
      name: a.username,
      type: "LOCAL",
      disabled: false,
      roles: [],
    });
    expectError(await call("GET", `/api/v1/user/${a.username}`, { key: b.key }), 404, "NOT_FOUND");
    expectError(await call("GET", `/api/v1/user/${uniqueName("ghost")}`), 404, "NOT_FOUND");
  });
});

describe("DELETE /api/v1/user/{id}", () => {
  it("removes the user's keys and memberships; orgs it owned stay, without owner", async () => {
    const user = await createUser();
    const org = await createOrg({ owner: { id: user.id } });
    expect(await count(`SELECT 1 FROM team_members WHERE user_id = ?`, user.id)).toBe(2);
    const res = await call("DELETE", `/api/v1/user/${user.id}`);
    expect(res.body).toEqual({ ok: true, result: "DELETED" });
    expect(await count(`SELECT 1 FROM api_keys WHERE user_id = ?`, user.id)).toBe(0);
    expect(await count(`SELECT 1 FROM team_members WHERE user_id = ?`, user.id)).toBe(0);
    const got = await call("GET", `/api/v1/org/${org.name}`);
    expect(got.status).toBe(200);
    expect(got.body.owner).toBeUndefined();
    expect(await count(`SELECT 1 FROM teams WHERE org_id = ?`, org.id)).toBe(1);
    expectError(await call("GET", "/api/v1/org", { key: user.key }), 401, "UNAUTHORIZED");
  });

  it("is for administrators only, never for the built-in admin, 404 for unknown ids, 400 for non-UUIDs", async () => {
    const user = await createUser();
    const other = await createUser();
    const before = await snapshot();
    expectError(await call("DELETE", `/api/v1/user/${other.id}`, { key: user.key }), 403, "FORBIDDEN");
    expectError(await call("DELETE", `/api/v1/user/${ADMIN_ID}`), 403, "FORBIDDEN");
    expectError(await call("DELETE", `/api/v1/user/${crypto.randomUUID()}`), 404, "NOT_FOUND");
    expectError(await call("DELETE", `/api/v1/user/not-a-uuid`), 400, "VALIDATION_FAILED");
    expect(await snapshot()).toBe(before);
  });

  it("takes ids in capitals as the same ids (UUIDs are case-insensitive), wherever an id is sent", async () => {
    const [user, member] = [await createUser(), await createUser()];
    const org = await createOrg();
    const upper = (id: string) => id.toUpperCase();
    expect((await call("GET", `/api/v1/apikey?userId=${upper(user.id)}`, { key: user.key })).status).toBe(200);
    expect((await call("POST", "/api/v1/apikey", { json: { userId: upper(user.id), name: "second-key" } })).status).toBe(200);
    expect((await call("PUT", `/api/v1/org/${org.name}/team/default/users`, { json: [{ userId: upper(member.id) }] })).status).toBe(200);
    expect((await call("POST", "/api/v1/org", { json: { id: upper(org.id), meta: { upper: true } } })).body).toMatchObject({ result: "UPDATED", id: org.id });
    expect((await call("DELETE", `/api/v1/user/${upper(member.id)}`)).status).toBe(200);
    expectError(await call("GET", `/api/v1/user/${member.username}`), 404, "NOT_FOUND");
  });
});

describe("API keys", () => {
  it("are shown once, stored only as a SHA-256 hash, listed without key material", async () => {
    const user = await createUser();
    const res = await call("POST", "/api/v1/apikey", { key: user.key, json: { name: "ci-key" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, result: "CREATED", id: expect.any(String), name: "ci-key", key: expect.any(String) });
    const stored = await rows<{ key_hash: string }>(`SELECT key_hash FROM api_keys WHERE id = ?`, res.body.id);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(res.body.key));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(stored).toEqual([{ key_hash: hex }]);
    expect(await count(`SELECT 1 FROM api_keys WHERE key_hash = ? OR name = ?`, res.body.key, res.body.key)).toBe(0);

    const list = await call("GET", "/api/v1/apikey", { key: res.body.key });
    expect(list.status).toBe(200);
    expect(list.roundTrips).toBe(1);
    expect(list.body.map((k: { name: string }) => k.name).sort()).toEqual(["ci-key", expect.stringMatching(/^key-/)]);
    expect(JSON.stringify(list.body)).not.toContain(res.body.key);
    expect(JSON.stringify(list.body)).not.toContain(hex);
  });

  it("stop working at once when deleted; only the owner or an admin deletes a key", async () => {
    const user = await createUser();
    const other = await createUser();
    const extra = await call("POST", "/api/v1/apikey", { key: user.key, json: {} });
    expect((await call("GET", "/api/v1/org", { key: extra.body.key })).status).toBe(200);

    expectError(await call("DELETE", `/api/v1/apikey/${extra.body.id}`, { key: other.key }), 404, "NOT_FOUND");
    const del = await call("DELETE", `/api/v1/apikey/${extra.body.id}`, { key: user.key });
    expect(del.body).toEqual({ ok: true, result: "DELETED" });
    expectError(await call("GET", "/api/v1/org", { key: extra.body.key }), 401, "UNAUTHORIZED");
    expect((await call("GET", "/api/v1/org", { key: user.key })).status).toBe(200);

    const [otherKey] = (await call("GET", "/api/v1/apikey", { key: other.key })).body;
    const byAdmin = await call("DELETE", `/api/v1/apikey/${otherKey.id}`);
    expect(byAdmin.status).toBe(200);
    expectError(await call("GET", "/api/v1/org", { key: other.key }), 401, "UNAUTHORIZED");
  });

  it("may revoke itself: the request that deletes the key in use is answered 200, the next one 401", async () => {
    const user = await createUser();
    const [own] = (await call("GET", "/api/v1/apikey", { key: user.key })).body;
    const del = await call("DELETE", `/api/v1/apikey/${own.id}`, { key: user.key });
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    expect(del.body).toEqual({ ok: true, result: "DELETED" });
    expect(del.roundTrips).toBe(1);
    expectError(await call("GET", "/api/v1/apikey", { key: user.key }), 401, "UNAUTHORIZED");
  });

  it("lets an administrator with an issued key delete itself: 200, then its key is refused", async () => {
    const admin = await createUser({ admin: true });
    const del = await call("DELETE", `/api/v1/user/${admin.id}`, { key: admin.key });
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    expectError(await call("GET", "/api/v1/org", { key: admin.key }), 401, "UNAUTHORIZED");
  });

  it("may be created for oneself; only an admin creates them for others; names are unique per user", async () => {
    const user = await createUser();
    const other = await createUser();
    const before = await snapshot();
    expectError(await call("POST", "/api/v1/apikey", { key: user.key, json: { username: other.username } }), 403, "FORBIDDEN");
    expectError(await call("POST", "/api/v1/apikey", { json: { username: uniqueName("ghost") } }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", "/api/v1/apikey", { key: user.key, json: { name: "x" } }), 400, "VALIDATION_FAILED");
    expect(await snapshot()).toBe(before);

    expect((await call("POST", "/api/v1/apikey", { key: user.key, json: { username: user.username, name: "dup" } })).status).toBe(200);
    const dup = await call("POST", "/api/v1/apikey", { key: user.key, json: { name: "DUP" } });
    expectError(dup, 409, "CONFLICT");
    const forOther = await call("POST", "/api/v1/apikey", { json: { username: other.username, name: "dup" } });
    expect(forOther.status).toBe(200);
    expect(await count(`SELECT 1 FROM api_keys WHERE id = ? AND user_id = ?`, forOther.body.id, other.id)).toBe(1);
  });
});
