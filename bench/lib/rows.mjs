// D1 rows read/written per request (bench/run.mjs, section `rows`). Against the counted build
// (test/worker.ts), which answers every request that opened a D1 session with X-D1-Rows-Read,
// X-D1-Rows-Written (sums of D1's meta.rows_read / rows_written; "unmeasured" when a call had no
// meta) and X-D1-Round-Trips. Seeds a large data set directly in SQL (recursive CTEs), then sends
// every GET route in several shapes (first page, limit=50, deep page by cursor, rare and common
// filter, the documented deep-offset exception) as four callers, and every write route once as
// the administrator and, where it may, as the org owner.
import { createHash } from "node:crypto";
import { BENCH_KEY, BENCH_USER_ID } from "./seed.mjs";

const seq = (n) => `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${Number(n)})`;
/** A UUID-shaped id: 8 hex digits of `prefix`, then `n` (a SQL expression) in the last group. */
const uid = (prefix, expr) => `'${prefix}-0000-4000-8000-' || printf('%012d', ${expr})`;
const fixedId = (n) => `c0000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

const OWNER_ID = fixedId(1);
const MEMBER_ID = fixedId(2);
const OUTSIDER_ID = fixedId(3);
const BIG_ORG_ID = fixedId(10);
const BIG_DEFAULT_TEAM_ID = fixedId(11);
const STORE_ID = fixedId(20);
const BIG = "bigorg";
const O = `/api/v1/org/${BIG}`;

export const ROWS_SEED = { orgs: 100_000, projects: 10_000, repositoriesInOneProject: 200, secrets: 10_000, items: 10_000, teams: 1_000, memberships: 10_000, users: 1_000, auditEntries: 1_000_000 };

/** The callers and their keys (the admin is the bench user serve() seeds, with BENCH_KEY). */
const CALLERS = {
  admin: { id: BENCH_USER_ID, username: "bench-admin", key: BENCH_KEY },
  owner: { id: OWNER_ID, username: "rows-owner", key: "rows-bench-owner-key-0123456789abcdef" },
  member: { id: MEMBER_ID, username: "rows-member", key: "rows-bench-member-key-0123456789abcdef" },
  outsider: { id: OUTSIDER_ID, username: "rows-outsider", key: "rows-bench-outsider-key-0123456789abcdef" },
};
const ALL = Object.keys(CALLERS);
const sha256 = (s) => createHash("sha256").update(s).digest("hex");

/**
 * 100k orgs (rows-000001..., 1 in 20 PUBLIC, 30 named rows-zebra-...), each with its `default` team;
 * `bigorg` (PUBLIC, owned by rows-owner) with 1,000 teams and 10,000 memberships over 1,000 users,
 * 10,000 projects (1 in 10 PRIVATE; proj-00001 has 200 repositories, proj-00002..11 three each),
 * 10,000 secrets (undecryptable blobs; 1 in 10 PRIVATE) and the PUBLIC store `inventory` with
 * 10,000 items. Callers: rows-owner (owns bigorg and rows-000001, -010001, ...), rows-member
 * (MEMBER of team-0001..0003 of bigorg and of the default teams of PRIVATE rows-000002/-000003),
 * rows-outsider (in no team).
 */
export async function seedRows(db) {
  const s = ROWS_SEED;
  const statements = [
    `INSERT INTO users (id, username) ${seq(s.users)} SELECT ${uid("c0000001", "n")}, 'rows-user-' || printf('%04d', n) FROM seq`,
    `INSERT INTO users (id, username) VALUES ('${OWNER_ID}', 'rows-owner'), ('${MEMBER_ID}', 'rows-member'), ('${OUTSIDER_ID}', 'rows-outsider')`,
    `INSERT INTO api_keys (id, user_id, name, key_hash) VALUES ${["owner", "member", "outsider"]
      .map((c, i) => `('${fixedId(100 + i)}', '${CALLERS[c].id}', 'rows-bench', '${sha256(CALLERS[c].key)}')`)
      .join(", ")}`,
    `INSERT INTO organizations (id, name, visibility, owner_id, meta) ${seq(s.orgs)}
       SELECT ${uid("c0000002", "n")}, CASE WHEN n % 3333 = 0 THEN 'rows-zebra-' ELSE 'rows-' END || printf('%06d', n),
         CASE WHEN n % 20 = 0 THEN 'PUBLIC' ELSE 'PRIVATE' END,
         CASE WHEN n % 10000 = 1 THEN '${OWNER_ID}' ELSE ${uid("c0000001", `1 + n % ${s.users}`)} END,
         '{"n":' || n || '}' FROM seq`,
    `INSERT INTO teams (id, org_id, name) ${seq(s.orgs)} SELECT ${uid("c0000003", "n")}, ${uid("c0000002", "n")}, 'default' FROM seq`,
    `INSERT INTO organizations (id, name, visibility, owner_id, meta) VALUES ('${BIG_ORG_ID}', '${BIG}', 'PUBLIC', '${OWNER_ID}', '{"big":true}')`,
    `INSERT INTO teams (id, org_id, name) VALUES ('${BIG_DEFAULT_TEAM_ID}', '${BIG_ORG_ID}', 'default')`,
    `INSERT INTO teams (id, org_id, name) ${seq(s.teams)}
       SELECT ${uid("c0000004", "n")}, '${BIG_ORG_ID}', CASE WHEN n % 33 = 0 THEN 'team-zebra-' ELSE 'team-' END || printf('%04d', n) FROM seq`,
    // Team t gets users t, t+101, t+202, ... (mod 1000): ten distinct users per team; one OWNER, one MAINTAINER.
    `INSERT INTO team_members (team_id, user_id, role) ${seq(s.memberships)}
       SELECT ${uid("c0000004", `1 + (n - 1) % ${s.teams}`)}, ${uid("c0000001", `1 + ((n - 1) % ${s.teams} + ((n - 1) / ${s.teams}) * 101) % ${s.users}`)},
         CASE (n - 1) / ${s.teams} WHEN 0 THEN 'OWNER' WHEN 1 THEN 'MAINTAINER' ELSE 'MEMBER' END FROM seq`,
    `INSERT INTO team_members (team_id, user_id, role) VALUES
       (${uid("c0000004", 1)}, '${MEMBER_ID}', 'MEMBER'), (${uid("c0000004", 2)}, '${MEMBER_ID}', 'MEMBER'), (${uid("c0000004", 3)}, '${MEMBER_ID}', 'MEMBER'),
       (${uid("c0000003", 2)}, '${MEMBER_ID}', 'MEMBER'), (${uid("c0000003", 3)}, '${MEMBER_ID}', 'MEMBER')`,
    `INSERT INTO projects (id, org_id, name, visibility, owner_id) ${seq(s.projects)}
       SELECT ${uid("c0000005", "n")}, '${BIG_ORG_ID}', CASE WHEN n % 333 = 0 THEN 'proj-zebra-' ELSE 'proj-' END || printf('%05d', n),
         CASE WHEN n % 10 = 0 THEN 'PRIVATE' ELSE 'PUBLIC' END, '${OWNER_ID}' FROM seq`,
    `INSERT INTO secrets (id, org_id, name, type, visibility, project_id, owner_id, encrypted_by, ciphertext, iv) ${seq(s.secrets)}
       SELECT ${uid("c0000007", "n")}, '${BIG_ORG_ID}', CASE WHEN n % 333 = 0 THEN 'secret-zebra-' ELSE 'secret-' END || printf('%05d', n), 'DATA',
         CASE WHEN n % 10 = 0 THEN 'PRIVATE' ELSE 'PUBLIC' END, CASE WHEN n % 50 = 0 THEN ${uid("c0000005", "n")} END,
         '${OWNER_ID}', 'SERVER_KEY', randomblob(64), randomblob(12) FROM seq`,
    `INSERT INTO repositories (id, project_id, name, url, secret_id) ${seq(s.repositoriesInOneProject)}
       SELECT ${uid("c0000006", "n")}, ${uid("c0000005", 1)}, CASE WHEN n % 40 = 0 THEN 'repo-zebra-' ELSE 'repo-' END || printf('%03d', n),
         'https://git.example/r' || n, CASE WHEN n % 2 = 0 THEN ${uid("c0000007", "n + 1")} END FROM seq`,
    `INSERT INTO repositories (id, project_id, name, url) ${seq(30)}
       SELECT ${uid("c0000006", "1000 + n")}, ${uid("c0000005", "2 + (n - 1) / 3")}, 'repo-' || printf('%03d', n), 'https://git.example/x' || n FROM seq`,
    // Team grants: READER for team-0001 on 100 PRIVATE projects (the member's team), and 20 teams on proj-00010.
    `INSERT INTO project_team_access (project_id, team_id, level) ${seq(100)}
       SELECT ${uid("c0000005", "n * 10")}, ${uid("c0000004", 1)}, 'READER' FROM seq`,
    `INSERT INTO project_team_access (project_id, team_id, level) ${seq(20)}
       SELECT ${uid("c0000005", 10)}, ${uid("c0000004", "n + 1")}, CASE n % 3 WHEN 0 THEN 'OWNER' WHEN 1 THEN 'WRITER' ELSE 'READER' END FROM seq`,
    `INSERT INTO json_stores (id, org_id, name, visibility, owner_id) VALUES ('${STORE_ID}', '${BIG_ORG_ID}', 'inventory', 'PUBLIC', '${OWNER_ID}')`,
    // 1M audit entries, one a second from 2026-01-01: 1 in 100 of bigorg (a third of those about one
    // of its projects), the rest spread over the 100k orgs; 1 in 1,000 an API_KEY entry (no org).
    `INSERT INTO audit_log (seq, entry_date, user_id, object, action, org_id, project_id, details) ${seq(s.auditEntries)}
       SELECT n, strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || n || ' seconds'), ${uid("c0000001", `1 + n % ${s.users}`)},
         CASE WHEN n % 1000 = 0 THEN 'API_KEY' WHEN n % 300 = 0 THEN 'PROJECT' ELSE 'ORGANIZATION' END,
         CASE n % 3 WHEN 0 THEN 'CREATE' WHEN 1 THEN 'UPDATE' ELSE 'DELETE' END,
         CASE WHEN n % 1000 = 0 THEN NULL WHEN n % 100 = 0 THEN '${BIG_ORG_ID}' ELSE ${uid("c0000002", `1 + n % ${s.orgs}`)} END,
         CASE WHEN n % 300 = 0 AND n % 1000 <> 0 THEN ${uid("c0000005", `1 + (n / 300) % ${s.projects}`)} END,
         json_object('n', n) FROM seq`,
    `INSERT INTO json_store_items (store_id, path, data) ${seq(s.items)}
       SELECT '${STORE_ID}', CASE WHEN n % 333 = 0 THEN 'hosts/zebra-' ELSE 'hosts/host-' END || printf('%05d', n), '{"n":' || n || '}' FROM seq`,
  ];
  // Memberships written without org_id get it from the trigger of migration 0005.
  await db.batch(statements.map((sql) => db.prepare(sql)));
}

/** One request as `caller`; rows and round trips from the counted build's headers. */
async function send(app, caller, method, path, { json, form } = {}) {
  const init = { method, headers: { Authorization: `Bearer ${CALLERS[caller].key}` } };
  if (form) {
    const body = new FormData();
    for (const [k, v] of Object.entries(form)) body.set(k, v);
    init.body = body;
  } else if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  }
  const res = await fetch(`${app.url}${path}`, init);
  const text = await res.text();
  let body = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  const header = (name) => {
    const v = res.headers.get(name);
    return v === null ? null : v === "unmeasured" ? v : Number(v);
  };
  // A project's answer carries its repositories: each is a returned row too.
  const returned = Array.isArray(body)
    ? body.length
    : body === undefined || body === ""
      ? 0
      : 1 + (Array.isArray(body?.repositories) ? body.repositories.length : 0);
  return {
    status: res.status,
    body,
    returned,
    rowsRead: header("X-D1-Rows-Read"),
    rowsWritten: header("X-D1-Rows-Written"),
    roundTrips: header("X-D1-Round-Trips"),
  };
}

const LIST_CASES = (deep, rare, common) => [
  { case: "first page (default limit)", query: "" },
  { case: "first page, limit=50", query: "limit=50" },
  { case: "deep page by cursor", query: `after=${encodeURIComponent(deep)}&limit=50` },
  { case: "filter, rare substring", query: `filter=${rare}&limit=50` },
  { case: "filter, common substring", query: `filter=${encodeURIComponent(common)}&limit=50` },
  { case: "offset 5000 (documented exception)", query: "offset=5000&limit=50", exception: "offset" },
];

/** Every GET route (server/* excluded) in the shapes above; `expect` maps callers to a non-200 answer. */
function readCases() {
  const lists = [
    { route: "GET /api/v1/org", path: "/api/v1/org", deep: "rows-050000", common: "rows-",
      extra: [{ case: "onlyCurrent=true, limit=50", query: "onlyCurrent=true&limit=50" }] },
    { route: "GET /api/v1/org/:orgName/team", path: `${O}/team`, deep: "team-0500", common: "team-" },
    // Team members and API keys take no filter.
    { route: "GET /api/v1/org/:orgName/team/:teamName/users", path: `${O}/team/team-0001/users`, deep: "rows-user-0500", noFilter: true },
    { route: "GET /api/v1/org/:orgName/secret", path: `${O}/secret`, deep: "secret-05000", common: "secret-" },
    { route: "GET /api/v1/org/:orgName/project", path: `${O}/project`, deep: "proj-05000", common: "proj" },
    { route: "GET /api/v1/org/:orgName/project/:projectName/repository", path: `${O}/project/proj-00001/repository`, deep: "repo-100", common: "repo-" },
    { route: "GET /api/v1/org/:orgName/jsonstore", path: `${O}/jsonstore`, deep: "inventory", common: "inv" },
    { route: "GET /api/v1/org/:orgName/jsonstore/:storeName/item", path: `${O}/jsonstore/inventory/item`, deep: "hosts/host-05000", common: "host", expect: { outsider: 403 } },
    { route: "GET /api/v1/apikey", path: "/api/v1/apikey", deep: "rows-bench", noFilter: true },
  ];
  const cases = [];
  for (const l of lists) {
    const shapes = LIST_CASES(l.deep, "zebra", l.common).filter((c) => !(l.noFilter && c.case.startsWith("filter")));
    for (const c of [...shapes, ...(l.extra ?? [])]) {
      for (const caller of ALL) {
        cases.push({ route: l.route, caller, case: c.case, path: c.query ? `${l.path}?${c.query}` : l.path, exception: c.exception, expect: l.expect?.[caller] });
      }
    }
  }
  cases.push({ route: "GET /api/v1/apikey", caller: "admin", case: "another user's keys (userId=)", path: `/api/v1/apikey?userId=${MEMBER_ID}` });

  const gets = [
    { route: "GET /api/v1/org/:orgName", case: "PUBLIC org", path: O },
    { route: "GET /api/v1/org/:orgName", case: "PRIVATE org (member's)", path: "/api/v1/org/rows-000002", expect: { owner: 404, outsider: 404 } },
    { route: "GET /api/v1/org/:orgName/team/:teamName", case: "one", path: `${O}/team/team-0500` },
    { route: "GET /api/v1/org/:orgName/secret/:secretName", case: "PUBLIC secret", path: `${O}/secret/secret-05001` },
    { route: "GET /api/v1/org/:orgName/secret/:secretName", case: "PRIVATE secret (no grant)", path: `${O}/secret/secret-05000`, expect: { member: 404, outsider: 404 } },
    { route: "GET /api/v1/org/:orgName/secret/:secretName/public", case: "KEY_PAIR (created through the API)", path: `${O}/secret/rows-keypair/public` },
    { route: "POST /api/v1/org/:orgName/secret/:secretName/data", case: "USERNAME_PASSWORD (created through the API)", path: `${O}/secret/rows-creds/data`, method: "POST", form: {}, expect: { outsider: 403 } },
    { route: "GET /api/v1/org/:orgName/project/:projectName", case: "without repositories", path: `${O}/project/proj-05001` },
    { route: "GET /api/v1/org/:orgName/project/:projectName", case: "with 200 repositories (each a returned row)", path: `${O}/project/proj-00001` },
    { route: "GET /api/v1/org/:orgName/jsonstore/:storeName", case: "one", path: `${O}/jsonstore/inventory` },
    { route: "GET /api/v1/org/:orgName/project/:resourceName/access", case: "PRIVATE project, 21 grants", path: `${O}/project/proj-00010/access`, expect: { outsider: 404 } },
    { route: "GET /api/v1/org/:orgName/secret/:resourceName/access", case: "PUBLIC secret, no grants", path: `${O}/secret/secret-05001/access` },
    { route: "GET /api/v1/org/:orgName/jsonstore/:resourceName/access", case: "PUBLIC store, no grants", path: `${O}/jsonstore/inventory/access` },
    // Items need READER on the store: for a PUBLIC one, membership of the org (README, "Access inside an org").
    { route: "GET /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}", case: "one (store of 10k items)", path: `${O}/jsonstore/inventory/item/hosts/host-05001`, expect: { outsider: 403 } },
  ];
  for (const g of gets) for (const caller of ALL) cases.push({ ...g, caller, expect: g.expect?.[caller] });
  // The audit log of 1M entries: administrators with and without filters; others name an org.
  const audit = [
    { case: "newest (default limit 30)", query: "" },
    { case: "newest, limit=50", query: "limit=50" },
    { case: "deep page by cursor", query: "cursor=500000&limit=50" },
    { case: "object filter, rare (API_KEY)", query: "object=API_KEY&limit=50" },
    { case: "dates: a week in January", query: "after=2026-01-05T00:00:00Z&before=2026-01-12T00:00:00Z&limit=50" },
    { case: "a user's entries", query: "userId=c0000001-0000-4000-8000-000000000500&limit=50" },
    { case: "org filter (bigorg, 10k entries)", query: `details.orgName=${BIG}&limit=50` },
    { case: "org + project filter", query: `details.orgName=${BIG}&details.projectName=proj-00002&limit=50` },
  ];
  for (const a of audit) cases.push({ route: "GET /api/v1/audit", caller: "admin", case: a.case, path: `/api/v1/audit?${a.query}` });
  for (const caller of ["owner", "member", "outsider"]) {
    cases.push({ route: "GET /api/v1/audit", caller, case: "org filter (bigorg, 10k entries)", path: `/api/v1/audit?details.orgName=${BIG}&limit=50`, expect: caller === "outsider" ? 403 : undefined });
  }
  cases.push({ route: "GET /api/v1/audit", caller: "member", case: "no entity filter", path: "/api/v1/audit?limit=50", expect: 403 });
  for (const caller of ALL) {
    const own = caller === "admin" ? "rows-user-0500" : CALLERS[caller].username;
    cases.push({ route: "GET /api/v1/user/:username", caller, case: caller === "admin" ? "another user" : "self", path: `/api/v1/user/${own}` });
  }
  cases.push({ route: "GET /api/v1/user/:username", caller: "outsider", case: "another user", path: "/api/v1/user/rows-user-0500", expect: 404 });
  return cases.map((c) => ({ kind: "read", method: "GET", ...c }));
}

/** Every write route once as `caller` ("admin" or "owner"), in an order where each finds what it needs. */
function writeSteps(caller) {
  const t = caller;
  const admin = caller === "admin";
  const user = `rows-w-${t}-user`;
  const org = `rows-w-${t}-org`;
  const team = `${O}/team/w-${t}-team`;
  const item = `${O}/jsonstore/inventory/item/w/${t}/item`;
  const s = {};
  /** @type {any[]} */
  const steps = [
    admin && { route: "POST /api/v1/user", case: "create", path: "/api/v1/user", json: { username: user }, keep: (b) => (s.userId = b.id) },
    admin && { route: "POST /api/v1/user", case: "update", path: "/api/v1/user", json: { username: user, displayName: "W" } },
    { route: "POST /api/v1/apikey", case: "create (own)", path: "/api/v1/apikey", json: { name: `w-${t}-key` }, keep: (b) => (s.keyId = b.id) },
    admin && { route: "POST /api/v1/apikey", case: "create (for a user by username)", path: "/api/v1/apikey", json: { username: user, name: "w-key" } },
    admin && { route: "POST /api/v1/org", case: "create", path: "/api/v1/org", json: { name: org, visibility: "PRIVATE" }, keep: (b) => (s.orgId = b.id) },
    admin && { route: "POST /api/v1/org", case: "update by name (admin upsert)", path: "/api/v1/org", json: { name: org, meta: { a: 1 } } },
    admin && { route: "POST /api/v1/org", case: "update by id", path: "/api/v1/org", json: () => ({ id: s.orgId, cfg: { b: 1 } }) },
    !admin && { route: "POST /api/v1/org", case: "update by name (owned org)", path: "/api/v1/org", json: { name: BIG, meta: { big: true, w: 1 } } },
    !admin && { route: "POST /api/v1/org", case: "update by id (owned org)", path: "/api/v1/org", json: { id: BIG_ORG_ID, cfg: { w: 1 } } },
    { route: "POST /api/v1/org/:orgName/team", case: "create (org of 1,001 teams)", path: `${O}/team`, json: { name: `w-${t}-team` } },
    { route: "POST /api/v1/org/:orgName/team", case: "update", path: `${O}/team`, json: { name: `w-${t}-team`, description: "d" } },
    { route: "PUT /api/v1/org/:orgName/team/:teamName/users", case: "add 3 members", path: `${team}/users`,
      json: [{ username: "rows-user-0001" }, { username: "rows-user-0002" }, { username: "rows-user-0003", role: "MAINTAINER" }] },
    { route: "PUT /api/v1/org/:orgName/team/:teamName/users", case: "replace=true, 3 members", path: `${team}/users?replace=true`,
      json: [{ username: "rows-user-0001" }, { username: "rows-user-0002" }, { username: "rows-user-0004" }] },
    { route: "DELETE /api/v1/org/:orgName/team/:teamName/users", case: "remove 2", path: `${team}/users`, json: ["rows-user-0001", "rows-user-0002"] },
    { route: "POST /api/v1/org/:orgName/project", case: "create (org of 10k projects)", path: `${O}/project`, json: { name: `w-${t}-proj`, visibility: "PRIVATE" } },
    { route: "POST /api/v1/org/:orgName/project", case: "update", path: `${O}/project`, json: { name: `w-${t}-proj`, description: "d" } },
    admin && { route: "POST /api/v1/org/:orgName/project", case: "move to another org", path: `${O}/project`, json: { name: `w-${t}-proj`, orgName: org } },
    admin && { route: "POST /api/v1/org/:orgName/project", case: "move back into the org of 10k projects", path: `/api/v1/org/${org}/project`, json: { name: `w-${t}-proj`, orgName: BIG } },
    { route: "POST /api/v1/org/:orgName/project/:resourceName/access", case: "grant one team", path: `${O}/project/w-${t}-proj/access`,
      json: { teamName: "team-0001", level: "WRITER" } },
    { route: "POST /api/v1/org/:orgName/project/:resourceName/access/bulk", case: "replace with 3 teams", path: `${O}/project/w-${t}-proj/access/bulk`,
      json: [{ teamName: "team-0001", level: "READER" }, { teamName: "team-0002", level: "WRITER" }, { teamName: "team-0003", level: "OWNER" }] },
    { route: "POST /api/v1/org/:orgName/project", case: "create with 3 repositories", path: `${O}/project`,
      json: { name: `w-${t}-proj2`, repositories: { "repo-a": { url: "https://git.example/a" }, "repo-b": { url: "https://git.example/b" }, "repo-c": { url: "https://git.example/c", secret: "rows-creds" } } } },
    { route: "POST /api/v1/org/:orgName/project/:projectName/repository", case: "create", path: `${O}/project/w-${t}-proj/repository`,
      json: { name: "main", url: "git@host:org/app.git", secretName: "rows-creds" } },
    { route: "POST /api/v1/org/:orgName/project/:projectName/repository", case: "update", path: `${O}/project/w-${t}-proj/repository`, json: { name: "main", branch: "dev" } },
    { route: "POST /api/v1/org/:orgName/secret", case: "create USERNAME_PASSWORD (org of 10k secrets)", path: `${O}/secret`,
      form: { name: `w-${t}-secret`, type: "USERNAME_PASSWORD", username: "bot", password: "pw" } },
    { route: "POST /api/v1/org/:orgName/jsonstore", case: "create", path: `${O}/jsonstore`, json: { name: `w-${t}-store` } },
    { route: "POST /api/v1/org/:orgName/jsonstore", case: "update", path: `${O}/jsonstore`, json: { name: `w-${t}-store`, visibility: "PUBLIC" } },
    admin && { route: "POST /api/v1/org/:orgName/jsonstore", case: "move to another org", path: `${O}/jsonstore`, json: { name: `w-${t}-store`, orgName: org } },
    admin && { route: "POST /api/v1/org/:orgName/jsonstore", case: "move back into the org of 10k", path: `/api/v1/org/${org}/jsonstore`, json: { name: `w-${t}-store`, orgName: BIG } },
    { route: "POST /api/v1/org/:orgName/secret/:secretName", case: "restrict to 2 projects, PRIVATE (JSON)", path: `${O}/secret/w-${t}-secret`,
      json: { visibility: "PRIVATE", projects: ["proj-00002", "proj-00003"] } },
    { route: "POST /api/v2/org/:orgName/secret/:secretName", case: "rotate the value (multipart, re-encrypted)", path: `/api/v2/org/${BIG}/secret/w-${t}-secret`,
      form: { type: "USERNAME_PASSWORD", username: "bot", password: "pw2" } },
    admin && { route: "POST /api/v1/org/:orgName/secret/:secretName", case: "move to another org, lifting the restriction (re-encrypted)", path: `${O}/secret/w-${t}-secret`,
      json: { orgName: org, projects: [] } },
    admin && { route: "POST /api/v1/org/:orgName/secret/:secretName", case: "move back into the org of 10k", path: `/api/v1/org/${org}/secret/w-${t}-secret`, json: { orgName: BIG } },
    { route: "POST /api/v1/org/:orgName/secret/:resourceName/access", case: "grant one team", path: `${O}/secret/w-${t}-secret/access`,
      json: { teamName: "team-0002", level: "READER" } },
    { route: "POST /api/v1/org/:orgName/secret/:resourceName/access/bulk", case: "clear", path: `${O}/secret/w-${t}-secret/access/bulk`, json: [] },
    { route: "POST /api/v1/org/:orgName/jsonstore/:resourceName/access", case: "grant one team", path: `${O}/jsonstore/w-${t}-store/access`,
      json: { teamName: "team-0003", level: "OWNER" } },
    { route: "POST /api/v1/org/:orgName/jsonstore/:resourceName/access/bulk", case: "replace with 1 team", path: `${O}/jsonstore/w-${t}-store/access/bulk`,
      json: [{ teamName: "team-0001", level: "WRITER" }] },
    { route: "PUT /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}", case: "create (store of 10k items)", path: item, json: { ip: "10.0.0.1" } },
    { route: "PUT /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}", case: "update", path: item, json: { ip: "10.0.0.2" } },
    { route: "DELETE /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}", case: "delete", path: item },
    { route: "DELETE /api/v1/org/:orgName/jsonstore/:storeName", case: "delete (empty store)", path: `${O}/jsonstore/w-${t}-store` },
    { route: "DELETE /api/v1/org/:orgName/project/:projectName/repository/:repoName", case: "delete", path: `${O}/project/w-${t}-proj/repository/main` },
    { route: "DELETE /api/v1/org/:orgName/project/:projectName", case: "delete", path: `${O}/project/w-${t}-proj` },
    { route: "DELETE /api/v1/org/:orgName/project/:projectName", case: "delete with 3 repositories", path: `${O}/project/w-${t}-proj2` },
    { route: "DELETE /api/v1/org/:orgName/secret/:secretName", case: "delete", path: `${O}/secret/w-${t}-secret` },
    { route: "DELETE /api/v1/org/:orgName/team/:teamName", case: "delete (2 members)", path: team },
    { route: "DELETE /api/v1/apikey/:id", case: "delete (own)", path: () => `/api/v1/apikey/${s.keyId}` },
    admin && { route: "DELETE /api/v1/user/:id", case: "delete (with 1 key)", path: () => `/api/v1/user/${s.userId}` },
    admin && { route: "DELETE /api/v1/org/:orgName", case: "delete (org with its default team)", path: `/api/v1/org/${org}?confirmation=yes` },
  ];
  return steps.filter(Boolean).map((step) => ({ kind: "write", caller, method: step.route.split(" ")[0], ...step }));
}

const isOk = (status, expect) => (expect === undefined ? status >= 200 && status < 300 : status === expect);

/** Target and verdict: reads <= 2 * returned + 20 (deep offset: exception); writes read <= 20. */
function judge(c, r) {
  if (c.kind === "read" && c.exception) return { target: "exception", meets: null };
  const target = c.kind === "read" ? 2 * r.returned + 20 : 20;
  return { target, meets: typeof r.rowsRead === "number" ? r.rowsRead <= target : null };
}

/**
 * Seeds `app` (a fresh serve() of the counted build), runs every case once and returns
 * `{ seed, cases: [{route, caller, case, path, kind, status, returned, rowsRead, rowsWritten, roundTrips, target, meets}], summary }`.
 */
export async function measureRows(app, log = () => {}) {
  const started = performance.now();
  await seedRows(app.db);
  log(`rows: seeded in ${Math.round(performance.now() - started)} ms`);
  // Real secrets (the seeded ones hold random bytes): one for /data, one for /public.
  for (const form of [
    { name: "rows-creds", type: "USERNAME_PASSWORD", username: "bot", password: "pw" },
    { name: "rows-keypair", type: "KEY_PAIR" },
  ]) {
    const r = await send(app, "admin", "POST", `${O}/secret`, { form });
    if (r.status !== 200) throw new Error(`creating secret ${form.name}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const cases = [];
  const run = async (c) => {
    const path = typeof c.path === "function" ? c.path() : c.path;
    const json = typeof c.json === "function" ? c.json() : c.json;
    const r = await send(app, c.caller, c.method, path, { json, form: c.form });
    const unexpected = !isOk(r.status, c.expect);
    if (unexpected) log(`rows: UNEXPECTED ${r.status} for ${c.caller} ${c.method} ${path}: ${JSON.stringify(r.body).slice(0, 200)}`);
    else c.keep?.(r.body);
    cases.push({
      route: c.route,
      caller: c.caller,
      case: c.case,
      path,
      kind: c.kind,
      status: r.status,
      ...(unexpected ? { unexpected: true } : {}),
      returned: r.returned,
      rowsRead: r.rowsRead,
      rowsWritten: r.rowsWritten,
      roundTrips: r.roundTrips,
      ...judge(c, r),
    });
  };
  for (const c of readCases()) await run(c);
  for (const caller of ["admin", "owner"]) for (const c of writeSteps(caller)) await run(c);
  const summary = {
    cases: cases.length,
    overTarget: cases.filter((c) => c.meets === false).length,
    exceptions: cases.filter((c) => c.target === "exception").length,
    unmeasured: cases.filter((c) => c.meets === null && c.target !== "exception").length,
    unexpectedStatus: cases.filter((c) => c.unexpected).length,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
  return { seed: ROWS_SEED, cases, summary };
}

