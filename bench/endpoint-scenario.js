// One call of every endpoint, in an order where each finds what it needs. Shared by the test suite
// (test/round-trips.test.ts asserts the counts) and the benchmark (bench/run.mjs reports them).
// Plain JS so that Node runs it without a build step.

/**
 * @typedef {{ username: string; org: string; apiKeyId?: string; userId?: string }} ScenarioState
 * @typedef {{
 *   route: string;
 *   path: string | ((s: ScenarioState) => string);
 *   json?: unknown;
 *   form?: Record<string, string>;
 *   status?: number;
 *   keep?: (body: any, s: ScenarioState) => void;
 * }} Step
 * @typedef {{ status: number; body: any; roundTrips: number }} Sent
 */

/** @param {string} tag unique per run */
export function endpointScenario(tag) {
  const username = `bench-user-${tag}`;
  const org = `bench-org-${tag}`;
  const o = `/api/v1/org/${org}`;
  /** @type {Step[]} */
  const steps = [
    { route: "GET /api/v1/server/ping", path: "/api/v1/server/ping" },
    { route: "GET /api/v1/server/version", path: "/api/v1/server/version" },
    { route: "POST /api/v1/user", path: "/api/v1/user", json: { username }, keep: (b, s) => (s.userId = b.id) },
    { route: "GET /api/v1/user/:username", path: `/api/v1/user/${username}` },
    { route: "POST /api/v1/apikey", path: "/api/v1/apikey", json: { username, name: "bench-key" }, keep: (b, s) => (s.apiKeyId = b.id) },
    { route: "GET /api/v1/apikey", path: "/api/v1/apikey" },
    { route: "GET /api/v1/audit", path: "/api/v1/audit?limit=10" },
    { route: "POST /api/v1/org", path: "/api/v1/org", json: { name: org, meta: { tier: 1 } } },
    { route: "POST /api/v1/org", path: "/api/v1/org", json: { name: org, cfg: { x: 1 } } },
    { route: "GET /api/v1/org", path: "/api/v1/org?limit=50" },
    { route: "GET /api/v1/org/:orgName", path: o },
    { route: "POST /api/v1/org/:orgName/team", path: `${o}/team`, json: { name: "builders" } },
    { route: "GET /api/v1/org/:orgName/team", path: `${o}/team` },
    { route: "GET /api/v1/org/:orgName/team/:teamName", path: `${o}/team/builders` },
    { route: "PUT /api/v1/org/:orgName/team/:teamName/users", path: `${o}/team/builders/users`, json: [{ username, role: "MEMBER" }] },
    { route: "GET /api/v1/org/:orgName/team/:teamName/users", path: `${o}/team/builders/users` },
    { route: "DELETE /api/v1/org/:orgName/team/:teamName/users", path: `${o}/team/builders/users`, json: [username] },
    { route: "POST /api/v1/org/:orgName/secret", path: `${o}/secret`, form: { name: "creds", type: "USERNAME_PASSWORD", username: "bot", password: "pw" } },
    { route: "POST /api/v1/org/:orgName/secret", path: `${o}/secret`, form: { name: "deploy-key", type: "KEY_PAIR" } },
    { route: "GET /api/v1/org/:orgName/secret", path: `${o}/secret` },
    { route: "GET /api/v1/org/:orgName/secret/:secretName", path: `${o}/secret/creds` },
    { route: "GET /api/v1/org/:orgName/secret/:secretName/public", path: `${o}/secret/deploy-key/public` },
    { route: "POST /api/v1/org/:orgName/secret/:secretName/data", path: `${o}/secret/creds/data`, form: {} },
    { route: "POST /api/v1/org/:orgName/project", path: `${o}/project`, json: { name: "app", visibility: "PRIVATE" } },
    // Rotate a value (re-encrypted) and restrict it to the project; then lift the restriction again.
    { route: "POST /api/v2/org/:orgName/secret/:secretName", path: `/api/v2/org/${org}/secret/creds`, form: { type: "USERNAME_PASSWORD", username: "bot", password: "pw2", projects: "app" } },
    { route: "POST /api/v1/org/:orgName/secret/:secretName", path: `${o}/secret/creds`, json: { visibility: "PRIVATE", projects: [] } },
    { route: "GET /api/v1/org/:orgName/project", path: `${o}/project` },
    { route: "POST /api/v1/org/:orgName/project/:projectName/repository", path: `${o}/project/app/repository`, json: { name: "main", url: "git@host:org/app.git", secretName: "creds" } },
    { route: "GET /api/v1/org/:orgName/project/:projectName/repository", path: `${o}/project/app/repository` },
    { route: "GET /api/v1/org/:orgName/project/:projectName", path: `${o}/project/app` },
    { route: "POST /api/v1/org/:orgName/project/:resourceName/access", path: `${o}/project/app/access`, json: { teamName: "builders", level: "WRITER" } },
    { route: "POST /api/v1/org/:orgName/project/:resourceName/access/bulk", path: `${o}/project/app/access/bulk`, json: [{ teamName: "builders", level: "READER" }] },
    { route: "GET /api/v1/org/:orgName/project/:resourceName/access", path: `${o}/project/app/access` },
    { route: "POST /api/v1/org/:orgName/secret/:resourceName/access", path: `${o}/secret/creds/access`, json: { teamName: "builders", level: "READER" } },
    { route: "POST /api/v1/org/:orgName/secret/:resourceName/access/bulk", path: `${o}/secret/creds/access/bulk`, json: [] },
    { route: "GET /api/v1/org/:orgName/secret/:resourceName/access", path: `${o}/secret/creds/access` },
    { route: "POST /api/v1/org/:orgName/jsonstore", path: `${o}/jsonstore`, json: { name: "inventory" } },
    { route: "POST /api/v1/org/:orgName/jsonstore/:resourceName/access", path: `${o}/jsonstore/inventory/access`, json: { teamName: "builders", level: "OWNER" } },
    { route: "POST /api/v1/org/:orgName/jsonstore/:resourceName/access/bulk", path: `${o}/jsonstore/inventory/access/bulk`, json: [{ teamName: "builders", level: "WRITER" }] },
    { route: "GET /api/v1/org/:orgName/jsonstore/:resourceName/access", path: `${o}/jsonstore/inventory/access` },
    { route: "GET /api/v1/org/:orgName/jsonstore", path: `${o}/jsonstore` },
    { route: "GET /api/v1/org/:orgName/jsonstore/:storeName", path: `${o}/jsonstore/inventory` },
    { route: "PUT /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}", path: `${o}/jsonstore/inventory/item/hosts/web1`, json: { ip: "10.0.0.1" } },
    { route: "GET /api/v1/org/:orgName/jsonstore/:storeName/item", path: `${o}/jsonstore/inventory/item` },
    { route: "GET /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}", path: `${o}/jsonstore/inventory/item/hosts/web1` },
    { route: "DELETE /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}", path: `${o}/jsonstore/inventory/item/hosts/web1` },
    { route: "DELETE /api/v1/org/:orgName/jsonstore/:storeName", path: `${o}/jsonstore/inventory` },
    { route: "DELETE /api/v1/org/:orgName/project/:projectName/repository/:repoName", path: `${o}/project/app/repository/main` },
    { route: "DELETE /api/v1/org/:orgName/project/:projectName", path: `${o}/project/app` },
    { route: "DELETE /api/v1/org/:orgName/secret/:secretName", path: `${o}/secret/deploy-key` },
    { route: "DELETE /api/v1/org/:orgName/team/:teamName", path: `${o}/team/builders` },
    { route: "DELETE /api/v1/apikey/:id", path: (s) => `/api/v1/apikey/${s.apiKeyId}` },
    { route: "DELETE /api/v1/user/:id", path: (s) => `/api/v1/user/${s.userId}` },
    { route: "DELETE /api/v1/org/:orgName", path: `${o}?confirmation=yes` },
  ];
  return { username, org, steps };
}

/**
 * Runs the scenario with `send` (which performs one request and reports D1 round trips) and
 * returns the highest round-trip count seen per route. Throws on an unexpected status.
 * @param {string} tag
 * @param {(step: { route: string; method: string; path: string; json?: unknown; form?: Record<string, string> }) => Promise<Sent>} send
 */
export async function runEndpointScenario(tag, send) {
  const { username, org, steps } = endpointScenario(tag);
  /** @type {ScenarioState} */
  const state = { username, org };
  /** @type {Record<string, number>} */
  const roundTrips = {};
  for (const step of steps) {
    const method = step.route.split(" ")[0];
    const path = typeof step.path === "function" ? step.path(state) : step.path;
    const res = await send({ route: step.route, method, path, json: step.json, form: step.form });
    if (res.status !== (step.status ?? 200)) {
      throw new Error(`${method} ${path}: expected ${step.status ?? 200}, got ${res.status} ${JSON.stringify(res.body)}`);
    }
    step.keep?.(res.body, state);
    roundTrips[step.route] = Math.max(roundTrips[step.route] ?? 0, res.roundTrips);
  }
  return roundTrips;
}
