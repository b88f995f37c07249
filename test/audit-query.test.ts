// GET /api/v1/audit: Concord's filters, newest first, cursor paging, and who reads what
// (administrators everything; others only with an entity filter, only what they may see now).
import { describe, expect, it } from "vitest";
import { ADMIN_ID, addToNewTeam, call, createOrg, createUser, expectError, form, uniqueName } from "./helpers";

type Entry = { entryDate: string; action: string; object: string; details: Record<string, any>; user?: { id: string; username: string } };
const audit = async (query: string, key?: string) => call<Entry[]>("GET", `/api/v1/audit?${query}`, { key });

describe("audit log: reading it", () => {
  it("administrators: every filter, newest first, a cursor for the next page, dates as bounds", async () => {
    const org = await createOrg();
    const user = await createUser();
    await addToNewTeam(org.name, user);
    const stamp = new Date().toISOString();
    for (const name of ["proj-a", "proj-b", "proj-c"]) {
      expect((await call("POST", `/api/v1/org/${org.name}/project`, { key: user.key, json: { name } })).status).toBe(200);
    }
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "proj-a", description: "changed" } })).status).toBe(200);

    const all = await audit(`details.orgName=${org.name}`);
    expect(all.status).toBe(200);
    expect(all.body.map((e) => [e.object, e.action, e.details.name])).toEqual([
      ["PROJECT", "UPDATE", "proj-a"],
      ["PROJECT", "CREATE", "proj-c"],
      ["PROJECT", "CREATE", "proj-b"],
      ["PROJECT", "CREATE", "proj-a"],
      ["TEAM", "UPDATE", expect.any(String)],
      ["TEAM", "CREATE", expect.any(String)],
      ["ORGANIZATION", "CREATE", org.name],
    ]);
    expect(all.body[1]!.user).toMatchObject({ id: user.id, username: user.username });
    expect(all.body[0]!.details.changes).toEqual({ new: { description: "changed" } }); // a null before is left out, as Concord
    expect((await audit(`details.orgId=${org.id}`)).body).toEqual(all.body);
    expect((await audit(`details.orgName=${org.name}&details.projectName=proj-a`)).body.map((e) => e.action)).toEqual(["UPDATE", "CREATE"]);
    expect((await audit(`details.orgName=${org.name}&object=PROJECT&action=CREATE`)).body).toHaveLength(3);
    expect((await audit(`details.orgName=${org.name}&userId=${user.id}`)).body).toHaveLength(3);
    expect((await audit(`details.orgName=${org.name}&username=${user.username.toUpperCase()}`)).body).toHaveLength(3);
    expect((await audit(`details.orgName=${org.name}&username=${uniqueName("nobody")}`)).body).toEqual([]);
    expect((await audit(`details.orgName=${org.name}&after=${stamp}`)).body).toHaveLength(4);
    expect((await audit(`details.orgName=${org.name}&before=${stamp}`)).body).toHaveLength(3);

    // pages: a cursor in Link, each entry once
    const first = await audit(`details.orgName=${org.name}&limit=3`);
    const link = first.headers.get("Link")!;
    expect(link).toMatch(/cursor=\d+/);
    const next = await call<Entry[]>("GET", link.slice(1, link.indexOf(">")));
    expect([...first.body, ...next.body].map((e) => e.details.requestId)).toEqual(all.body.slice(0, 6).map((e) => e.details.requestId));

    expectError(await audit(`details.projectName=proj-a`), 400, "VALIDATION_FAILED");
    expectError(await audit(`after=yesterday`), 400, "VALIDATION_FAILED");
    for (const day of ["2026-02-30", "2026-13-01", "2025-02-29"]) expectError(await audit(`before=${day}T00:00:00Z`), 400, "VALIDATION_FAILED");
    for (const day of ["2024-02-29", "0050-01-01"]) expect((await audit(`before=${day}T00:00:00Z`)).status).toBe(200); // a leap day, an early year
    expectError(await audit(`object=PROCESS`), 400, "VALIDATION_FAILED");
    const unfiltered = await audit("limit=2");
    expect(unfiltered.body).toHaveLength(2);
    expect(unfiltered.body[0]!.user).toBeDefined();
  });

  it("secret, JSON store and team filters, by id and by name, and the action of a secret's read", async () => {
    const org = await createOrg();
    const secretId = (await call("POST", `/api/v1/org/${org.name}/secret`, { raw: form({ name: "creds", type: "DATA", data: "x" }) })).body.id;
    expect((await call("POST", `/api/v1/org/${org.name}/secret/creds/data`)).status).toBe(200);
    const storeId = (await call("POST", `/api/v1/org/${org.name}/jsonstore`, { json: { name: "inventory" } })).body.id;
    expect((await call("PUT", `/api/v1/org/${org.name}/jsonstore/inventory/item/hosts/web`, { json: { ip: "10.0.0.1" } })).status).toBe(200);
    const team = uniqueName("team");
    const teamId = (await call("POST", `/api/v1/org/${org.name}/team`, { json: { name: team } })).body.id;
    expect((await call("POST", `/api/v1/org/${org.name}/team`, { json: { id: teamId, description: "d" } })).status).toBe(200);

    const secret = await audit(`details.orgName=${org.name}&details.secretName=creds`);
    expect(secret.body.map((e) => [e.object, e.action])).toEqual([["SECRET", "ACCESS"], ["SECRET", "CREATE"]]);
    expect(secret.body[0]!.details).toMatchObject({ secretId, name: "creds", type: "DATA", scope: { name: "apiAccess" } });
    expect((await audit(`details.secretId=${secretId}`)).body).toEqual(secret.body);
    const store = await audit(`details.orgName=${org.name}&details.jsonStoreName=inventory`);
    expect(store.body.map((e) => [e.object, e.action, e.details.itemPath])).toEqual([["JSON_STORE_DATA", "CREATE", "hosts/web"], ["JSON_STORE", "CREATE", undefined]]);
    expect((await audit(`details.jsonStoreId=${storeId}`)).body).toEqual(store.body);
    const byTeam = await audit(`details.orgName=${org.name}&details.teamName=${team}`);
    expect(byTeam.body.map((e) => [e.object, e.action])).toEqual([["TEAM", "UPDATE"], ["TEAM", "CREATE"]]);
    // Concord breaks details.teamId alone; here it works
    expect((await audit(`details.teamId=${teamId}`)).body).toEqual(byTeam.body);
  });

  it("others: an entity filter is required; they read only what they may see now", async () => {
    const org = await createOrg();
    const [member, reader, outsider] = [await createUser(), await createUser(), await createUser()];
    await addToNewTeam(org.name, member);
    const readers = await addToNewTeam(org.name, reader);
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "open" } })).status).toBe(200);
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "closed", visibility: "PRIVATE" } })).status).toBe(200);
    expect((await call("POST", `/api/v1/org/${org.name}/secret`, { raw: form({ name: "hidden", type: "DATA", data: "x", visibility: "PRIVATE" }) })).status).toBe(200);
    expect((await call("POST", `/api/v1/org/${org.name}/project/closed/access`, { json: { teamName: readers, level: "READER" } })).status).toBe(200);

    expectError(await audit(`object=PROJECT`, member.key), 403, "FORBIDDEN");
    const asMember = await audit(`details.orgName=${org.name}&object=PROJECT`, member.key);
    expect(asMember.status).toBe(200);
    expect(asMember.body.map((e) => e.details.name)).toEqual(["open"]);
    expect((await audit(`details.orgName=${org.name}&object=SECRET`, member.key)).body).toEqual([]);
    const asReader = await audit(`details.orgName=${org.name}&object=PROJECT`, reader.key);
    expect(asReader.body.map((e) => e.details.name).sort()).toEqual(["closed", "closed", "open"]);
    expect((await audit(`details.orgName=${org.name}&details.projectName=closed`, reader.key)).status).toBe(200);
    expectError(await audit(`details.orgName=${org.name}&details.projectName=closed`, member.key), 404, "NOT_FOUND");
    expectError(await audit(`details.orgName=${org.name}&details.projectName=open`, outsider.key), 403, "FORBIDDEN");
    // a PUBLIC org the outsider sees but has no access to; a PRIVATE one it may not see; one that does not exist
    expectError(await audit(`details.orgName=${org.name}`, outsider.key), 403, "FORBIDDEN");
    const hidden = await createOrg({ visibility: "PRIVATE" });
    expectError(await audit(`details.orgName=${hidden.name}`, outsider.key), 404, "NOT_FOUND");
    expectError(await audit(`details.orgName=${uniqueName("none")}`, outsider.key), 404, "NOT_FOUND");
    expectError(await audit(`details.orgId=${hidden.id}`, outsider.key), 404, "NOT_FOUND");
  });

  it("a moved resource's entries from its old org stay with that org's members; an empty username finds nothing", async () => {
    const [from, to] = [await createOrg({ visibility: "PRIVATE" }), await createOrg()];
    const member = await createUser();
    await addToNewTeam(to.name, member);
    const projectId = (await call("POST", `/api/v1/org/${from.name}/project`, { json: { name: "mover", cfg: { internal: true } } })).body.id;
    expect((await call("POST", `/api/v1/org/${from.name}/project`, { json: { id: projectId, orgName: to.name } })).status).toBe(200);
    // READER on it now (PUBLIC, in an org it belongs to), but no access to the org its history was written in
    expect((await audit(`details.projectId=${projectId}`, member.key)).body).toEqual([]);
    expect((await call("POST", `/api/v1/org/${to.name}/project`, { json: { id: projectId, description: "here now" } })).status).toBe(200);
    expect((await audit(`details.projectId=${projectId}`, member.key)).body.map((e) => e.details.changes?.new)).toEqual([{ description: "here now" }]);
    expect((await audit(`details.projectId=${projectId}`)).body).toHaveLength(3);
    expect((await audit(`details.orgName=${to.name}&username=`)).body).toEqual([]);
  });

  it("entries outlive their org: administrators find them by its id and by its last name", async () => {
    const org = await createOrg();
    const member = await createUser();
    await addToNewTeam(org.name, member);
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "gone" } })).status).toBe(200);
    expect((await call("DELETE", `/api/v1/org/${org.name}?confirmation=yes`)).status).toBe(200);
    const byId = await audit(`details.orgId=${org.id}`);
    expect(byId.body[0]).toMatchObject({ object: "ORGANIZATION", action: "DELETE", details: { orgId: org.id, name: org.name, deleted: { projects: 1 } }, user: { id: ADMIN_ID } });
    expect(byId.body.map((e) => e.object)).toContain("PROJECT");
    expect((await audit(`details.orgName=${org.name.toUpperCase()}`)).body).toEqual(byId.body);
    expectError(await audit(`details.orgId=${org.id}`, member.key), 404, "NOT_FOUND");
  });
});
