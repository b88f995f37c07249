import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  ADMIN_ID,
  ADMIN_KEY,
  addToNewTeam,
  type ApiResponse,
  call,
  count,
  createOrg,
  createUser,
  expectError,
  rows,
  snapshot,
  uniqueName,
} from "./helpers";

const orgPath = (name: string) => `/api/v1/org/${encodeURIComponent(name)}`;

/** The org-name substring index holds exactly every trigram of every org, and the counts agree. */
async function expectIndexInStep() {
  const missing = await count(`SELECT 1 FROM organizations o JOIN trigram_positions p ON p.n <= length(o.name) - 2
    WHERE NOT EXISTS (SELECT 1 FROM org_name_trigrams t WHERE t.org_id = o.id AND t.trigram = substr(lower(o.name), p.n, 3))`);
  expect(missing, "trigrams missing from the index").toBe(0);
  const stray = await count(`SELECT 1 FROM org_name_trigrams t LEFT JOIN organizations o ON o.id = t.org_id
    WHERE o.id IS NULL OR instr(lower(o.name), t.trigram) = 0`);
  expect(stray, "index rows of no org, or of a trigram the org's name does not have").toBe(0);
  const wrongCounts = await rows(`SELECT c.trigram FROM org_trigram_counts c
    WHERE c.trigram <> '' AND c.orgs <> (SELECT count(*) FROM org_name_trigrams t WHERE t.trigram = c.trigram)`);
  expect(wrongCounts).toEqual([]);
  expect(await rows(`SELECT orgs FROM org_trigram_counts WHERE trigram = ''`)).toEqual([{ orgs: await count(`SELECT 1 FROM organizations`) }]);
}

describe("POST /api/v1/org: create", () => {
  it("creates an org owned by the caller, with a default team where the owner is OWNER", async () => {
    const name = uniqueName();
    const res = await call("POST", "/api/v1/org", { json: { name, meta: { a: 1 }, cfg: { b: [1, 2] } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, result: "CREATED", id: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const got = await call("GET", orgPath(name));
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      id: res.body.id,
      name,
      visibility: "PUBLIC",
      owner: { id: ADMIN_ID, username: "admin" },
      meta: { a: 1 },
      cfg: { b: [1, 2] },
    });
    const members = await rows(
      `SELECT t.name, m.user_id, m.role FROM teams t JOIN team_members m ON m.team_id = t.id WHERE t.org_id = ?`,
      res.body.id,
    );
    expect(members).toEqual([{ name: "default", user_id: ADMIN_ID, role: "OWNER" }]);
  });

  it("takes the owner by username (any case) or id, who becomes OWNER of the default team", async () => {
    const user = await createUser();
    const byName = await createOrg({ owner: { username: user.username.toUpperCase() } });
    const byId = await createOrg({ owner: { id: user.id } });
    for (const org of [byName, byId]) {
      const got = await call("GET", orgPath(org.name));
      expect(got.body.owner).toEqual({ id: user.id, username: user.username });
      expect(await count(`SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.org_id = ? AND m.user_id = ? AND m.role = 'OWNER'`, org.id, user.id)).toBe(1);
    }
  });

  it("refuses an unknown owner (400 naming it), on create and on update, and changes nothing", async () => {
    const existing = await createOrg();
    const before = await snapshot();
    for (const name of [uniqueName(), existing.name]) {
      const res = await call("POST", "/api/v1/org", { json: { name, owner: { username: "nobody-" + uniqueName() } } });
      expectError(res, 400, "VALIDATION_FAILED");
      expect(res.body.details).toEqual([{ id: "owner", message: "no such user" }]);
    }
    expect(await snapshot()).toBe(before);
  });

  it("is forbidden to non-administrators and changes nothing", async () => {
    const user = await createUser();
    const before = await snapshot();
    const res = await call("POST", "/api/v1/org", { key: user.key, json: { name: uniqueName() } });
    expectError(res, 403, "FORBIDDEN");
    expect(await snapshot()).toBe(before);
  });

  it("lets a user made administrator through roles create orgs", async () => {
    const admin = await createUser({ admin: true });
    const org = await createOrg({}, admin.key);
    const got = await call("GET", orgPath(org.name), { key: admin.key });
    expect(got.body.owner).toEqual({ id: admin.id, username: admin.username });
  });

  it("treats names case-insensitively: same name in another case updates, lookups ignore case, the stored case is returned", async () => {
    const name = `Case-${uniqueName()}`;
    const created = await createOrg({ name });
    const again = await call("POST", "/api/v1/org", { json: { name: name.toUpperCase(), visibility: "PRIVATE" } });
    expect(again.body).toEqual({ ok: true, result: "UPDATED", id: created.id });
    const got = await call("GET", orgPath(name.toLowerCase()));
    expect(got.status).toBe(200);
    expect(got.body.name).toBe(name);
    expect(got.body.visibility).toBe("PRIVATE");
    expect(await count(`SELECT 1 FROM organizations WHERE lower(name) = lower(?)`, name)).toBe(1);
  });

  it("20 parallel creates of one new name give one org, one CREATED and 19 UPDATED with the same id", async () => {
    const name = uniqueName("race");
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call("POST", "/api/v1/org", { json: { name, meta: { same: true } } })),
    );
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(results.filter((r) => r.body.result === "CREATED")).toHaveLength(1);
    expect(results.filter((r) => r.body.result === "UPDATED")).toHaveLength(19);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await count(`SELECT 1 FROM organizations WHERE lower(name) = lower(?)`, name)).toBe(1);
    expect(await count(`SELECT 1 FROM teams WHERE org_id = ?`, results[0]!.body.id)).toBe(1);
  });
});

