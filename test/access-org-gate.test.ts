// Concord's org gate: a resource's owner holds OWNER on it, but once it belongs to no team of the
// org it may no longer change it (or read a JSON store's items): only what Concord checks without
// the gate stays open to it (reading a secret's value, deleting a project or a JSON store).
import { describe, expect, it } from "vitest";
import { type ApiResponse, addToNewTeam, call, createOrg, createUser, expectError, form, snapshot } from "./helpers";

const json = (key: string, body: unknown) => ({ key, json: body });

describe("a resource's owner who left the org", () => {
  it("may not change what it owns; keeps only what Concord allows without the org gate", async () => {
    const [org, other] = [await createOrg(), await createOrg()];
    const owner = await createUser();
    const team = await addToNewTeam(org.name, owner);
    await addToNewTeam(other.name, owner);
    const base = `/api/v1/org/${org.name}`;
    const created = [
      await call("POST", `${base}/project`, json(owner.key, { name: "proj", visibility: "PRIVATE" })),
      await call("POST", `${base}/secret`, { key: owner.key, raw: form({ name: "sec", type: "DATA", data: "v1", visibility: "PRIVATE" }) }),
      await call("POST", `${base}/jsonstore`, json(owner.key, { name: "inv", visibility: "PRIVATE" })),
      await call("PUT", `${base}/jsonstore/inv/item/a`, json(owner.key, { n: 1 })),
      await call("POST", `${base}/project/proj/repository`, json(owner.key, { name: "repo", url: "https://git.test/r.git" })),
    ];
    for (const res of created) expect(res.status, JSON.stringify(res.body)).toBe(200);

    // while a member, every one of these is allowed (checked on the first one only: it changes nothing)
    expect((await call("POST", `${base}/project`, json(owner.key, { name: "proj", description: "still a member" }))).status).toBe(200);

    expect((await call("DELETE", `${base}/team/${team}/users`, { json: [owner.username] })).status).toBe(200);
    const before = await snapshot();
    const refused: Array<[string, () => Promise<ApiResponse>]> = [
      ["update a project", () => call("POST", `${base}/project`, json(owner.key, { name: "proj", description: "x" }))],
      ["move a project", () => call("POST", `${base}/project`, json(owner.key, { name: "proj", orgName: other.name }))],
      ["grant on a project", () => call("POST", `${base}/project/proj/access`, json(owner.key, { teamName: team, level: "READER" }))],
      ["create a repository", () => call("POST", `${base}/project/proj/repository`, json(owner.key, { name: "repo-two", url: "https://git.test/2.git" }))],
      ["delete a repository", () => call("DELETE", `${base}/project/proj/repository/repo`, { key: owner.key })],
      ["update a secret", () => call("POST", `${base}/secret/sec`, json(owner.key, { visibility: "PUBLIC" }))],
      ["rotate a secret (v2)", () => call("POST", `/api/v2/org/${org.name}/secret/sec`, { key: owner.key, raw: form({ type: "DATA", data: "v2" }) })],
      ["move a secret", () => call("POST", `${base}/secret/sec`, json(owner.key, { orgName: other.name }))],
      ["delete a secret", () => call("DELETE", `${base}/secret/sec`, { key: owner.key })],
      ["update a store", () => call("POST", `${base}/jsonstore`, json(owner.key, { name: "inv", visibility: "PUBLIC" }))],
      ["move a store", () => call("POST", `${base}/jsonstore`, json(owner.key, { name: "inv", orgName: other.name }))],
      ["put an item", () => call("PUT", `${base}/jsonstore/inv/item/b`, json(owner.key, { n: 2 }))],
      ["delete an item", () => call("DELETE", `${base}/jsonstore/inv/item/a`, { key: owner.key })],
      ["read an item", () => call("GET", `${base}/jsonstore/inv/item/a`, { key: owner.key })],
      ["list items", () => call("GET", `${base}/jsonstore/inv/item`, { key: owner.key })],
    ];
    for (const [what, send] of refused) {
      const res = await send();
      expectError(res, 403, "FORBIDDEN");
      expect(res.body.message, what).toContain(`not a member of organization '${org.name}'`);
    }
    expect(await snapshot()).toBe(before);

    // Concord asks no org gate for these: the owner still reads its secret and deletes its project and store
    const value = await call("POST", `${base}/secret/sec/data`, { key: owner.key });
    expect(value.status).toBe(200);
    expect(value.body).toBe("v1");
    expect((await call("GET", `${base}/project/proj`, { key: owner.key })).status).toBe(200);
    expect((await call("DELETE", `${base}/project/proj`, { key: owner.key })).status).toBe(200);
    expect((await call("DELETE", `${base}/jsonstore/inv`, { key: owner.key })).status).toBe(200);

    // back in a team of the org, it changes what it owns again
    await addToNewTeam(org.name, owner);
    expect((await call("POST", `${base}/secret/sec`, json(owner.key, { visibility: "PUBLIC" }))).status).toBe(200);
  });
});
