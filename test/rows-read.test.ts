/**
 * D1 rows read and written per request (what D1 bills): deterministic counts from the tests' entry
 * (test/worker.ts), asserted at a few thousand rows so that a query that starts scanning rows it does
 * not return fails here, not only in the benchmark's `rows` section (bench/RESULTS.md).
 *
 * The target for a read: rows read <= 2 * returned + 20 (an index probe per returned row and per
 * access check; the key lookup and the org's own row are the fixed part). Writes: rows read <= 20.
 * The exceptions are documented in the README ("Paging and filters") and asserted with their own bound.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { addToNewTeam, call, createOrg, createUser, rows, type ApiResponse, type TestUser } from "./helpers";

const ORGS = 3000;
const CHILDREN = 2000;
const BIG = "rows-big";
const O = `/api/v1/org/${BIG}`;

const seq = (n: number) => `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${n})`;
/** A UUID-shaped id for row `n` of a series. */
const uid = (series: string, n: string) => `'${series}-0000-4000-8000-' || printf('%012d', ${n})`;

let user: TestUser;
let keyAdmin: TestUser;
let outsider: TestUser;
/** a member of `rows-big` without org-wide rights: READER on 5 PRIVATE projects through its team, owner of 3 PRIVATE secrets */
let member: TestUser;

/** Asserts the read target and answers the counts, for a message that shows them. */
function expectReadTarget(res: ApiResponse, extra = 0) {
  expect(res.status, JSON.stringify(res.body).slice(0, 200)).toBe(200);
  const returned = Array.isArray(res.body) ? res.body.length : 1;
  expect(Number.isNaN(res.rowsRead), "rows read measured").toBe(false);
  expect(res.rowsRead, `${returned} returned`).toBeLessThanOrEqual(2 * returned + 20 + extra);
  return returned;
}

