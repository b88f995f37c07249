import { describe, expect, it } from "vitest";
import { ADMIN_ID, addToNewTeam, call, count, createOrg, createUser, expectError, snapshot, uniqueName } from "./helpers";

const storesOf = (org: string) => `/api/v1/org/${org}/jsonstore`;

describe("JSON stores", () => {
  it("create (PRIVATE by default), get, list, update by name and by id (rename), owner by username", async () => {
    const org = await createOrg();
    const user = await createUser();
    const name = uniqueName("inv");
    const created = await call("POST", storesOf(org.name), { json: { name } });
    expect(created.body).toEqual({ ok: true, result: "CREATED", id: expect.any(String) });
    const got = await call("GET", `${storesOf(org.name)}/${name}`);
    expect(got.body).toEqual({ id: created.body.id, name, orgId: org.id, orgName: org.name, visibility: "PRIVATE", owner: { id: ADMIN_ID, username: "admin" } });

    const updated = await call("POST", storesOf(org.name), { json: { name: name.toUpperCase(), visibility: "PUBLIC", owner: { username: user.username } } });
    expect(updated.body).toEqual({ ok: true, result: "UPDATED", id: created.body.id });
    const renamed = uniqueName("renamed");
    await call("POST", storesOf(org.name), { json: { id: created.body.id, name: renamed } });
    const list = await call("GET", storesOf(org.name));
    expect(list.body).toEqual([{ id: created.body.id, name: renamed, orgId: org.id, orgName: org.name, visibility: "PUBLIC", owner: { id: user.id, username: user.username } }]);
  });

  it("refuses an unknown owner and a bad name (400) and an unknown id (404), changing nothing", async () => {
    const org = await createOrg();
    const before = await snapshot();
    expectError(await call("POST", storesOf(org.name), { json: { name: uniqueName("x"), owner: { username: uniqueName("ghost") } } }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", storesOf(org.name), { json: { name: "s", visibility: "PUBLIC" } }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", storesOf(org.name), { json: { id: crypto.randomUUID() } }), 404, "NOT_FOUND");
    expect(await snapshot()).toBe(before);
  });

  it("items: PUT creates then updates, GET returns the exact JSON, list paths with filter and paging, DELETE", async () => {
    const org = await createOrg();
    const store = uniqueName("inv");
    await call("POST", storesOf(org.name), { json: { name: store } });
    const item = (path: string) => `${storesOf(org.name)}/${store}/item/${path}`;
    const values: [string, unknown][] = [
      ["hosts/web/1", { ip: "10.0.0.1", tags: ["a", "b"], nested: { deep: [1, { x: null }] } }],
      ["hosts/web/2", [1, 2, 3]],
      ["flags/enabled", true],
      ["counters/n", 42.5],
      ["notes", "a plain string"],
      ["nothing", null],
    ];
    for (const [path, value] of values) {
      const res = await call("PUT", item(path), { json: value });
      expect(res.body, path).toEqual({ ok: true, result: "CREATED" });
    }
    for (const [path, value] of values) {
      const res = await call("GET", item(path));
      expect(res.status).toBe(200);
      expect(res.roundTrips).toBe(1);
      expect(res.body, path).toEqual(value);
    }
    expect((await call("PUT", item("hosts/web/1"), { json: { ip: "10.0.0.9" } })).body).toEqual({ ok: true, result: "UPDATED" });
    expect((await call("GET", item("hosts/web/1"))).body).toEqual({ ip: "10.0.0.9" });

    const paths = await call("GET", `${storesOf(org.name)}/${store}/item`);
    expect(paths.body).toEqual(values.map(([p]) => p).sort());
    const page = await call("GET", `${storesOf(org.name)}/${store}/item?filter=WEB&limit=1`);
    expect(page.body).toEqual(["hosts/web/1"]);
    expect(page.headers.get("Link")).toContain(`after=${encodeURIComponent("hosts/web/1")}`);
    const next = /<([^>]+)>/.exec(page.headers.get("Link")!)![1]!;
    expect((await call("GET", next)).body).toEqual(values.map(([p]) => p).filter((p) => p.includes("web")).sort().slice(1, 2));

    expect((await call("DELETE", item("hosts/web/2"))).body).toEqual({ ok: true, result: "DELETED" });
    // Concord's answer for a missing item of a store the caller may read: 204, empty body.
    const gone = await call("GET", item("hosts/web/2"));
    expect(gone.status).toBe(204);
    expect(gone.body).toBe("");
    expectError(await call("DELETE", item("hosts/web/2")), 404, "NOT_FOUND");
  });

  it("items: bad input is refused and changes nothing", async () => {
    const org = await createOrg();
    const store = uniqueName("inv");
    await call("POST", storesOf(org.name), { json: { name: store } });
    const item = `${storesOf(org.name)}/${store}/item/a/b`;
    const before = await snapshot();
    expectError(await call("PUT", item, { raw: "{not json", contentType: "application/json" }), 400, "BAD_REQUEST");
    expectError(await call("PUT", item, { raw: "x=1", contentType: "text/plain" }), 415, "UNSUPPORTED_MEDIA_TYPE");
    expectError(await call("PUT", item, { json: { big: "x".repeat(512 * 1024) } }), 413, "PAYLOAD_TOO_LARGE");
    expectError(await call("PUT", item, { json: { big: "x".repeat(700 * 1024) } }), 413, "PAYLOAD_TOO_LARGE");
    expectError(await call("PUT", `${storesOf(org.name)}/${store}/item/${"p".repeat(1100)}`, { json: 1 }), 400, "VALIDATION_FAILED");
    expectError(await call("PUT", `${storesOf(org.name)}/${uniqueName("nostore")}/item/a`, { json: 1 }), 404, "NOT_FOUND");
    expect(await snapshot()).toBe(before);
    expect((await call("PUT", item, { json: { big: "x".repeat(500 * 1024) } })).status).toBe(200);
  });

  it("a PRIVATE store is 404 to non-members; a PUBLIC one in a PUBLIC org shows them its metadata, not its items", async () => {
    const org = await createOrg();
    const [member, stranger] = [await createUser(), await createUser()];
    const team = await addToNewTeam(org.name, member);
    const [priv, pub] = [uniqueName("priv"), uniqueName("pub")];
    await call("POST", storesOf(org.name), { json: { name: priv } });
    await call("POST", storesOf(org.name), { json: { name: pub, visibility: "PUBLIC" } });
    await call("PUT", `${storesOf(org.name)}/${priv}/item/k`, { json: 1 });
    await call("PUT", `${storesOf(org.name)}/${pub}/item/k`, { json: 2 });

    expect((await call("GET", storesOf(org.name), { key: stranger.key })).body.map((s: { name: string }) => s.name)).toEqual([pub]);
    expectError(await call("GET", `${storesOf(org.name)}/${priv}/item/k`, { key: stranger.key }), 404, "NOT_FOUND");
    expectError(await call("GET", `${storesOf(org.name)}/${priv}/item`, { key: stranger.key }), 404, "NOT_FOUND");
    expect((await call("GET", `${storesOf(org.name)}/${pub}`, { key: stranger.key })).status).toBe(200);
    const before = await snapshot();
    expectError(await call("GET", `${storesOf(org.name)}/${pub}/item/k`, { key: stranger.key }), 403, "FORBIDDEN");
    expectError(await call("PUT", `${storesOf(org.name)}/${pub}/item/k`, { key: stranger.key, json: 3 }), 403, "FORBIDDEN");
    expectError(await call("DELETE", `${storesOf(org.name)}/${pub}`, { key: stranger.key }), 403, "FORBIDDEN");
    expectError(await call("POST", storesOf(org.name), { key: stranger.key, json: { name: uniqueName("s") } }), 403, "FORBIDDEN");
    expect(await snapshot()).toBe(before);

    // A member reads a PUBLIC store's items; a PRIVATE store needs a grant, and writing WRITER.
    expect((await call("GET", `${storesOf(org.name)}/${pub}/item/k`, { key: member.key })).body).toBe(2);
    expectError(await call("GET", `${storesOf(org.name)}/${priv}/item/k`, { key: member.key }), 404, "NOT_FOUND");
    await call("POST", `${storesOf(org.name)}/${priv}/access`, { json: { teamName: team, level: "READER" } });
    expect((await call("GET", `${storesOf(org.name)}/${priv}/item/k`, { key: member.key })).body).toBe(1);
    expectError(await call("PUT", `${storesOf(org.name)}/${priv}/item/k`, { key: member.key, json: 5 }), 403, "FORBIDDEN");
    await call("POST", `${storesOf(org.name)}/${priv}/access`, { json: { teamName: team, level: "WRITER" } });
    const put = await call("PUT", `${storesOf(org.name)}/${priv}/item/k`, { key: member.key, json: 5 });
    expect(put.body.result).toBe("UPDATED");
    expect(put.roundTrips).toBe(2);
  });

  it("deleting a store deletes its items", async () => {
    const org = await createOrg();
    const store = uniqueName("inv");
    const { body } = await call("POST", storesOf(org.name), { json: { name: store } });
    for (const k of ["a", "b", "c"]) await call("PUT", `${storesOf(org.name)}/${store}/item/${k}`, { json: k });
    expect(await count(`SELECT 1 FROM json_store_items WHERE store_id = ?`, body.id)).toBe(3);
    expect((await call("DELETE", `${storesOf(org.name)}/${store}`)).body).toEqual({ ok: true, result: "DELETED" });
    expect(await count(`SELECT 1 FROM json_store_items WHERE store_id = ?`, body.id)).toBe(0);
    expectError(await call("GET", `${storesOf(org.name)}/${store}`), 404, "NOT_FOUND");
  });
});
