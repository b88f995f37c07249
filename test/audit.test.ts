// The audit log: every successful write records one entry in the same batch as the change, with
// Concord's object, action and details; a refused or failed write records none.
import { describe, expect, it } from "vitest";
import { runEndpointScenario } from "../bench/endpoint-scenario.js";
import { ADMIN_ID, addToNewTeam, call, createOrg, createUser, form, rows, uniqueName } from "./helpers";

interface Entry {
  seq: number;
  user_id: string | null;
  object: string;
  action: string;
  org_id: string | null;
  details: string;
}

const lastSeq = async () => (await rows<{ seq: number | null }>(`SELECT max(seq) AS seq FROM audit_log`))[0]!.seq ?? 0;
const entriesAfter = async (seq: number) =>
  (await rows<Entry>(`SELECT * FROM audit_log WHERE seq > ? ORDER BY seq`, seq)).map((e) => ({ ...e, details: JSON.parse(e.details) }));

describe("audit log: organizations", () => {
  it("create, update (by id and by name), delete: one entry each, with the changed fields only", async () => {
    const name = uniqueName();
    let seq = await lastSeq();
    const created = await call("POST", "/api/v1/org", { json: { name, meta: { tier: 1 } } });
    expect(created.status).toBe(200);
    const id = created.body.id;
    let entries = await entriesAfter(seq);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ user_id: ADMIN_ID, object: "ORGANIZATION", action: "CREATE", org_id: id });
    expect(entries[0]!.details).toMatchObject({ orgId: id, name, changes: { new: { name, visibility: "PUBLIC", meta: { tier: 1 } } }, actionSource: { type: "API_REQUEST" } });
    expect(entries[0]!.details.requestId).toBe(created.headers.get("X-Request-Id"));

    seq = await lastSeq();
    expect((await call("POST", "/api/v1/org", { json: { id, name: `${name}-2`, visibility: "PUBLIC", cfg: { a: 1 } } })).status).toBe(200);
    entries = await entriesAfter(seq);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ object: "ORGANIZATION", action: "UPDATE", org_id: id });
    // as Concord: a field that was null is only under `new`
    expect(entries[0]!.details.changes).toEqual({ prev: { name }, new: { name: `${name}-2`, cfg: { a: 1 } } });

    // an update that changes nothing: one entry, and `changes` empty (its halves are dropped)
    seq = await lastSeq();
    expect((await call("POST", "/api/v1/org", { json: { id, visibility: "PUBLIC" } })).status).toBe(200);
    entries = await entriesAfter(seq);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.details.changes).toEqual({});

    seq = await lastSeq();
    expect((await call("POST", "/api/v1/org", { json: { name: `${name}-2`, meta: { tier: 2 } } })).status).toBe(200);
    entries = await entriesAfter(seq);
    expect(entries.map((e) => [e.object, e.action])).toEqual([["ORGANIZATION", "UPDATE"]]);
    expect(entries[0]!.details).toMatchObject({ orgId: id, name: `${name}-2`, changes: { prev: { meta: { tier: 1 } }, new: { meta: { tier: 2 } } } });

    expect((await call("POST", `/api/v1/org/${name}-2/project`, { json: { name: "proj-1" } })).status).toBe(200);
    seq = await lastSeq();
    expect((await call("DELETE", `/api/v1/org/${name}-2?confirmation=yes`)).status).toBe(200);
    entries = await entriesAfter(seq);
    expect(entries.map((e) => [e.object, e.action])).toEqual([["ORGANIZATION", "DELETE"]]);
    expect(entries[0]!.details).toMatchObject({ orgId: id, name: `${name}-2`, deleted: { teams: 1, teamMembers: 1, projects: 1, secrets: 0 } });
  });

  it("refused and failed writes record nothing", async () => {
    const org = await createOrg();
    const other = await createOrg();
    const seq = await lastSeq();
    expect((await call("POST", "/api/v1/org", { json: { id: org.id, name: other.name } })).status).toBe(409);
    expect((await call("DELETE", `/api/v1/org/${uniqueName()}?confirmation=yes`)).status).toBe(404);
    expect(await entriesAfter(seq)).toEqual([]);
  });
});