describe("POST /api/v1/org: update", () => {
  it("Concord's scenario: create, rename by id, get by the new name, find it in the list", async () => {
    const org = await createOrg();
    const newName = uniqueName("renamed");
    const renamed = await call("POST", "/api/v1/org", { json: { id: org.id, name: newName } });
    expect(renamed.body).toEqual({ ok: true, result: "UPDATED", id: org.id });

    expectError(await call("GET", orgPath(org.name)), 404, "NOT_FOUND");
    const got = await call("GET", orgPath(newName));
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(org.id);
    const list = await call("GET", `/api/v1/org?filter=${encodeURIComponent(newName)}`);
    expect(list.body.map((o: { id: string }) => o.id)).toEqual([org.id]);
  });

  it("replaces meta whole by id and leaves unsent fields alone", async () => {
    const org = await createOrg({ meta: { x: 1, y: 2 }, cfg: { keep: true }, visibility: "PRIVATE" });
    const res = await call("POST", "/api/v1/org", { json: { id: org.id, meta: { z: 3 } } });
    expect(res.body.result).toBe("UPDATED");
    const got = await call("GET", orgPath(org.name));
    expect(got.body.meta).toEqual({ z: 3 });
    expect(got.body.cfg).toEqual({ keep: true });
    expect(got.body.visibility).toBe("PRIVATE");
    expect(got.body.name).toBe(org.name);
  });

  it("does not rename by name alone: a name without id updates the org of that name", async () => {
    const org = await createOrg();
    const res = await call("POST", "/api/v1/org", { json: { name: org.name.toUpperCase(), cfg: { v: 2 } } });
    expect(res.body).toEqual({ ok: true, result: "UPDATED", id: org.id });
    expect((await call("GET", orgPath(org.name))).body.name).toBe(org.name);
  });

  it("answers 409 for a rename onto another org's name (any case) and changes nothing", async () => {
    const a = await createOrg();
    const b = await createOrg();
    const before = await snapshot();
    const res = await call("POST", "/api/v1/org", { json: { id: a.id, name: b.name.toUpperCase() } });
    expectError(res, 409, "CONFLICT");
    expect(await snapshot()).toBe(before);
  });

  it("answers 404 for an unknown id", async () => {
    const res = await call("POST", "/api/v1/org", { json: { id: crypto.randomUUID(), name: uniqueName() } });
    expectError(res, 404, "NOT_FOUND");
  });

  it("lets the owner update its org", async () => {
    const owner = await createUser();
    const org = await createOrg({ owner: { id: owner.id }, meta: { by: "admin" } });
    const byOwner = await call("POST", "/api/v1/org", { key: owner.key, json: { id: org.id, meta: { by: "owner" } } });
    expect(byOwner.body).toEqual({ ok: true, result: "UPDATED", id: org.id });
    expect((await call("GET", orgPath(org.name))).body.meta).toEqual({ by: "owner" });
  });

  it("forbids anyone else to update a PUBLIC org, by id or by name (403), and changes nothing", async () => {
    const stranger = await createUser();
    const org = await createOrg({ meta: { by: "admin" } });
    const before = await snapshot();
    expectError(await call("POST", "/api/v1/org", { key: stranger.key, json: { id: org.id, meta: {} } }), 403, "FORBIDDEN");
    expectError(await call("POST", "/api/v1/org", { key: stranger.key, json: { name: org.name, meta: {} } }), 403, "FORBIDDEN");
    expect(await snapshot()).toBe(before);
  });

  it("hides a PRIVATE org from a non-member: an update by id is 404 and changes nothing", async () => {
    const stranger = await createUser();
    const hidden = await createOrg({ visibility: "PRIVATE" });
    const before = await snapshot();
    expectError(await call("POST", "/api/v1/org", { key: stranger.key, json: { id: hidden.id, meta: {} } }), 404, "NOT_FOUND");
    expect(await snapshot()).toBe(before);
  });

  it("lets an owner hand its org over, after which it can no longer update it", async () => {
    const owner = await createUser();
    const next = await createUser();
    const org = await createOrg({ owner: { id: owner.id } });
    const handover = await call("POST", "/api/v1/org", { key: owner.key, json: { id: org.id, owner: { username: next.username } } });
    expect(handover.body.result).toBe("UPDATED");
    expect((await call("GET", orgPath(org.name))).body.owner).toEqual({ id: next.id, username: next.username });
    expectError(await call("POST", "/api/v1/org", { key: owner.key, json: { id: org.id, meta: {} } }), 403, "FORBIDDEN");
  });
});

