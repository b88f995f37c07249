/**
 * If-Match on updates (lib/if-match.ts): the GET of an org, project, JSON store, store item or
 * secret answers an ETag "v<version>.<digest>"; an update that sends it is carried out only while
 * the row is at that version, checked inside the write's batch: 412 PRECONDITION_FAILED otherwise,
 * and nothing changes. Other writes refuse If-Match (400).
 */
import { describe, expect, it } from "vitest";
import { appRoutes } from "../src/openapi/document";
import { call, createOrg, expectError, form, snapshot, uniqueName, type ApiResponse } from "./helpers";

const TAG = /^"v(\d+)\.[0-9a-f]{40}"$/;
const tagOf = (res: ApiResponse) => {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const etag = res.headers.get("ETag")!;
  expect(etag).toMatch(TAG);
  return etag;
};

/** Two updates from the same read: the first holds, the second is 412 and changes nothing. */
async function lostUpdateRefused(get: () => Promise<ApiResponse>, update: (ifMatch: string, n: number) => Promise<ApiResponse>) {
  const etag = tagOf(await get());
  const first = await update(etag, 1);
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  const after = tagOf(await get());
  expect(Number(TAG.exec(after)![1])).toBe(Number(TAG.exec(etag)![1]) + 1);
  const before = await snapshot();
  expectError(await update(etag, 2), 412, "PRECONDITION_FAILED");
  expect(await snapshot()).toBe(before);
  // with the current tag, or "*", it holds again
  expect((await update(after, 3)).status).toBe(200);
  expect((await update("*", 4)).status).toBe(200);
}

describe("If-Match", () => {
  it("orgs: by id, and an administrator's update by name", async () => {
    const org = await createOrg({ meta: { n: 0 } });
    const get = () => call("GET", `/api/v1/org/${org.name}`);
    await lostUpdateRefused(get, (ifMatch, n) => call("POST", "/api/v1/org", { json: { id: org.id, meta: { n } }, headers: { "If-Match": ifMatch } }));
    await lostUpdateRefused(get, (ifMatch, n) => call("POST", "/api/v1/org", { json: { name: org.name, meta: { n } }, headers: { "If-Match": ifMatch } }));
  });

  it("projects, JSON stores and store items", async () => {
    const org = await createOrg();
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "proj" } })).status).toBe(200);
    await lostUpdateRefused(
      () => call("GET", `/api/v1/org/${org.name}/project/proj`),
      (ifMatch, n) => call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "proj", description: `d${n}` }, headers: { "If-Match": ifMatch } }),
    );
    expect((await call("POST", `/api/v1/org/${org.name}/jsonstore`, { json: { name: "inv" } })).status).toBe(200);
    await lostUpdateRefused(
      () => call("GET", `/api/v1/org/${org.name}/jsonstore/inv`),
      (ifMatch, n) => call("POST", `/api/v1/org/${org.name}/jsonstore`, { json: { name: "inv", visibility: n % 2 ? "PUBLIC" : "PRIVATE" }, headers: { "If-Match": ifMatch } }),
    );
    expect((await call("PUT", `/api/v1/org/${org.name}/jsonstore/inv/item/hosts/web`, { json: { n: 0 } })).status).toBe(200);
    await lostUpdateRefused(
      () => call("GET", `/api/v1/org/${org.name}/jsonstore/inv/item/hosts/web`),
      (ifMatch, n) => call("PUT", `/api/v1/org/${org.name}/jsonstore/inv/item/hosts/web`, { json: { n }, headers: { "If-Match": ifMatch } }),
    );
  });

  it("secrets: the JSON update and the multipart one", async () => {
    const org = await createOrg();
    expect((await call("POST", `/api/v1/org/${org.name}/secret`, { raw: form({ name: "creds", type: "DATA", data: "x" }) })).status).toBe(200);
    const get = () => call("GET", `/api/v1/org/${org.name}/secret/creds`);
    await lostUpdateRefused(get, (ifMatch, n) =>
      call("POST", `/api/v1/org/${org.name}/secret/creds`, { json: { visibility: n % 2 ? "PRIVATE" : "PUBLIC" }, headers: { "If-Match": ifMatch } }),
    );
    await lostUpdateRefused(get, (ifMatch, n) =>
      call("POST", `/api/v2/org/${org.name}/secret/creds`, { raw: form({ visibility: n % 2 ? "PRIVATE" : "PUBLIC" }), headers: { "If-Match": ifMatch } }),
    );
  });

  it("a tag this API did not issue, a weak tag, or If-Match on something that does not exist: 412, nothing created", async () => {
    const org = await createOrg();
    const current = tagOf(await call("GET", `/api/v1/org/${org.name}`));
    const before = await snapshot();
    for (const tag of ['"abc"', `W/${current}`, '"v1"']) {
      expectError(await call("POST", "/api/v1/org", { json: { id: org.id, meta: { x: 1 } }, headers: { "If-Match": tag } }), 412, "PRECONDITION_FAILED");
    }
    expectError(await call("POST", "/api/v1/org", { json: { name: uniqueName() }, headers: { "If-Match": "*" } }), 412, "PRECONDITION_FAILED");
    expectError(await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "new-proj" }, headers: { "If-Match": "*" } }), 412, "PRECONDITION_FAILED");
    expectError(await call("PUT", `/api/v1/org/${org.name}/jsonstore/none/item/x`, { json: 1, headers: { "If-Match": "*" } }), 404, "NOT_FOUND");
    expect(await snapshot()).toBe(before);
  });

  it("the routes marked takesIfMatch are exactly those whose lost update is tested above", () => {
    // A route marked without a test here could take If-Match and not check it: add its test.
    const marked = [...appRoutes()].filter(([, route]) => route.takesIfMatch).map(([key]) => key);
    expect(marked.sort()).toEqual([
      "POST /api/v1/org",
      "POST /api/v1/org/:orgName/jsonstore",
      "POST /api/v1/org/:orgName/project",
      "POST /api/v1/org/:orgName/secret/:secretName",
      "POST /api/v2/org/:orgName/secret/:secretName",
      "PUT /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}",
    ]);
  });

  it("other writes refuse If-Match (400), after the key is known (an unknown key is 401)", async () => {
    const org = await createOrg();
    const before = await snapshot();
    const res = await call("POST", `/api/v1/org/${org.name}/team`, { json: { name: "t1" }, headers: { "If-Match": "*" } });
    expectError(res, 400, "BAD_REQUEST");
    expect(res.body.message).toContain("If-Match");
    expect(await snapshot()).toBe(before);
    expectError(await call("POST", "/api/v1/org", { key: "no-such-key-0123456789", json: { name: uniqueName() }, headers: { "If-Match": '"x"' } }), 401, "UNAUTHORIZED");
  });

  it("a change made elsewhere (a rename by id) moves the version, so a tag read before it no longer holds", async () => {
    const org = await createOrg();
    const etag = tagOf(await call("GET", `/api/v1/org/${org.name}`));
    const renamed = uniqueName();
    expect((await call("POST", "/api/v1/org", { json: { id: org.id, name: renamed } })).status).toBe(200);
    expectError(await call("POST", "/api/v1/org", { json: { id: org.id, meta: { a: 1 } }, headers: { "If-Match": etag } }), 412, "PRECONDITION_FAILED");
  });
});
