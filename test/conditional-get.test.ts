/**
 * Conditional GETs: every GET of the API answers an ETag; a matching If-None-Match answers 304
 * without a body, after the same one D1 round trip, and never once the answer has changed.
 */
import { describe, expect, it } from "vitest";
import { call, createOrg, expectError, uniqueName } from "./helpers";

describe("ETag and If-None-Match", () => {
  it("a GET answers an ETag; the same ETag back answers 304 with no body, in one round trip", async () => {
    const org = await createOrg();
    const first = await call("GET", `/api/v1/org/${org.name}`);
    const etag = first.headers.get("ETag");
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await call("GET", `/api/v1/org/${org.name}`, { headers: { "If-None-Match": etag! } });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
    expect(again.headers.get("ETag")).toBe(etag);
    expect(again.headers.get("X-Request-Id")).toBeTruthy();
    expect(again.roundTrips).toBe(1);
    // another tag, or a list of tags without it: the full answer
    const other = await call("GET", `/api/v1/org/${org.name}`, { headers: { "If-None-Match": '"something-else", "x"' } });
    expect(other.status).toBe(200);
    expect(other.body).toEqual(first.body);
  });

  it("the unauthenticated GETs (ping, version) answer an ETag and 304 too", async () => {
    for (const path of ["/api/v1/server/ping", "/api/v1/server/version"]) {
      const first = await call("GET", path, { key: null });
      expect(first.status).toBe(200);
      const etag = first.headers.get("ETag");
      expect(etag, path).toMatch(/^"[^"]+"$/);
      const again = await call("GET", path, { key: null, headers: { "If-None-Match": etag! } });
      expect(again.status, path).toBe(304);
      expect(again.body).toBe("");
    }
  });

  it("never a stale 304: after a change the old ETag gets the new answer", async () => {
    const org = await createOrg({ meta: { v: 1 } });
    const before = await call("GET", `/api/v1/org/${org.name}`);
    const etag = before.headers.get("ETag")!;
    expect((await call("POST", "/api/v1/org", { json: { id: org.id, meta: { v: 2 } } })).status).toBe(200);
    const after = await call("GET", `/api/v1/org/${org.name}`, { headers: { "If-None-Match": etag } });
    expect(after.status).toBe(200);
    expect(after.body.meta).toEqual({ v: 2 });
    expect(after.headers.get("ETag")).not.toBe(etag);
  });

  it("lists and store items have ETags too; error answers and writes have none", async () => {
    const org = await createOrg();
    const list = await call("GET", `/api/v1/org?limit=5`);
    expect(list.headers.get("ETag")).toBeTruthy();
    expect((await call("GET", `/api/v1/org?limit=5`, { headers: { "If-None-Match": list.headers.get("ETag")! } })).status).toBe(304);
    expect((await call("POST", `/api/v1/org/${org.name}/jsonstore`, { json: { name: "inv" } })).status).toBe(200);
    const put = await call("PUT", `/api/v1/org/${org.name}/jsonstore/inv/item/a/b`, { json: { x: 1 } });
    expect(put.headers.get("ETag")).toBeNull();
    const item = await call("GET", `/api/v1/org/${org.name}/jsonstore/inv/item/a/b`);
    expect(item.body).toEqual({ x: 1 });
    expect((await call("GET", `/api/v1/org/${org.name}/jsonstore/inv/item/a/b`, { headers: { "If-None-Match": item.headers.get("ETag")! } })).status).toBe(304);
    const missing = await call("GET", `/api/v1/org/${uniqueName("none")}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("ETag")).toBeNull();
  });


  it("a page that gains a next page is a new answer: its old tag gets the page with its Link", async () => {
    const org = await createOrg();
    for (const name of ["p-a", "p-b"]) expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name } })).status).toBe(200);
    const page = await call("GET", `/api/v1/org/${org.name}/project?limit=2`);
    expect(page.headers.get("Link")).toBeNull();
    const etag = page.headers.get("ETag")!;
    // a third project sorts after the page: the body of the first page stays the same
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "p-c" } })).status).toBe(200);
    const again = await call("GET", `/api/v1/org/${org.name}/project?limit=2`, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(page.body);
    expect(again.headers.get("Link"), again.headers.get("Link") ?? "").toMatch(/rel="next"/);
    expect(again.headers.get("ETag")).not.toBe(etag);
    // and that tag gets 304 while the page and its Link stay
    expect((await call("GET", `/api/v1/org/${org.name}/project?limit=2`, { headers: { "If-None-Match": again.headers.get("ETag")! } })).status).toBe(304);
  });

  it("If-Match from an unknown key is still 401 first", async () => {
    const res = await call("POST", "/api/v1/org", { key: "no-such-key-0123456789", json: { name: uniqueName() }, headers: { "If-Match": '"x"' } });
    expectError(res, 401, "UNAUTHORIZED");
  });
});