describe("GET /api/v1/org/{orgName}", () => {
  it("hides a PRIVATE org from a non-member (404, not in lists) and shows it once they own it", async () => {
    const user = await createUser();
    const org = await createOrg({ visibility: "PRIVATE" });
    expectError(await call("GET", orgPath(org.name), { key: user.key }), 404, "NOT_FOUND");
    const list = await call("GET", `/api/v1/org?filter=${org.name}`, { key: user.key });
    expect(list.body).toEqual([]);

    await call("POST", "/api/v1/org", { json: { id: org.id, owner: { id: user.id } } });
    const got = await call("GET", orgPath(org.name), { key: user.key });
    expect(got.status).toBe(200);
    expect(got.body.owner.id).toBe(user.id);
    const listed = await call("GET", `/api/v1/org?filter=${org.name}`, { key: user.key });
    expect(listed.body.map((o: { id: string }) => o.id)).toEqual([org.id]);
  });

  it("counts a membership written without org_id (by a Worker from before migration 0004): the trigger fills it in", async () => {
    const user = await createUser();
    const org = await createOrg({ visibility: "PRIVATE" });
    const [team] = await rows<{ id: string }>(`SELECT id FROM teams WHERE org_id = ?`, org.id);
    await env.DB.prepare(`INSERT INTO team_members (team_id, user_id, role) VALUES (?, ?, 'MEMBER')`).bind(team!.id, user.id).run();
    expect(await rows(`SELECT org_id FROM team_members WHERE user_id = ? AND team_id = ?`, user.id, team!.id)).toEqual([{ org_id: org.id }]);
    expect((await call("GET", orgPath(org.name), { key: user.key })).status).toBe(200);
  });

  it("shows a PRIVATE org to a member of any of its teams", async () => {
    const user = await createUser();
    const org = await createOrg({ visibility: "PRIVATE" });
    expect((await call("GET", orgPath(org.name), { key: user.key })).status).toBe(404);
    await addToNewTeam(org.name, user);
    expect((await call("GET", orgPath(org.name), { key: user.key })).status).toBe(200);
  });

  it("answers 404 for an unknown org, in one round trip", async () => {
    const user = await createUser();
    const res = await call("GET", orgPath(uniqueName("missing")), { key: user.key });
    expectError(res, 404, "NOT_FOUND");
    expect(res.roundTrips).toBe(1);
  });
});

