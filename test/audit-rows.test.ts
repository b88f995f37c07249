/**
 * D1 rows read by GET /api/v1/audit (what D1 bills), at thousands of entries: an administrator's
 * page reads the page (target: rows read <= 2 * returned + 20); an org owner's or member's page
 * also looks up, per entry about a project, secret or store, that resource now (issue 11's read
 * rule: READER on it now), a bounded cost per such entry (README, "Audit log"; bench/RESULTS.md).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ID, addToNewTeam, call, createOrg, createUser, rows, type ApiResponse, type TestUser } from "./helpers";

const ENTRIES = 6000;
const PROJECTS = 200;
const seq = (n: number) => `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${n})`;
const uid = (series: string, n: string) => `'${series}-0000-4000-8000-' || printf('%012d', ${n})`;

/**
 * Rows read per entry about a resource that a member's page examines (db/audit.ts mayRead): the
 * resource, its org, the caller's membership and team grant there; and an entry it skips still
 * cost its index step.
 */
const PER_RESOURCE_ENTRY = 5;

let org: { id: string; name: string };
let owner: TestUser;
let member: TestUser;

/** Rows read beyond the target, per entry of the page that is about a project. */
function perResourceEntry(res: ApiResponse) {
  expect(res.status, JSON.stringify(res.body).slice(0, 200)).toBe(200);
  expect(Number.isNaN(res.rowsRead), "rows read measured").toBe(false);
  const page = res.body as { details: { projectId?: string } }[];
  const aboutProjects = page.filter((e) => e.details.projectId).length;
  return { returned: page.length, aboutProjects, over: Math.max(0, res.rowsRead - (2 * page.length + 20)) };
}

beforeAll(async () => {
  [owner, member] = await Promise.all([createUser(), createUser()]);
  org = await createOrg({ visibility: "PRIVATE", owner: { id: owner.id } });
  const team = await addToNewTeam(org.name, member);
  const project = uid("e0000001", `1 + (n / 15) % ${PROJECTS}`);
  // Projects of the org (1 in 4 PUBLIC); entries: 1 in 3 of the org's about one of its projects,
  // the org's entries 1 in 5 of the log (the rest about other orgs).
  await env.DB.batch(
    [
      `INSERT INTO projects (id, org_id, name, visibility) ${seq(PROJECTS)}
         SELECT ${uid("e0000001", "n")}, '${org.id}', 'p-' || printf('%04d', n), CASE WHEN n % 4 = 0 THEN 'PUBLIC' ELSE 'PRIVATE' END FROM seq`,
      `INSERT INTO audit_log (entry_date, user_id, object, action, org_id, project_id, details) ${seq(ENTRIES)}
         SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '${ADMIN_ID}', CASE WHEN n % 15 = 0 THEN 'PROJECT' ELSE 'ORGANIZATION' END, 'UPDATE',
           CASE WHEN n % 5 = 0 THEN '${org.id}' ELSE ${uid("e0000002", "n")} END,
           CASE WHEN n % 15 = 0 THEN ${project} END,
           CASE WHEN n % 15 = 0 THEN json_object('n', n, 'projectId', ${project}) ELSE json_object('n', n) END FROM seq`,
      // the member's team: READER on 1 in 8 of the projects
      `INSERT INTO project_team_access (project_id, team_id, level)
         SELECT p.id, t.id, 'READER' FROM projects p, teams t WHERE p.org_id = '${org.id}' AND t.org_id = '${org.id}' AND t.name = '${team}'
           AND CAST(substr(p.name, 3) AS INTEGER) % 8 = 1`,
    ].map((s) => env.DB.prepare(s)),
  );
}, 60_000);

describe("rows read by the audit log", () => {
  const path = () => `/api/v1/audit?details.orgName=${org.name}&limit=50`;

  it("an administrator's page by org reads the page only", async () => {
    const res = await call("GET", path());
    const { returned, over } = perResourceEntry(res);
    expect(returned).toBe(50);
    expect(over, `rows read ${res.rowsRead}`).toBe(0);
  });

  it("the org owner's page reads the page plus at most 2 rows per entry about a project", async () => {
    const res = await call("GET", path(), { key: owner.key });
    const { returned, aboutProjects, over } = perResourceEntry(res);
    expect(returned).toBe(50);
    expect(aboutProjects).toBeGreaterThan(10);
    expect(over, `rows read ${res.rowsRead}`).toBeLessThanOrEqual(2 * aboutProjects);
  });

  it("a member's page skips entries about projects it may not read, reading a bounded number of rows per entry about a project it examined", async () => {
    const res = await call("GET", path(), { key: member.key });
    const { returned, aboutProjects } = perResourceEntry(res);
    expect(returned).toBe(50);
    // only entries about PUBLIC projects and the ones granted to its team
    const page = res.body as { details: { n: number; projectId?: string } }[];
    const ids = page.flatMap((e) => (e.details.projectId ? [e.details.projectId] : []));
    const n = (id: string) => Number(id.slice(-12));
    expect(ids.every((id) => n(id) % 4 === 0 || n(id) % 8 === 1), ids.join()).toBe(true);
    expect(aboutProjects).toBeGreaterThan(2);
    // what the page examined, newest first down to its last entry (and one more, which tells there is a next page)
    const last = page.at(-1)!.details.n;
    const examined = await rows<{ n: number }>(`SELECT json_extract(details, '$.n') AS n FROM audit_log WHERE org_id = ? AND json_extract(details, '$.n') >= ?`, org.id, last);
    const examinedAboutProjects = examined.filter((e) => e.n % 15 === 0).length;
    expect(examinedAboutProjects).toBeGreaterThan(aboutProjects);
    expect(res.rowsRead, `${examined.length} examined, ${examinedAboutProjects} about projects`).toBeLessThanOrEqual(2 * returned + 20 + PER_RESOURCE_ENTRY * (examinedAboutProjects + 1));
  });
});