beforeAll(async () => {
  [user, keyAdmin, outsider, member] = await Promise.all([createUser(), createUser({ admin: true }), createUser(), createUser()]);
  // Bulk data straight into D1 (thousands of rows through the API would take minutes); the callers'
  // own orgs and memberships below go through the API.
  const big = await createOrg({ name: BIG });
  const store = crypto.randomUUID();
  const privateStore = crypto.randomUUID();
  await env.DB.batch(
    [
      // 3,000 orgs, 1 in 20 PUBLIC, each with its default team; owned by the key administrator.
      `INSERT INTO organizations (id, name, visibility, owner_id) ${seq(ORGS)}
         SELECT ${uid("d0000001", "n")}, 'rows-' || printf('%05d', n), CASE WHEN n % 20 = 0 THEN 'PUBLIC' ELSE 'PRIVATE' END, '${keyAdmin.id}' FROM seq`,
      `INSERT INTO teams (id, org_id, name) ${seq(ORGS)} SELECT ${uid("d0000002", "n")}, ${uid("d0000001", "n")}, 'default' FROM seq`,
      // In the PUBLIC org `rows-big`: 2,000 projects and secrets (9 in 10 PRIVATE), 300 teams, a store of 2,000 items.
      `INSERT INTO projects (id, org_id, name, visibility) ${seq(CHILDREN)}
         SELECT ${uid("d0000003", "n")}, '${big.id}', 'proj-' || printf('%05d', n), CASE WHEN n % 10 = 0 THEN 'PUBLIC' ELSE 'PRIVATE' END FROM seq`,
      `INSERT INTO secrets (id, org_id, name, type, visibility, encrypted_by, ciphertext, iv) ${seq(CHILDREN)}
         SELECT ${uid("d0000004", "n")}, '${big.id}', 'secret-' || printf('%05d', n), 'DATA', CASE WHEN n % 10 = 0 THEN 'PUBLIC' ELSE 'PRIVATE' END,
           'SERVER_KEY', randomblob(16), randomblob(12) FROM seq`,
      `INSERT INTO teams (id, org_id, name) ${seq(300)} SELECT ${uid("d0000005", "n")}, '${big.id}', 'team-' || printf('%04d', n) FROM seq`,
      `INSERT INTO json_stores (id, org_id, name, visibility) VALUES ('${store}', '${big.id}', 'inv', 'PUBLIC')`,
      `INSERT INTO json_store_items (store_id, path, data) ${seq(CHILDREN)} SELECT '${store}', 'host/' || printf('%05d', n), '{}' FROM seq`,
      `INSERT INTO json_stores (id, org_id, name, visibility) VALUES ('${privateStore}', '${big.id}', 'private-inv', 'PRIVATE')`,
      `INSERT INTO json_store_items (store_id, path, data) ${seq(CHILDREN)} SELECT '${privateStore}', 'host/' || printf('%05d', n), '{}' FROM seq`,
    ].map((s) => env.DB.prepare(s)),
  );
  // The user owns one PRIVATE org and is a member of two others (and, as every user, of the Default org).
  await createOrg({ name: "rows-owned", visibility: "PRIVATE", owner: { id: user.id } });
  await addToNewTeam("rows-00001", user);
  await addToNewTeam("rows-00002", user);
  const team = await addToNewTeam(BIG, member);
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO project_team_access (project_id, team_id, level)
         SELECT p.id, t.id, 'READER' FROM projects p, teams t WHERE p.name IN ('proj-00001', 'proj-00002', 'proj-00003', 'proj-00004', 'proj-00005') AND t.name = ?`,
    ).bind(team),
    env.DB.prepare(`UPDATE secrets SET owner_id = ? WHERE name IN ('secret-00001', 'secret-00002', 'secret-00003')`).bind(member.id),
  ]);
}, 60_000);

describe("rows read by lists, at a few thousand rows", () => {
  it("the admin key's org list reads only the page (first page, and a deep page by cursor)", async () => {
    expect(expectReadTarget(await call("GET", "/api/v1/org?limit=50"))).toBe(50);
    expect(expectReadTarget(await call("GET", "/api/v1/org?limit=50&after=rows-02500"))).toBe(50);
  });

  it("an administrator's issued key lists orgs at the same cost: the other reads are gated off by the key's row", async () => {
    expect(expectReadTarget(await call("GET", "/api/v1/org?limit=50", { key: keyAdmin.key }))).toBe(50);
  });

  it("a user's org list reads PUBLIC orgs by their index, plus its own and its teams' orgs", async () => {
    // The user's own 4 orgs (1 owned, 3 by membership: membership, org, owner, sort) are read by two
    // small reads of their own, whether or not they land on the page: up to 4 rows each.
    const res = await call("GET", "/api/v1/org?limit=50", { key: user.key });
    expect(expectReadTarget(res, 4 * 4)).toBe(50);
    const mine = await call("GET", "/api/v1/org?onlyCurrent=true", { key: user.key });
    expect(expectReadTarget(mine)).toBe(4);
    // An outsider of every PRIVATE org (a member of the Default org only), on a deep page.
    expect(expectReadTarget(await call("GET", "/api/v1/org?limit=50&after=rows-01000", { key: outsider.key }), 4)).toBe(50);
  });

  it("children lists read the page only, for callers with org access and for outsiders of a PUBLIC org (PUBLIC rows by index)", async () => {
    expect(expectReadTarget(await call("GET", `${O}/project?limit=50`))).toBe(50);
    expect(expectReadTarget(await call("GET", `${O}/project?limit=50`, { key: outsider.key }))).toBe(50);
    expect(expectReadTarget(await call("GET", `${O}/secret?limit=50&after=secret-01000`, { key: outsider.key }))).toBe(50);
    expect(expectReadTarget(await call("GET", `${O}/team?limit=50&after=team-0100`, { key: outsider.key }))).toBe(50);
    expect(expectReadTarget(await call("GET", `${O}/jsonstore/inv/item?limit=50&after=host/01000`, { key: member.key }))).toBe(50);
  });

  it("a member's children lists read its PUBLIC rows by index plus what it was granted or owns, not the PRIVATE rest", async () => {
    // 9 in 10 projects and secrets are PRIVATE: a scan in name order would read ~10 rows per row returned.
    const projects = await call("GET", `${O}/project?limit=50`, { key: member.key });
    // The 5 granted projects (membership, grant, project: ~4 rows each) come first by name.
    expect(expectReadTarget(projects, 5 * 4)).toBe(50);
    expect(projects.body.slice(0, 6).map((p: { name: string }) => p.name)).toEqual([
      "proj-00001", "proj-00002", "proj-00003", "proj-00004", "proj-00005", "proj-00010",
    ]);
    const secrets = await call("GET", `${O}/secret?limit=50`, { key: member.key });
    expect(expectReadTarget(secrets, 3 * 4)).toBe(50);
    expect(secrets.body.slice(0, 4).map((p: { name: string }) => p.name)).toEqual(["secret-00001", "secret-00002", "secret-00003", "secret-00010"]);
    expect(expectReadTarget(await call("GET", `${O}/project?limit=50&after=proj-01000`, { key: member.key }))).toBe(50);
    expect(expectReadTarget(await call("GET", `${O}/project/proj-00003/access`, { key: member.key }))).toBe(1);
  });

  it("an unknown key, or an outsider of what a list is about, reads a few rows, not the list", async () => {
    // Every read starts from the caller's row (and the org's): nothing else is read without them.
    for (const path of [`${O}/jsonstore/inv/item?filter=h`, `${O}/team?filter=t`, `${O}/project?filter=p`, `/api/v1/org?filter=r`]) {
      const res = await call("GET", path, { key: "an-unknown-key-0123456789" });
      expect(res.status, path).toBe(401);
      expect(res.rowsRead, path).toBeLessThanOrEqual(5);
    }
    const res = await call("GET", `${O}/jsonstore/private-inv/item?filter=h`, { key: outsider.key });
    expect(res.status).toBe(404);
    expect(res.rowsRead).toBeLessThanOrEqual(20);
  });

  it("an org filter is answered from the substring index: a filter nothing contains reads a few rows, a rare one its candidates", async () => {
    const none = await call("GET", "/api/v1/org?filter=nomatch");
    expect(none.status).toBe(200);
    expect(none.body).toEqual([]);
    // The counts of its 5 trigrams (one is in no org: nothing is read after that), the caller.
    expect(none.rowsRead).toBeLessThanOrEqual(20);

    for (const key of [undefined, user.key]) {
      const res = await call("GET", "/api/v1/org?filter=ROWS-0001&limit=50", { key });
      const expected = await rows<{ name: string }>(
        `SELECT name FROM organizations WHERE instr(lower(name), 'rows-0001') > 0 ${key ? "AND visibility = 'PUBLIC'" : ""} ORDER BY lower(name)`,
      );
      expect(res.body.map((o: { name: string }) => o.name)).toEqual(expected.map((o) => o.name));
      // Candidates are the orgs under the rarest trigram: read from the index, kept in a temporary
      // list, looked up, about 4 rows each; then the owners and the sort of what matched.
      const [rarest] = await rows<{ orgs: number }>(
        `SELECT min(orgs) AS orgs FROM org_trigram_counts WHERE trigram IN ('row', 'ows', 'ws-', 's-0', '-00', '000', '001')`,
      );
      expect(rarest!.orgs).toBeLessThan(ORGS / 5);
      expect(res.rowsRead).toBeLessThanOrEqual(4 * rarest!.orgs + 2 * res.body.length + 40);
    }
  });

  it("a common org filter walks the name index (costs what an unfiltered page costs), with the same answers", async () => {
    for (const [key, extra] of [[undefined, 10], [user.key, 40]] as const) {
      for (const query of ["filter=ROWS-&limit=50", "filter=rows-&limit=50&offset=1000"]) {
        const res = await call("GET", `/api/v1/org?${query}`, { key });
        const offset = query.includes("offset") ? 1000 : 0;
        // What the user may list: PUBLIC orgs, its own, its teams'.
        const visible = key
          ? `AND (visibility = 'PUBLIC' OR owner_id = '${user.id}' OR id IN (SELECT org_id FROM team_members WHERE user_id = '${user.id}'))`
          : "";
        const expected = await rows<{ name: string }>(
          `SELECT name FROM organizations WHERE instr(lower(name), 'rows-') > 0 ${visible} ORDER BY lower(name) LIMIT 50 OFFSET ${offset}`,
        );
        expect(res.body.map((o: { name: string }) => o.name), `${query} ${key ? "user" : "admin"}`).toEqual(expected.map((o) => o.name));
        // + the counts of the filter's 3 trigrams in each read, and a user's own orgs (see above).
        if (!offset) expectReadTarget(res, extra);
      }
    }
  });

  it("a filter inside an org reads, at most, every row of its scope once (the documented exception)", async () => {
    const inOrg = await call("GET", `${O}/project?filter=nomatch`);
    expect(inOrg.body).toEqual([]);
    // + the caller's and the org's rows in each of the list's five gated reads
    expect(inOrg.rowsRead).toBeLessThanOrEqual(CHILDREN + 30);
  });
});

describe("rows read and written by writes", () => {
  it("creating a project (with a repository naming a secret) in an org of thousands reads <= 23 rows", async () => {
    const res = await call("POST", `${O}/project`, {
      json: { name: "rows-new", repositories: { app: { url: "https://git.example/app", secretName: "secret-00010" } } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // 20, plus the two rows the same-org trigger reads for a repository that names a secret
    // (migration 0011: the secret's org and the project's org, by primary key), plus the audit
    // entry's (its rowid: the table's last row).
    expect(res.rowsRead).toBeLessThanOrEqual(23);
    // The project, its repository, and their index entries.
    expect(res.rowsWritten).toBeGreaterThan(0);
    expect(res.rowsWritten).toBeLessThanOrEqual(20);
  });

  it("deleting an org reads what goes with it (and counts it for its audit entry), not other orgs' rows", async () => {
    // 2,000 users in one team of another org: memberships an org's deletion must not walk.
    const users = uid("d0000009", "n");
    await env.DB.batch([
      env.DB.prepare(`INSERT INTO users (id, username) ${seq(2000)} SELECT ${users}, 'rows-del-' || n FROM seq`),
      env.DB.prepare(
        `INSERT INTO team_members (team_id, user_id, org_id) ${seq(2000)} SELECT ${uid("d0000005", "1")}, ${users}, (SELECT org_id FROM teams WHERE id = ${uid("d0000005", "1")}) FROM seq`,
      ),
    ]);
    const org = await createOrg({ name: "rows-deleted-org" });
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "one" } })).status).toBe(200);
    const res = await call("DELETE", `/api/v1/org/${org.name}?confirmation=yes`);
    expect(res.status).toBe(200);
    // The org, its default team and member, its project: the delete, the cascade, the counts for the
    // audit entry, and the substring index's rows of its 16-character name (~10 each): ~190 here;
    // walking the other org's memberships would read 2,000 more.
    expect(res.rowsRead).toBeLessThanOrEqual(300);
  });

  it("storing an item in a store of thousands reads <= 20 rows", async () => {
    const res = await call("PUT", `${O}/jsonstore/inv/item/host/new`, { json: { ip: "10.0.0.1" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.rowsRead).toBeLessThanOrEqual(20);
    // the item (2), and its audit entry: the row and its 5 index entries (org, store, user, object, date)
    expect(res.rowsWritten).toBeLessThanOrEqual(8);
  });
});