describe("GET /api/v1/org", () => {
  it("orders by name case-insensitively, filters by substring in any case, pages with limit and a Link header", async () => {
    const tag = uniqueName("list").replace(/-/g, "");
    const names = [`b${tag}`, `A${tag}`, `c${tag}`, `B${tag}x`];
    for (const name of names) await createOrg({ name });
    const all = await call("GET", `/api/v1/org?filter=${tag.toUpperCase()}`);
    expect(all.status).toBe(200);
    expect(all.body.map((o: { name: string }) => o.name)).toEqual([`A${tag}`, `b${tag}`, `B${tag}x`, `c${tag}`]);
    expect(all.headers.get("Link")).toBeNull();

    const page1 = await call("GET", `/api/v1/org?filter=${tag}&limit=2`);
    expect(page1.body.map((o: { name: string }) => o.name)).toEqual([`A${tag}`, `b${tag}`]);
    // from a first page, the next one is by cursor; from a page asked by offset, by offset
    const link = page1.headers.get("Link");
    expect(link).toBe(`</api/v1/org?filter=${tag}&limit=2&after=b${tag}>; rel="next"`);
    expect((await call("GET", `/api/v1/org?filter=${tag}&limit=1&offset=1`)).headers.get("Link")).toBe(`</api/v1/org?filter=${tag}&limit=1&offset=2>; rel="next"`);
    const next = link!.slice(1, link!.indexOf(">"));
    const page2 = await call("GET", next);
    expect(page2.body.map((o: { name: string }) => o.name)).toEqual([`B${tag}x`, `c${tag}`]);
    expect(page2.headers.get("Link")).toBeNull();
  });

  it("pages by cursor with after=<name>, case-insensitively, with a Link to the next cursor", async () => {
    const tag = uniqueName("cur").replace(/-/g, "");
    for (const name of [`a${tag}`, `B${tag}`, `c${tag}`, `D${tag}`, `e${tag}`]) await createOrg({ name });
    const page1 = await call("GET", `/api/v1/org?filter=${tag}&after=${`A${tag}`}&limit=2`);
    expect(page1.body.map((o: { name: string }) => o.name)).toEqual([`B${tag}`, `c${tag}`]);
    const link = page1.headers.get("Link")!;
    expect(link).toBe(`</api/v1/org?filter=${tag}&after=c${tag}&limit=2>; rel="next"`);
    const page2 = await call("GET", link.slice(1, link.indexOf(">")));
    expect(page2.body.map((o: { name: string }) => o.name)).toEqual([`D${tag}`, `e${tag}`]);
    expect(page2.headers.get("Link")).toBeNull();
  });

  it("refuses a cursor over 1024 characters", async () => {
    const res = await call("GET", `/api/v1/org?after=${"x".repeat(1025)}`);
    expectError(res, 400, "VALIDATION_FAILED");
    expect(res.body.details.map((d: { id: string }) => d.id)).toContain("after");
  });

  it("keeps the org-name substring index in step with creates, renames and deletes", async () => {
    const tag = uniqueName("idx");
    const org = await createOrg({ name: `${tag}-Alpha` });
    const found = async (filter: string) =>
      (await call("GET", `/api/v1/org?filter=${encodeURIComponent(filter)}`)).body.map((o: { id: string }) => o.id);
    expect(await found(`${tag}-alp`)).toEqual([org.id]);
    expect(await found(`${tag.toUpperCase()}-ALPHA`)).toEqual([org.id]);

    expect((await call("POST", "/api/v1/org", { json: { id: org.id, name: `${tag}-Omega` } })).status).toBe(200);
    expect(await found(`${tag}-alpha`)).toEqual([]);
    expect(await found(`${tag}-omeg`)).toEqual([org.id]);
    expect((await call("POST", "/api/v1/org", { json: { id: org.id, name: `${tag}-OMEGA` } })).status).toBe(200);
    expect(await found(`${tag}-omeg`)).toEqual([org.id]);

    expect((await call("DELETE", `/api/v1/org/${tag}-omega?confirmation=yes`)).status).toBe(200);
    expect(await found(`${tag}-omeg`)).toEqual([]);
    expect(await count(`SELECT 1 FROM org_name_trigrams WHERE org_id = ?`, org.id)).toBe(0);
    await expectIndexInStep();
  });

  it("indexes names with a repeated trigram and names of 128 characters, to their last character", async () => {
    const tag = uniqueName("rep").slice(0, 20);
    const repeated = await createOrg({ name: `${tag}-abcabc-abcabc` });
    await expectIndexInStep();
    const long = `${tag}-${"x".repeat(128 - tag.length - 6)}-tail`;
    expect(long).toHaveLength(128);
    const longOrg = await createOrg({ name: long });
    const found = async (filter: string) => (await call("GET", `/api/v1/org?filter=${filter}`)).body.map((o: { id: string }) => o.id);
    expect(await found(`x-tail`)).toContain(longOrg.id);
    expect(await found(`${tag}-abcabc-abc`)).toEqual([repeated.id]);
    expect((await call("POST", "/api/v1/org", { json: { id: repeated.id, name: `${tag}-cabcab` } })).status).toBe(200);
    await expectIndexInStep();
    expect((await call("DELETE", `/api/v1/org/${tag}-cabcab?confirmation=yes`)).status).toBe(200);
    expect((await call("DELETE", `/api/v1/org/${long}?confirmation=yes`)).status).toBe(200);
    await expectIndexInStep();
  });

  it("treats % and _ in the filter literally", async () => {
    const tag = uniqueName("lit");
    await createOrg({ name: `${tag}_x` });
    await createOrg({ name: `${tag}ax` });
    const res = await call("GET", `/api/v1/org?filter=${encodeURIComponent(`${tag}_`)}`);
    expect(res.body.map((o: { name: string }) => o.name)).toEqual([`${tag}_x`]);
    expect((await call("GET", `/api/v1/org?filter=${encodeURIComponent(`${tag}%`)}`)).body).toEqual([]);
  });

  it("pages a non-administrator's list (PUBLIC, owned and member orgs together) by offset and by cursor alike", async () => {
    const user = await createUser();
    const tag = uniqueName("mix");
    const names = [`${tag}-a-pub`, `${tag}-b-owned`, `${tag}-c-member`, `${tag}-d-pub`];
    await createOrg({ name: names[0] });
    await createOrg({ name: names[1], visibility: "PRIVATE", owner: { id: user.id } });
    await createOrg({ name: names[2], visibility: "PRIVATE" });
    await addToNewTeam(names[2]!, user);
    await createOrg({ name: names[3] });
    await createOrg({ name: `${tag}-e-hidden`, visibility: "PRIVATE" });
    const byOffset: string[] = [];
    for (let offset = 0; offset < 5; offset++) {
      const res = await call("GET", `/api/v1/org?filter=${tag}&limit=1&offset=${offset}`, { key: user.key });
      byOffset.push(...res.body.map((o: { name: string }) => o.name));
      expect(res.headers.get("Link") !== null, `offset ${offset}`).toBe(offset < 3);
    }
    expect(byOffset).toEqual(names);
    const byCursor: string[] = [];
    let next: string | null = `/api/v1/org?filter=${tag}&limit=1&after=`;
    while (next) {
      const res: ApiResponse = await call("GET", next, { key: user.key });
      byCursor.push(...res.body.map((o: { name: string }) => o.name));
      const link = res.headers.get("Link");
      next = link ? link.slice(1, link.indexOf(">")) : null;
    }
    expect(byCursor).toEqual(names);
  });

  it("lists by what the key is now when its user's admin role changes between requests (one extra round trip, once)", async () => {
    const user = await createUser();
    const hidden = await createOrg({ visibility: "PRIVATE" });
    const sees = async (expected: boolean, roundTrips: number) => {
      const res = await call("GET", `/api/v1/org?filter=${hidden.name}`, { key: user.key });
      expect(res.status).toBe(200);
      expect(res.body.map((o: { id: string }) => o.id)).toEqual(expected ? [hidden.id] : []);
      expect(res.roundTrips).toBe(roundTrips);
    };
    await sees(false, 1);
    await sees(false, 1);
    const promote = await call("POST", "/api/v1/user", { json: { username: user.username, roles: ["concordAdmin"] } });
    expect(promote.status).toBe(200);
    // The reads sent for a non-administrator are gated on the key's row in SQL: they find nothing, the
    // mismatch is noticed, and the list is read again for an administrator.
    await sees(true, 2);
    await sees(true, 1);
    const demote = await call("POST", "/api/v1/user", { json: { username: user.username, roles: [] } });
    expect(demote.status).toBe(200);
    await sees(false, 2);
    await sees(false, 1);
  });

  it("shows non-admins PUBLIC orgs plus their own and their teams'; onlyCurrent shows only their own and their teams'", async () => {
    const user = await createUser();
    const tag = uniqueName("vis");
    const pub = await createOrg({ name: `${tag}-pub` });
    const priv = await createOrg({ name: `${tag}-priv`, visibility: "PRIVATE" });
    const owned = await createOrg({ name: `${tag}-owned`, visibility: "PRIVATE", owner: { id: user.id } });
    const member = await createOrg({ name: `${tag}-member`, visibility: "PRIVATE" });
    await addToNewTeam(member.name, user);
    const ids = (res: { body: { id: string }[] }) => res.body.map((o) => o.id).sort();

    const visible = await call("GET", `/api/v1/org?filter=${tag}`, { key: user.key });
    expect(ids(visible)).toEqual([pub.id, owned.id, member.id].sort());
    expect(visible.roundTrips).toBe(1);
    const mine = await call("GET", `/api/v1/org?filter=${tag}&onlyCurrent=true`, { key: user.key });
    expect(ids(mine)).toEqual([owned.id, member.id].sort());
    const admin = await call("GET", `/api/v1/org?filter=${tag}`);
    expect(ids(admin)).toEqual([pub.id, priv.id, owned.id, member.id].sort());
  });

  it("accepts limit 1..1000 only", async () => {
    for (const bad of ["0", "1001", "-1", "abc", "1.5"]) {
      const res = await call("GET", `/api/v1/org?limit=${bad}`);
      expectError(res, 400, "VALIDATION_FAILED");
      expect(res.body.details[0].id).toBe("limit");
    }
    expect((await call("GET", "/api/v1/org?limit=1000")).status).toBe(200);
  });

  it("refuses a negative offset and an onlyCurrent that is not true or false", async () => {
    for (const [query, field] of [["offset=-3", "offset"], ["onlyCurrent=maybe", "onlyCurrent"]]) {
      const res = await call("GET", `/api/v1/org?${query}`);
      expectError(res, 400, "VALIDATION_FAILED");
      expect(res.body.details.map((d: { id: string }) => d.id)).toContain(field);
    }
  });
});