/** One line for the log. */
export const rowsSummaryLine = (rows) =>
  `rows: ${rows.summary.cases} cases, ${rows.summary.overTarget} over target` +
  ` (${rows.cases.filter((c) => c.meets === false && c.kind === "read").length} reads, ${rows.cases.filter((c) => c.meets === false && c.kind === "write").length} writes),` +
  ` ${rows.summary.exceptions} documented offset exceptions, ${rows.summary.unmeasured} unmeasured, ${rows.summary.unexpectedStatus} unexpected statuses, ${rows.summary.seconds} s`;

/** The RESULTS.md section (lines). */
export function rowsReport(rows) {
  const lines = [`## D1 rows read/written per request (target: reads <= 2 * returned + 20; writes read <= 20)`, ""];
  if (!rows?.cases?.length) return [...lines, "(not measured in this run)", ""];
  const s = rows.seed;
  lines.push(
    `Seeded: ${s.orgs} orgs (1 in 20 PUBLIC) with their default teams; one PUBLIC org (\`bigorg\`) with ${s.teams} teams and ${s.memberships} memberships ` +
      `over ${s.users} users, ${s.projects} projects (one with ${s.repositoriesInOneProject} repositories), ${s.secrets} secrets, one JSON store of ${s.items} items, ${s.auditEntries} audit entries. ` +
      `Callers: admin, owner (of \`bigorg\`), member (of 3 of its teams and 2 PRIVATE orgs), outsider. ` +
      `\`returned\` counts the answer's array elements (1 for an object, plus its repositories for a project's; 0 for an empty body). ${rowsSummaryLine(rows).replace(/^rows: /, "")}.`,
    "",
    `| route | caller | case | request | status | returned | rows read | rows written | round trips | target | meets |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
  );
  const show = (v) => (v === null || v === undefined ? "–" : String(v));
  for (const c of rows.cases) {
    const verdict = c.meets === true ? "yes" : c.meets === false ? "**OVER**" : c.target === "exception" ? "exception" : "unmeasured";
    const target = c.target === "exception" ? "exception" : `<= ${c.target}`;
    const req = c.path.replace(/^\/api\/v1/, "").replace(/\|/g, "\\|");
    lines.push(
      `| \`${c.route.replace(/\|/g, "\\|")}\` | ${c.caller} | ${c.case} | \`${req}\` | ${c.status}${c.unexpected ? " (unexpected)" : ""} | ${c.returned} | ` +
        `${c.meets === false ? `**${show(c.rowsRead)}**` : show(c.rowsRead)} | ${show(c.rowsWritten)} | ${show(c.roundTrips)} | ${target} | ${verdict} |`,
    );
  }
  lines.push("");
  return lines;
}
