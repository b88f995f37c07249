import { contractViolation } from "./contract";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

export const ADMIN_KEY = env.ADMIN_API_KEY;
export const ADMIN_ID = "230c5c9c-d9a7-11e6-bcfd-bb681c07b26c";
export const DEFAULT_ORG_ID = "0fac1b18-d179-11e7-b3e7-d7df4543ed4f";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  roundTrips: number;
  /** statements of the request whose LIMIT was a bound parameter */
  boundLimits: number;
  /** D1 rows read / written by the request (what D1 bills); NaN if a call was unmeasured */
  rowsRead: number;
  rowsWritten: number;
}

export interface CallOptions {
  /** API key; `null` sends no Authorization header. Default: the admin key. */
  key?: string | null;
  /** JSON-serialized unless `raw` is given. */
  json?: unknown;
  /** Sent as is (with `contentType`, if any). */
  raw?: BodyInit;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A request through the Worker's real fetch entry. */
export async function call<T = any>(method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers(opts.headers);
  const key = opts.key === undefined ? ADMIN_KEY : opts.key;
  if (key !== null) headers.set("Authorization", key);
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers.set("Content-Type", opts.contentType ?? "application/json");
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    if (opts.contentType) headers.set("Content-Type", opts.contentType);
  }
  const res = await exports.default.fetch(new Request(`http://api.test${path}`, { method, headers, body }));
  const text = await textOf(res);
  let parsed: unknown = text;
  if ((res.headers.get("Content-Type") ?? "").includes("json") && text) parsed = JSON.parse(text);
  // Every answer a test receives keeps the OpenAPI document's contract (test/contract.ts).
  const violation = contractViolation(method, `http://api.test${path}`, res.status, res.headers.get("Content-Type") ?? "", parsed);
  expect(violation).toBeUndefined();
  return {
    status: res.status,
    headers: res.headers,
    body: parsed as T,
    roundTrips: Number(res.headers.get("X-D1-Round-Trips") ?? NaN),
    boundLimits: Number(res.headers.get("X-D1-Bound-Limits") ?? NaN),
    rowsRead: Number(res.headers.get("X-D1-Rows-Read") ?? NaN),
    rowsWritten: Number(res.headers.get("X-D1-Rows-Written") ?? NaN),
  };
}

/** A body as UTF-8 text, whatever its type (workerd warns about `text()` on an octet-stream, e.g. a secret's value). */
export async function textOf(res: Response): Promise<string> {
  return new TextDecoder().decode(await res.arrayBuffer());
}

let counter = 0;
/** A name no other test uses (tests share one D1 per file and run in any order). */
export function uniqueName(prefix = "org"): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface TestUser {
  id: string;
  username: string;
  key: string;
}

/** A user with an API key of its own, made through the API. */
export async function createUser(opts: { admin?: boolean; username?: string } = {}): Promise<TestUser> {
  const username = opts.username ?? uniqueName("user");
  const created = await call("POST", "/api/v1/user", {
    json: { username, type: "LOCAL", ...(opts.admin ? { roles: ["concordAdmin"] } : {}) },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const apiKey = await call("POST", "/api/v1/apikey", { json: { username } });
  expect(apiKey.status, JSON.stringify(apiKey.body)).toBe(200);
  return { id: created.body.id, username, key: apiKey.body.key };
}

/** An org made through the API (by the admin key unless `key` is given). */
export async function createOrg(
  fields: { name?: string; visibility?: "PUBLIC" | "PRIVATE"; owner?: { id?: string; username?: string }; meta?: object; cfg?: object } = {},
  key: string = ADMIN_KEY,
): Promise<{ id: string; name: string }> {
  const name = fields.name ?? uniqueName();
  const res = await call("POST", "/api/v1/org", { key, json: { ...fields, name } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.result).toBe("CREATED");
  return { id: res.body.id, name };
}

/** Rows of a table matching a WHERE clause, straight from D1. */
export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  const result = await env.DB.prepare(sql).bind(...params).all<T>();
  return result.results;
}

export async function count(sql: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM (${sql})`).bind(...params).first<{ n: number }>();
  return row?.n ?? 0;
}

/** A fingerprint of every table, to prove a refused request changed nothing. */
export async function snapshot(): Promise<string> {
  const tables = [
    "users", "api_keys", "organizations", "teams", "team_members", "projects",
    "repositories", "secrets", "json_stores", "json_store_items", "org_name_trigrams", "org_trigram_counts",
    "project_team_access", "secret_team_access", "json_store_team_access", "secret_projects",
    // a refused request records nothing either
    "audit_log",
  ];
  const parts: string[] = [];
  for (const table of tables) {
    const all = await env.DB.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
    parts.push(`${table}:${JSON.stringify(all.results)}`);
  }
  return parts.join("\n");
}

export function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ ok: false, code });
  expect(typeof res.body.message).toBe("string");
  expect(res.headers.get("X-Request-Id")).toBeTruthy();
}

/** multipart/form-data from fields; Blob values are sent as files. */
export function form(fields: Record<string, string | Blob>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === "string") data.set(name, value);
    else data.set(name, value, `${name}.bin`);
  }
  return data;
}

/** Adds a user to an org's new team (through the API) with the given role; returns the team name. */
export async function addToNewTeam(orgName: string, user: TestUser, role = "MEMBER"): Promise<string> {
  const team = uniqueName("team");
  const created = await call("POST", `/api/v1/org/${orgName}/team`, { json: { name: team } });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const added = await call("PUT", `/api/v1/org/${orgName}/team/${team}/users`, { json: [{ username: user.username, role }] });
  expect(added.status, JSON.stringify(added.body)).toBe(200);
  return team;
}

/** How many rows of each owned table belong to the org (every one 0 after its deletion). */
export async function orgRowCounts(orgId: string) {
  return {
    organizations: await count(`SELECT 1 FROM organizations WHERE id = ?`, orgId),
    teams: await count(`SELECT 1 FROM teams WHERE org_id = ?`, orgId),
    team_members: await count(`SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.org_id = ?`, orgId),
    projects: await count(`SELECT 1 FROM projects WHERE org_id = ?`, orgId),
    repositories: await count(`SELECT 1 FROM repositories r JOIN projects p ON p.id = r.project_id WHERE p.org_id = ?`, orgId),
    secrets: await count(`SELECT 1 FROM secrets WHERE org_id = ?`, orgId),
    json_stores: await count(`SELECT 1 FROM json_stores WHERE org_id = ?`, orgId),
    json_store_items: await count(`SELECT 1 FROM json_store_items i JOIN json_stores s ON s.id = i.store_id WHERE s.org_id = ?`, orgId),
  };
}