describe("DELETE /api/v1/org/{orgName}", () => {
  it("needs confirmation=yes (any case)", async () => {
    const org = await createOrg();
    for (const q of ["", "?confirmation=no", "?confirmation=", "?confirm=yes"]) {
      const res = await call("DELETE", orgPath(org.name) + q);
      expectError(res, 400, "BAD_REQUEST");
      expect(res.body.message).toBe("Operation must be confirmed");
    }
    expect((await call("GET", orgPath(org.name))).status).toBe(200);
    const res = await call("DELETE", orgPath(org.name) + "?confirmation=YES");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, result: "DELETED" });
    expectError(await call("GET", orgPath(org.name)), 404, "NOT_FOUND");
  });

  it("is for administrators only: even the owner gets 403, in one round trip, and the org stays", async () => {
    const owner = await createUser();
    const org = await createOrg({ owner: { id: owner.id } });
    const before = await snapshot();
    const res = await call("DELETE", orgPath(org.name) + "?confirmation=yes", { key: owner.key });
    expectError(res, 403, "FORBIDDEN");
    expect(res.roundTrips).toBe(1);
    expect(await snapshot()).toBe(before);
    expect((await call("GET", orgPath(org.name))).status).toBe(200);
  });

  it("answers 404 for an unknown org", async () => {
    expectError(await call("DELETE", orgPath(uniqueName("nope")) + "?confirmation=yes"), 404, "NOT_FOUND");
  });
});