/** The entry a successful write leaves, by route: Concord's object and action. */
function expectedEntry(route: string, result: unknown): [string, string] {
  const [method, path] = route.split(" ") as [string, string];
  if (path.endsWith("/data")) return ["SECRET", "ACCESS"];
  if (path.includes("/access")) return [path.includes("/project/") ? "PROJECT" : path.includes("/secret/") ? "SECRET" : "JSON_STORE", "UPDATE"];
  if (path.includes("/repository")) return ["PROJECT", "UPDATE"];
  if (path.endsWith("/users")) return ["TEAM", "UPDATE"];
  const action = method === "DELETE" ? "DELETE" : result === "CREATED" ? "CREATE" : "UPDATE";
  if (path.includes("/item/")) return ["JSON_STORE_DATA", action];
  const objects: [string, string][] = [["/jsonstore", "JSON_STORE"], ["/secret", "SECRET"], ["/project", "PROJECT"], ["/team", "TEAM"], ["/apikey", "API_KEY"], ["/user", "USER"], ["/org", "ORGANIZATION"]];
  return [objects.find(([segment]) => path.includes(segment))![1], action];
}

describe("audit log: every write route", () => {
  it("leaves exactly one entry per successful write, by its caller and request; reads leave none", async () => {
    const caller = await createUser({ admin: true });
    const seen = new Set<string>();
    await runEndpointScenario(uniqueName("au"), async (step) => {
      const before = await lastSeq();
      const res = await call(step.method, step.path, {
        key: caller.key,
        ...(step.form ? { raw: form(step.form) } : step.json !== undefined ? { json: step.json } : {}),
      });
      const entries = await entriesAfter(before);
      if (step.method === "GET") {
        expect(entries, step.route).toEqual([]);
      } else if (res.status === 200) {
        seen.add(step.route);
        expect(entries, `${step.route}: ${JSON.stringify(entries)}`).toHaveLength(1);
        const [object, action] = expectedEntry(step.route, (res.body as { result?: string }).result);
        expect([entries[0]!.object, entries[0]!.action], step.route).toEqual([object, action]);
        expect(entries[0]!.user_id, step.route).toBe(caller.id);
        expect(entries[0]!.details.requestId, step.route).toBe(res.headers.get("X-Request-Id"));
      }
      return { status: res.status, body: res.body, roundTrips: res.roundTrips };
    });
    expect(seen.size).toBeGreaterThanOrEqual(25);
  });

  it("no secret value, store password, generated password, API key or key hash is ever in an entry", async () => {
    const org = await createOrg();
    const marker = `m4rk3r-${crypto.randomUUID()}`;
    const v1 = `/api/v1/org/${org.name}/secret`;
    expect((await call("POST", v1, { raw: form({ name: "creds", type: "USERNAME_PASSWORD", username: `u-${marker}`, password: `p-${marker}`, storePassword: `sp-${marker}` }) })).status).toBe(200);
    expect((await call("POST", `${v1}/creds/data`, { raw: form({ storePassword: `sp-${marker}` }) })).status).toBe(200);
    const changed = await call("POST", `${v1}/creds`, { json: { storePassword: `sp-${marker}`, newStorePassword: `np-${marker}`, data: btoa(`d-${marker}`) } });
    expect(changed.status).toBe(200);
    const generated = await call("POST", v1, { raw: form({ name: "gen", type: "DATA", data: `g-${marker}`, generatePassword: "true" }) });
    const user = await createUser();
    const key = `k-${marker}`;
    expect((await call("POST", "/api/v1/apikey", { json: { username: user.username, key } })).status).toBe(200);
    const hash = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const all = (await rows<{ details: string }>(`SELECT details FROM audit_log`)).map((r) => r.details).join("\n");
    expect(all).toContain("creds"); // the entries are there
    for (const needle of [marker, generated.body.password, hash]) expect(all.includes(needle), needle).toBe(false);
  });

  it("a member's writes are recorded as that member's; refused ones record nothing", async () => {
    const org = await createOrg();
    const member = await createUser();
    await addToNewTeam(org.name, member);
    const seq = await lastSeq();
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { key: member.key, json: { name: "proj-by-member" } })).status).toBe(200);
    expect((await call("DELETE", `/api/v1/org/${org.name}?confirmation=yes`, { key: member.key })).status).toBe(403);
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { key: member.key, json: { name: "proj-by-member", visibility: "SECRET" } })).status).toBe(400);
    // removing users who are not members removes nothing: no entry
    const team = uniqueName("team");
    expect((await call("POST", `/api/v1/org/${org.name}/team`, { json: { name: team } })).status).toBe(200);
    expect((await call("DELETE", `/api/v1/org/${org.name}/team/${team}/users`, { json: [uniqueName("nobody")] })).status).toBe(200);
    const entries = await entriesAfter(seq);
    expect(entries.map((e) => [e.object, e.action, e.user_id])).toEqual([
      ["PROJECT", "CREATE", member.id],
      ["TEAM", "CREATE", ADMIN_ID],
    ]);
  });
});
