import { describe, expect, it } from "vitest";
import { type ApiResponse, call, createOrg, form, uniqueName } from "./helpers";

/** Every write answers `{ok, result, ...}` in that key order (what curl prints, and what the README shows). */
function expectEnvelope(res: ApiResponse, result: "CREATED" | "UPDATED" | "DELETED", ...rest: string[]) {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(Object.keys(res.body)).toEqual(["ok", "result", ...rest]);
  expect(res.body.ok).toBe(true);
  expect(res.body.result).toBe(result);
}

describe("success envelope: ok, then result, then the rest", () => {
  it("orgs, users and API keys", async () => {
    const name = uniqueName();
    expectEnvelope(await call("POST", "/api/v1/org", { json: { name } }), "CREATED", "id");
    expectEnvelope(await call("POST", "/api/v1/org", { json: { name, meta: { a: 1 } } }), "UPDATED", "id");

    const username = uniqueName("user");
    const user = await call("POST", "/api/v1/user", { json: { username } });
    expectEnvelope(user, "CREATED", "id", "username");
    expectEnvelope(await call("POST", "/api/v1/user", { json: { username, displayName: "U" } }), "UPDATED", "id", "username");
    const key = await call("POST", "/api/v1/apikey", { json: { username } });
    expectEnvelope(key, "CREATED", "id", "name", "key");
    expectEnvelope(await call("DELETE", `/api/v1/apikey/${key.body.id}`), "DELETED");
    expectEnvelope(await call("DELETE", `/api/v1/user/${user.body.id}`), "DELETED");
    expectEnvelope(await call("DELETE", `/api/v1/org/${name}?confirmation=yes`), "DELETED");
  });

  it("teams, projects, repositories, secrets, JSON stores and grants", async () => {
    const org = await createOrg();
    const base = `/api/v1/org/${org.name}`;
    expectEnvelope(await call("POST", `${base}/team`, { json: { name: "builders" } }), "CREATED", "id");
    expectEnvelope(await call("POST", `${base}/team`, { json: { name: "builders", description: "d" } }), "UPDATED", "id");

    expectEnvelope(await call("POST", `${base}/secret`, { raw: form({ name: "creds", type: "USERNAME_PASSWORD", username: "u", password: "p" }) }), "CREATED", "id");
    expectEnvelope(await call("POST", `${base}/secret`, { raw: form({ name: "pair", type: "KEY_PAIR" }) }), "CREATED", "id", "publicKey");
    expectEnvelope(await call("POST", `${base}/secret`, { raw: form({ name: "locked", type: "DATA", data: "x", generatePassword: "true" }) }), "CREATED", "id", "password");
    expectEnvelope(await call("POST", `${base}/secret/creds`, { json: { visibility: "PRIVATE" } }), "UPDATED");
    expectEnvelope(await call("POST", `/api/v2/org/${org.name}/secret/creds`, { raw: form({ visibility: "PUBLIC" }) }), "UPDATED");

    expectEnvelope(await call("POST", `${base}/project`, { json: { name: "app" } }), "CREATED", "id");
    expectEnvelope(await call("POST", `${base}/project`, { json: { name: "app", description: "d" } }), "UPDATED", "id");
    const repo = { name: "main", url: "git@github.com:me/app.git", secretName: "creds" };
    expectEnvelope(await call("POST", `${base}/project/app/repository`, { json: repo }), "CREATED", "id");
    expectEnvelope(await call("POST", `${base}/project/app/repository`, { json: { ...repo, branch: "dev" } }), "UPDATED", "id");

    expectEnvelope(await call("POST", `${base}/jsonstore`, { json: { name: "inventory" } }), "CREATED", "id");
    expectEnvelope(await call("POST", `${base}/jsonstore`, { json: { name: "inventory", visibility: "PUBLIC" } }), "UPDATED", "id");
    expectEnvelope(await call("PUT", `${base}/jsonstore/inventory/item/a`, { json: 1 }), "CREATED");
    expectEnvelope(await call("PUT", `${base}/jsonstore/inventory/item/a`, { json: 2 }), "UPDATED");

    expectEnvelope(await call("POST", `${base}/project/app/access`, { json: { teamName: "builders", level: "WRITER" } }), "UPDATED");
    expectEnvelope(await call("POST", `${base}/secret/creds/access/bulk`, { json: [{ teamName: "builders", level: "READER" }] }), "UPDATED");

    expectEnvelope(await call("DELETE", `${base}/jsonstore/inventory/item/a`), "DELETED");
    expectEnvelope(await call("DELETE", `${base}/jsonstore/inventory`), "DELETED");
    expectEnvelope(await call("DELETE", `${base}/project/app/repository/main`), "DELETED");
    expectEnvelope(await call("DELETE", `${base}/project/app`), "DELETED");
    expectEnvelope(await call("DELETE", `${base}/secret/creds`), "DELETED");
    expectEnvelope(await call("DELETE", `${base}/team/builders`), "DELETED");
  });
});