describe("bad input gets the documented 4xx and changes nothing", () => {
  const bigMeta = { blob: "x".repeat(33 * 1024) };
  const cases: [string, () => Promise<ApiResponse>, number, string, string?][] = [
    ["name of 2 characters", () => call("POST", "/api/v1/org", { json: { name: "ab" } }), 400, "VALIDATION_FAILED", "name"],
    ["name of 129 characters", () => call("POST", "/api/v1/org", { json: { name: "a".repeat(129) } }), 400, "VALIDATION_FAILED", "name"],
    ["name with a leading dash", () => call("POST", "/api/v1/org", { json: { name: "-abc" } }), 400, "VALIDATION_FAILED", "name"],
    ["name with spaces", () => call("POST", "/api/v1/org", { json: { name: "my org" } }), 400, "VALIDATION_FAILED", "name"],
    ["name with unicode", () => call("POST", "/api/v1/org", { json: { name: "orgé-ü" } }), 400, "VALIDATION_FAILED", "name"],
    ["name as a number", () => call("POST", "/api/v1/org", { json: { name: 12345 } }), 400, "VALIDATION_FAILED", "name"],
    ["no name and no id", () => call("POST", "/api/v1/org", { json: { visibility: "PUBLIC" } }), 400, "VALIDATION_FAILED", "name"],
    ["id not a UUID", () => call("POST", "/api/v1/org", { json: { id: "123", name: "valid-name" } }), 400, "VALIDATION_FAILED", "id"],
    ["visibility unknown", () => call("POST", "/api/v1/org", { json: { name: "valid-name", visibility: "SECRET" } }), 400, "VALIDATION_FAILED", "visibility"],
    ["visibility lower case", () => call("POST", "/api/v1/org", { json: { name: "valid-name", visibility: "public" } }), 400, "VALIDATION_FAILED", "visibility"],
    ["meta as an array", () => call("POST", "/api/v1/org", { json: { name: "valid-name", meta: [1, 2] } }), 400, "VALIDATION_FAILED", "meta"],
    ["meta as a string", () => call("POST", "/api/v1/org", { json: { name: "valid-name", meta: "{}" } }), 400, "VALIDATION_FAILED", "meta"],
    ["meta as null", () => call("POST", "/api/v1/org", { json: { name: "valid-name", meta: null } }), 400, "VALIDATION_FAILED", "meta"],
    ["cfg over 32 KiB", () => call("POST", "/api/v1/org", { json: { name: "valid-name", cfg: bigMeta } }), 400, "VALIDATION_FAILED", "cfg"],
    ["owner as a string", () => call("POST", "/api/v1/org", { json: { name: "valid-name", owner: "admin" } }), 400, "VALIDATION_FAILED", "owner"],
    ["owner without id or username", () => call("POST", "/api/v1/org", { json: { name: "valid-name", owner: {} } }), 400, "VALIDATION_FAILED", "owner"],
    ["body as an array", () => call("POST", "/api/v1/org", { json: [{ name: "valid-name" }] }), 400, "VALIDATION_FAILED"],
    ["body as a string", () => call("POST", "/api/v1/org", { json: "valid-name" }), 400, "VALIDATION_FAILED"],
    ["malformed JSON", () => call("POST", "/api/v1/org", { raw: '{"name": "valid-name"', contentType: "application/json" }), 400, "BAD_REQUEST"],
    ["empty JSON body", () => call("POST", "/api/v1/org", { raw: "", contentType: "application/json" }), 400, "BAD_REQUEST"],
    ["wrong content type", () => call("POST", "/api/v1/org", { raw: "name=valid-name", contentType: "application/x-www-form-urlencoded" }), 415, "UNSUPPORTED_MEDIA_TYPE"],
    ["no content type", () => call("POST", "/api/v1/org", { raw: '{"name":"valid-name"}' }), 415, "UNSUPPORTED_MEDIA_TYPE"],
    ["huge body", () => call("POST", "/api/v1/org", { json: { name: "valid-name", pad: "x".repeat(300 * 1024) } }), 413, "PAYLOAD_TOO_LARGE"],
  ];

  it.each(cases)("%s", async (_label, send, status, code, field) => {
    const before = await snapshot();
    const res = await send();
    expectError(res, status, code);
    if (field) expect(res.body.details.map((d: { id: string }) => d.id)).toContain(field);
    expect(res.body.message).not.toMatch(/SQL|sqlite|D1_/i);
    expect(await snapshot()).toBe(before);
  });

  it("refuses a body over the limit sent without Content-Length (streamed), from its first byte over", async () => {
    const before = await snapshot();
    // 256 KiB of JSON whitespace, then `extra` bytes more. Just one byte over: the sender has sent
    // everything when the Worker stops reading (more would make workerd log the aborted upload).
    const streamed = (extra: number) => {
      const chunks = [...Array(4)].map(() => new TextEncoder().encode(" ".repeat(64 * 1024)));
      if (extra) chunks.push(new TextEncoder().encode(" ".repeat(extra)));
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      });
    };
    expectError(await call("POST", "/api/v1/org", { raw: streamed(0), contentType: "application/json" }), 400, "BAD_REQUEST");
    expectError(await call("POST", "/api/v1/org", { raw: streamed(1), contentType: "application/json" }), 413, "PAYLOAD_TOO_LARGE");
    expect(await snapshot()).toBe(before);
  });

  it("ignores unknown fields", async () => {
    const name = uniqueName();
    const res = await call("POST", "/api/v1/org", { json: { name, unknownField: 1, orgId: "x" } });
    expect(res.body.result).toBe("CREATED");
  });
});

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/i;

describe("authentication", () => {
  it("answers ping and version without a key", async () => {
    const ping = await call("GET", "/api/v1/server/ping", { key: null });
    expect(ping.status).toBe(200);
    expect(ping.body).toEqual({ ok: true });
    const version = await call("GET", "/api/v1/server/version", { key: null });
    expect(version.status).toBe(200);
    expect(version.body).toMatchObject({ ok: true, version: expect.any(String) });
  });

  it("answers 401 with WWW-Authenticate for a missing, unknown or expired key", async () => {
    const user = await createUser();
    await env.DB.prepare(`UPDATE api_keys SET expires_at = '2000-01-01T00:00:00.000Z' WHERE user_id = ?`).bind(user.id).run();
    for (const key of [null, "", "not-a-key", user.key, `Bearer ${user.key}`]) {
      const res = await call("GET", "/api/v1/org", { key });
      expectError(res, 401, "UNAUTHORIZED");
      expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    }
    expectError(await call("POST", "/api/v1/org", { key: "wrong", json: { name: uniqueName() } }), 401, "UNAUTHORIZED");
  });

  it("accepts the key bare or as a Bearer token, and the admin key too", async () => {
    const user = await createUser();
    expect((await call("GET", "/api/v1/org", { key: user.key })).status).toBe(200);
    expect((await call("GET", "/api/v1/org", { key: `Bearer ${user.key}` })).status).toBe(200);
    expect((await call("GET", "/api/v1/org", { key: `Bearer ${ADMIN_KEY}` })).status).toBe(200);
  });

  it("gives every response an X-Request-Id and unknown routes the error envelope", async () => {
    const res = await call("GET", "/api/v1/nothing-here");
    expectError(res, 404, "NOT_FOUND");
    const outside = await call("GET", "/elsewhere", { key: null });
    expectError(outside, 404, "NOT_FOUND");
    expect((await call("GET", "/api/v1/server/ping", { key: null })).headers.get("X-Request-Id")).toBeTruthy();
  });

  it("answers D1 requests with an X-D1-Bookmark that a later request may send back", async () => {
    const name = uniqueName();
    const created = await call("POST", "/api/v1/org", { json: { name } });
    const bookmark = created.headers.get("X-D1-Bookmark");
    expect(bookmark).toMatch(BOOKMARK);
    // Read-your-writes: a read in a session that starts from the write's bookmark sees the org.
    const read = await call("GET", orgPath(name), { headers: { "X-D1-Bookmark": bookmark! } });
    expect(read.status).toBe(200);
    expect(read.body.name).toBe(name);
    expect(read.headers.get("X-D1-Bookmark")).toMatch(BOOKMARK);
  });

  it("ignores a malformed X-D1-Bookmark rather than passing it to D1; routes without D1 send none", async () => {
    const org = await createOrg();
    const read = await call("GET", orgPath(org.name), { headers: { "X-D1-Bookmark": "not-a-bookmark" } });
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(org.id);
    expect(read.headers.get("X-D1-Bookmark")).toMatch(BOOKMARK);
    expect((await call("GET", "/api/v1/server/ping", { key: null })).headers.get("X-D1-Bookmark")).toBeNull();
  });

  it("keeps a caller's plain X-Request-Id and replaces anything else", async () => {
    const idOf = async (sent: string) =>
      (await call("GET", "/api/v1/org/Default", { headers: { "X-Request-Id": sent } })).headers.get("X-Request-Id");
    expect(await idOf("trace-42_abc=")).toBe("trace-42_abc=");
    for (const odd of ["with space", "semi;colon", "x".repeat(256)]) {
      expect(await idOf(odd)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    // Error answers carry it too.
    const failed = await call("GET", "/api/v1/org/no-such-org-here", { headers: { "X-Request-Id": "trace-err" } });
    expect(failed.status).toBe(404);
    expect(failed.headers.get("X-Request-Id")).toBe("trace-err");
  });
});

describe("D1 round trips (the API-key lookup travels with the work)", () => {
  it("reads take 1, writes at most 2", async () => {
    const user = await createUser({ admin: true });
    const name = uniqueName();
    const created = await call("POST", "/api/v1/org", { key: user.key, json: { name } });
    expect(created.roundTrips).toBe(2);
    const updated = await call("POST", "/api/v1/org", { key: user.key, json: { name, meta: { a: 1 } } });
    expect(updated.roundTrips).toBe(2);
    expect((await call("GET", orgPath(name), { key: user.key })).roundTrips).toBe(1);
    expect((await call("GET", "/api/v1/org?limit=5", { key: user.key })).roundTrips).toBe(1);
    expect((await call("DELETE", orgPath(name) + "?confirmation=yes", { key: user.key })).roundTrips).toBe(1);
  });

  it("the admin key creates or updates an org by name in 1 (nothing to look up first)", async () => {
    const name = uniqueName();
    const created = await call("POST", "/api/v1/org", { json: { name, meta: { a: 1 } } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ ok: true, result: "CREATED" });
    expect(created.roundTrips).toBe(1);
    const updated = await call("POST", "/api/v1/org", { json: { name: name.toUpperCase(), visibility: "PRIVATE" } });
    expect(updated.body).toEqual({ ok: true, result: "UPDATED", id: created.body.id });
    expect(updated.roundTrips).toBe(1);
    const org = (await call("GET", orgPath(name))).body;
    expect(org).toMatchObject({ id: created.body.id, name, visibility: "PRIVATE", meta: { a: 1 }, owner: { username: "admin" } });
    // Naming an owner reads the user first: 2.
    const owner = await createUser();
    const reowned = await call("POST", "/api/v1/org", { json: { name, owner: { username: owner.username } } });
    expect(reowned.body.result).toBe("UPDATED");
    expect(reowned.roundTrips).toBe(2);
    expect((await call("GET", orgPath(name))).body.owner).toEqual({ id: owner.id, username: owner.username });
  });
});
