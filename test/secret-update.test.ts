// Updating secrets as Concord's clients do: the JSON update (v1) and the multipart update (v2) change
// the name, visibility, value, store password, owner, project restrictions and org of a secret.
// Every value is read back byte-exact, and every refusal changes nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { batch, createDatabase } from "../src/db/client";
import { updateSecret } from "../src/db/secrets";
import { translateConstraint } from "../src/lib/errors";
import { ADMIN_KEY, type ApiResponse, addToNewTeam, call, createOrg, createUser, expectError, form, orgRowCounts, rows, snapshot, uniqueName } from "./helpers";

const v1 = (org: string, secret = "") => `/api/v1/org/${org}/secret${secret ? `/${secret}` : ""}`;
const v2 = (org: string, secret: string) => `/api/v2/org/${org}/secret/${secret}`;
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * seed + 11) % 256);

async function createSecret(org: string, fields: Record<string, string | Blob>, key = ADMIN_KEY) {
  const res = await call("POST", v1(org), { key, raw: form({ type: "DATA", data: "initial", ...fields }) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id as string;
}

async function readValue(org: string, secret: string, opts: { key?: string; storePassword?: string } = {}) {
  const res = await call("POST", `${v1(org, secret)}/data`, {
    key: opts.key,
    raw: form(opts.storePassword !== undefined ? { storePassword: opts.storePassword } : {}),
  });
  return res;
}

async function readBytes(org: string, secret: string, storePassword?: string) {
  const { exports } = await import("cloudflare:workers");
  const body = storePassword !== undefined ? form({ storePassword }) : undefined;
  const res = await exports.default.fetch(
    new Request(`http://api.test${v1(org, secret)}/data`, { method: "POST", headers: { Authorization: ADMIN_KEY }, body }),
  );
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

const stored = async (id: string) =>
  (await rows<{ org_id: string; name: string; type: string; encrypted_by: string; ciphertext: ArrayBuffer; iv: ArrayBuffer; restricted: number }>(
    `SELECT org_id, name, type, encrypted_by, ciphertext, iv, restricted FROM secrets WHERE id = ?`,
    id,
  ))[0]!;

const restriction = async (id: string) =>
  (await rows<{ name: string }>(`SELECT p.name FROM secret_projects sp JOIN projects p ON p.id = sp.project_id WHERE sp.secret_id = ? ORDER BY p.name`, id)).map(
    (r) => r.name,
  );

/** Sends a request that must be refused with `status` (naming `field` for a 400) and change nothing. */
async function expectUnchanged(send: () => Promise<ApiResponse>, status: number, field?: string) {
  const before = await snapshot();
  const res = await send();
  // a field fails validation; a wrong or missing store password is a bad request
  const code = status === 400 ? (field ? "VALIDATION_FAILED" : "BAD_REQUEST") : { 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT" }[status]!;
  expectError(res, status, code);
  if (field) expect(res.body.details?.map((d: { id: string }) => d.id), JSON.stringify(res.body)).toContain(field);
  expect(await snapshot()).toBe(before);
  return res;
}

describe("secret updates: values, names and store passwords", () => {
  it("JSON: renames, changes visibility and replaces a DATA value (base64), read back byte-exact", async () => {
    const org = await createOrg();
    const id = await createSecret(org.name, { name: "first", data: new Blob([bytes(300, 7)]) });
    const before = await stored(id);
    const next = bytes(5000, 13);

    const res = await call("POST", v1(org.name, "first"), { json: { id, name: "second", visibility: "PRIVATE", data: base64(next) } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ ok: true, result: "UPDATED" });
    expect((await call("GET", v1(org.name, "first"))).status).toBe(404);
    expect((await call("GET", v1(org.name, "second"))).body).toMatchObject({ id, name: "second", visibility: "PRIVATE", type: "DATA" });
    expect(await readBytes(org.name, "second")).toEqual(next);
    const after = await stored(id);
    expect(new Uint8Array(after.iv)).not.toEqual(new Uint8Array(before.iv));

    await expectUnchanged(() => call("POST", v1(org.name, "second"), { json: { id: crypto.randomUUID(), name: "third" } }), 400, "id");
    await expectUnchanged(() => call("POST", v1(org.name, "second"), { json: { data: "not base64!" } }), 400, "data");
    await createSecret(org.name, { name: "taken" });
    await expectUnchanged(() => call("POST", v1(org.name, "second"), { json: { name: "TAKEN" } }), 409);
    await expectUnchanged(() => call("POST", v1(org.name, "nope"), { json: { name: "x-nope" } }), 404);
  });

  it("v2 multipart: a new value of another type is re-encrypted; KEY_PAIR needs both files; value fields need a type", async () => {
    const org = await createOrg();
    await createSecret(org.name, { name: "cred" });
    const toCreds = await call("POST", v2(org.name, "cred"), { raw: form({ type: "USERNAME_PASSWORD", username: "deployer", password: "pa ss" }) });
    expect(toCreds.status, JSON.stringify(toCreds.body)).toBe(200);
    expect((await call("GET", v1(org.name, "cred"))).body.type).toBe("USERNAME_PASSWORD");
    expect((await readValue(org.name, "cred")).body).toEqual({ username: "deployer", password: "pa ss" });

    const privateKey = bytes(1200, 29);
    const toPair = await call("POST", v2(org.name, "cred"), {
      raw: form({ type: "KEY_PAIR", public: new Blob(["ssh-ed25519 AAAAtest key\n"]), private: new Blob([privateKey]) }),
    });
    expect(toPair.status, JSON.stringify(toPair.body)).toBe(200);
    expect((await call("GET", `${v1(org.name, "cred")}/public`)).body.publicKey).toBe("ssh-ed25519 AAAAtest key");
    expect(await readBytes(org.name, "cred")).toEqual(privateKey);

    await expectUnchanged(() => call("POST", v2(org.name, "cred"), { raw: form({ type: "KEY_PAIR", public: new Blob(["ssh-ed25519 AAAA x"]) }) }), 400, "private");
    await expectUnchanged(() => call("POST", v2(org.name, "cred"), { raw: form({ data: "no type" }) }), 400, "type");
    await expectUnchanged(() => call("POST", v2(org.name, "cred"), { raw: form({ type: "DATA" }) }), 400, "data");
    await expectUnchanged(() => call("POST", v2(org.name, "cred"), { raw: form({ visibility: "SECRET" }) }), 400, "visibility");
    // back to DATA: the public key goes with the old value
    expect((await call("POST", v2(org.name, "cred"), { raw: form({ type: "DATA", data: "plain" }) })).status).toBe(200);
    expect((await call("GET", `${v1(org.name, "cred")}/public`)).status).toBe(400);
    expect(new TextDecoder().decode(await readBytes(org.name, "cred"))).toBe("plain");
  });

  it("store password: the current one is needed to change the value or the password; the new one replaces it", async () => {
    const org = await createOrg();
    const id = await createSecret(org.name, { name: "locked", data: "v1 value", storePassword: "old-password" });
    await expectUnchanged(() => call("POST", v1(org.name, "locked"), { json: { newStorePassword: "new-password" } }), 400);
    await expectUnchanged(() => call("POST", v1(org.name, "locked"), { json: { storePassword: "wrong-password", newStorePassword: "new-password" } }), 400);
    await expectUnchanged(() => call("POST", v1(org.name, "locked"), { json: { storePassword: "old-password", newStorePassword: "short" } }), 400, "newStorePassword");
    await expectUnchanged(() => call("POST", v2(org.name, "locked"), { raw: form({ type: "DATA", data: "v2 value" }) }), 400);

    const changed = await call("POST", v1(org.name, "locked"), { json: { storePassword: "old-password", newStorePassword: "new-password" } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await readValue(org.name, "locked", { storePassword: "old-password" })).status).toBe(400);
    expect(new TextDecoder().decode(await readBytes(org.name, "locked", "new-password"))).toBe("v1 value");

    const rotated = await call("POST", v2(org.name, "locked"), { raw: form({ type: "DATA", data: "v2 value", storePassword: "new-password" }) });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(new TextDecoder().decode(await readBytes(org.name, "locked", "new-password"))).toBe("v2 value");
    expect((await stored(id)).encrypted_by).toBe("PASSWORD");

    // A secret under the server's key has no store password to send or change (as in Concord).
    await createSecret(org.name, { name: "server-key" });
    await expectUnchanged(() => call("POST", v1(org.name, "server-key"), { json: { storePassword: "some-password" } }), 400, "storePassword");
    await expectUnchanged(() => call("POST", v2(org.name, "server-key"), { raw: form({ newStorePassword: "some-password" }) }), 400, "newStorePassword");
  });

  it("WRITER changes the value, READER may not; changing the owner needs OWNER (owner in v1, ownerId in v2)", async () => {
    const org = await createOrg();
    const [reader, writer, owner, next] = await Promise.all([createUser(), createUser(), createUser(), createUser()]);
    await createSecret(org.name, { name: "shared", visibility: "PRIVATE" });
    for (const [user, level] of [[reader!, "READER"], [writer!, "WRITER"], [owner!, "OWNER"]] as const) {
      const team = await addToNewTeam(org.name, user);
      expect((await call("POST", `${v1(org.name, "shared")}/access`, { json: { teamName: team, level } })).status).toBe(200);
    }
    await expectUnchanged(() => call("POST", v2(org.name, "shared"), { key: reader!.key, raw: form({ type: "DATA", data: "by reader" }) }), 403);
    expect((await call("POST", v2(org.name, "shared"), { key: writer!.key, raw: form({ type: "DATA", data: "by writer" }) })).status).toBe(200);
    expect(new TextDecoder().decode(await readBytes(org.name, "shared"))).toBe("by writer");

    await expectUnchanged(() => call("POST", v2(org.name, "shared"), { key: writer!.key, raw: form({ ownerId: next!.id }) }), 403);
    await expectUnchanged(() => call("POST", v1(org.name, "shared"), { key: writer!.key, json: { owner: { username: next!.username } } }), 403);
    await expectUnchanged(() => call("POST", v1(org.name, "shared"), { key: owner!.key, json: { owner: { username: uniqueName("ghost") } } }), 400, "owner");
    expect((await call("POST", v2(org.name, "shared"), { key: owner!.key, raw: form({ ownerId: next!.id }) })).status).toBe(200);
    expect((await rows<{ owner_id: string }>(`SELECT owner_id FROM secrets WHERE name = 'shared'`))[0]!.owner_id).toBe(next!.id);
    // naming the current owner again is no change of owner: WRITER suffices
    expect((await call("POST", v1(org.name, "shared"), { key: writer!.key, json: { owner: { id: next!.id } } })).status).toBe(200);
  });
});

describe("secret updates: restrictions to several projects", () => {
  it("set, replaced and lifted through both endpoints; unknown projects refused", async () => {
    const org = await createOrg();
    const ids: Record<string, string> = {};
    for (const p of ["p-one", "p-three", "p-two"]) ids[p] = (await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: p } })).body.id;
    const id = await createSecret(org.name, { name: "scoped" });
    const send = (how: "v1" | "v2", body: Record<string, unknown>) =>
      how === "v1"
        ? call("POST", v1(org.name, "scoped"), { json: body })
        : call("POST", v2(org.name, "scoped"), { raw: form(body as Record<string, string>) });
    const steps: ["v1" | "v2", Record<string, unknown>, string[]][] = [
      ["v1", { projects: ["p-one", "P-TWO"] }, ["p-one", "p-two"]],
      ["v2", { projectIds: ids["p-three"]! }, ["p-three"]],
      ["v1", { projectName: "" }, []],
      ["v2", { projects: "p-one,p-two" }, ["p-one", "p-two"]],
      ["v2", { removeProjectLink: "true" }, []],
      ["v1", { projectIds: [ids["p-one"], ids["p-three"]] }, ["p-one", "p-three"]],
      ["v1", { projects: [] }, []],
      ["v1", { projectId: ids["p-two"] }, ["p-two"]],
      ["v1", { projectIds: [] }, []],
    ];
    for (const [how, body, expected] of steps) {
      const res = await send(how, body);
      expect(res.status, `${how} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(await restriction(id), `${how} ${JSON.stringify(body)}`).toEqual(expected);
      expect((await stored(id)).restricted).toBe(expected.length > 0 ? 1 : 0);
      const entry = (await call("GET", v1(org.name, "scoped"))).body;
      expect(entry.projects?.map((p: { name: string }) => p.name) ?? []).toEqual(expected);
      expect(entry.projectName).toBe(expected.length === 1 ? expected[0] : undefined);
    }
    await expectUnchanged(() => send("v1", { projects: ["p-one", "nope"] }), 400, "projects");
    await expectUnchanged(() => send("v2", { projectIds: `${ids["p-one"]},${crypto.randomUUID()}` }), 400, "projectIds");
    await expectUnchanged(() => send("v2", { removeProjectLink: "true", projects: "p-one" }), 400, "projects");
  });

  it("a deleted project leaves the restriction; deleting the last project of one is refused (409); the org's deletion removes all", async () => {
    const org = await createOrg();
    for (const p of ["keep", "drop", "free"]) expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: p } })).status).toBe(200);
    const id = await createSecret(org.name, { name: "scoped", projects: "keep,drop" });
    // repositories: only projects of the restriction may use the secret
    const repo = (project: string) => call("POST", `/api/v1/org/${org.name}/project/${project}/repository`, { json: { name: uniqueName("r"), url: "https://git.test/r.git", secretName: "scoped" } });
    expect((await repo("keep")).status).toBe(200);
    await expectUnchanged(() => repo("free"), 400, "secretName");

    expect((await call("DELETE", `/api/v1/org/${org.name}/project/drop`)).status).toBe(200);
    expect(await restriction(id)).toEqual(["keep"]);
    const refused = await expectUnchanged(() => call("DELETE", `/api/v1/org/${org.name}/project/keep`), 409);
    expect(refused.body.message).toContain("only project a secret is restricted to");
    // lifting the restriction lets the project go
    expect((await call("POST", v1(org.name, "scoped"), { json: { projects: [] } })).status).toBe(200);
    expect((await call("DELETE", `/api/v1/org/${org.name}/project/keep`)).status).toBe(200);

    const other = await createOrg();
    expect((await call("POST", `/api/v1/org/${other.name}/project`, { json: { name: "only" } })).status).toBe(200);
    const scoped = await createSecret(other.name, { name: "scoped", project: "only" });
    expect((await call("DELETE", `/api/v1/org/${other.name}?confirmation=yes`)).status).toBe(200);
    expect(Object.values(await orgRowCounts(other.id)).every((n) => n === 0)).toBe(true);
    expect(await rows(`SELECT * FROM secret_projects WHERE secret_id = ?`, scoped)).toEqual([]);
  });

  it("a write that lost a race changes nothing at all: a value changed meanwhile (IV guard), a secret moved meanwhile (org guard)", async () => {
    const [org, other] = [await createOrg(), await createOrg()];
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "proj" } })).status).toBe(200);
    const id = await createSecret(org.name, { name: "raced", project: "proj" });
    const team = uniqueName("team");
    expect((await call("POST", `/api/v1/org/${org.name}/team`, { json: { name: team } })).status).toBe(200);
    expect((await call("POST", `${v1(org.name, "raced")}/access`, { json: { teamName: team, level: "READER" } })).status).toBe(200);
    const before = await snapshot();
    const db = createDatabase(env.DB);
    // as if another request had replaced the value between this one's read and its write: every
    // statement (update, restriction, move, grants) is conditioned on the write of the first
    const staleIv = Buffer.from(new Uint8Array(12));
    const moving = await batch(
      db,
      updateSecret(db, id, org.id, { name: "renamed", iv: Buffer.from(new Uint8Array(12).fill(1)), ciphertext: Buffer.from("x") }, { projectIds: [], readIv: staleIv, toOrgId: other.id }),
    );
    expect(moving.updated).toEqual([]);
    expect(await snapshot()).toBe(before);
    // as if the secret had moved to another org after this request read it: no new value, so the org guard
    const lifting = await batch(db, updateSecret(db, id, other.id, { visibility: "PRIVATE" }, { projectIds: [] }));
    expect(lifting.updated).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it("a restricted secret: only administrators, its owner and the org's owner change its restriction or its owner", async () => {
    const org = await createOrg();
    const [secretOwner, writer, teamOwner] = [await createUser(), await createUser(), await createUser()];
    await addToNewTeam(org.name, secretOwner!);
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "proj-a" } })).status).toBe(200);
    expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "proj-b" } })).status).toBe(200);
    await createSecret(org.name, { name: "scoped", projects: "proj-a" }, secretOwner!.key);
    for (const [user, level] of [[writer!, "WRITER"], [teamOwner!, "OWNER"]] as const) {
      const team = await addToNewTeam(org.name, user);
      expect((await call("POST", `${v1(org.name, "scoped")}/access`, { json: { teamName: team, level } })).status).toBe(200);
    }
    // lifting it would let a WRITER read the value; making oneself the owner would too
    await expectUnchanged(() => call("POST", v1(org.name, "scoped"), { key: writer!.key, json: { projects: [] } }), 403);
    await expectUnchanged(() => call("POST", v2(org.name, "scoped"), { key: writer!.key, raw: form({ removeProjectLink: "true" }) }), 403);
    await expectUnchanged(() => call("POST", v1(org.name, "scoped"), { key: writer!.key, json: { projects: ["proj-b"] } }), 403);
    await expectUnchanged(() => call("POST", v1(org.name, "scoped"), { key: teamOwner!.key, json: { owner: { id: teamOwner!.id } } }), 403);
    expect((await readValue(org.name, "scoped", { key: writer!.key })).status).toBe(403);
    // a WRITER still rotates the value; the secret's owner changes the restriction
    expect((await call("POST", v2(org.name, "scoped"), { key: writer!.key, raw: form({ type: "DATA", data: "rotated" }) })).status).toBe(200);
    expect((await call("POST", v1(org.name, "scoped"), { key: secretOwner!.key, json: { projects: ["proj-a", "proj-b"] } })).status).toBe(200);
    expect((await readValue(org.name, "scoped", { key: secretOwner!.key })).body).toBe("rotated");
  });

  it("a restriction must include the projects of the repositories that use the secret", async () => {
    const org = await createOrg();
    for (const p of ["proj-a", "proj-b"]) expect((await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: p } })).status).toBe(200);
    await createSecret(org.name, { name: "shared" });
    expect((await call("POST", `/api/v1/org/${org.name}/project/proj-a/repository`, { json: { name: "main", url: "https://git.test/a.git", secretName: "shared" } })).status).toBe(200);
    const res = await expectUnchanged(() => call("POST", v1(org.name, "shared"), { json: { projects: ["proj-b"] } }), 409);
    expect(res.body.message).toContain("1 repositories");
    expect((await call("POST", v1(org.name, "shared"), { json: { projects: ["proj-a", "proj-b"] } })).status).toBe(200);
  });

  it("a restriction and a repository written in a race: the database refuses whichever comes second", async () => {
    const org = await createOrg();
    const projA: string = (await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "proj-a" } })).body.id;
    const projB: string = (await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "proj-b" } })).body.id;
    const scoped = await createSecret(org.name, { name: "scoped", project: "proj-b" });
    const free = await createSecret(org.name, { name: "free" });
    expect((await call("POST", `/api/v1/org/${org.name}/project/proj-a/repository`, { json: { name: "main", url: "https://git.test/a.git", secretName: "free" } })).status).toBe(200);
    const before = await snapshot();
    // A repository written after the restriction (its request read the secret unrestricted): the triggers of migration 0019.
    await expect(
      env.DB.prepare(`INSERT INTO repositories (id, project_id, name, url, secret_id) VALUES (?, ?, 'raced', 'https://git.test/r.git', ?)`).bind(crypto.randomUUID(), projA, scoped).run(),
    ).rejects.toThrow(/refused: a repository may only use a restricted secret/);
    await expect(env.DB.prepare(`UPDATE repositories SET secret_id = ? WHERE project_id = ?`).bind(scoped, projA).run()).rejects.toThrow(/refused/);
    expect(await snapshot()).toBe(before);
    // A restriction written after the repository (its request read no repository outside it): the
    // secret update's batch ends with this check, and the whole batch goes back.
    const db = createDatabase(env.DB);
    const restricting = batch(db, updateSecret(db, free, org.id, {}, { projectIds: [projB] })); // the route's write statements
    await expect(restricting.catch((e) => translateConstraint(e, { refused: "raced" }))).rejects.toMatchObject({ code: "CONFLICT", message: "raced" });
    expect(await snapshot()).toBe(before);
    expect(await restriction(free)).toEqual([]);
    // Within the rule both go through: a repository of the restriction's project, a restriction that includes the repository's.
    expect((await call("POST", `/api/v1/org/${org.name}/project/proj-b/repository`, { json: { name: "main", url: "https://git.test/b.git", secretName: "scoped" } })).status).toBe(200);
    await batch(db, updateSecret(db, free, org.id, {}, { projectIds: [projA, projB] }));
    expect((await restriction(free)).sort()).toEqual(["proj-a", "proj-b"]);
  });

  it("an entry names only the projects the caller may see; the others by id", async () => {
    const org = await createOrg();
    const reader = await createUser();
    const hidden = (await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "hidden", visibility: "PRIVATE" } })).body.id;
    const shown = (await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: "shown" } })).body.id;
    await createSecret(org.name, { name: "scoped", visibility: "PRIVATE", projects: "hidden,shown" });
    await createSecret(org.name, { name: "only-hidden", visibility: "PRIVATE", project: "hidden" });
    const team = await addToNewTeam(org.name, reader);
    for (const secret of ["scoped", "only-hidden"]) {
      expect((await call("POST", `${v1(org.name, secret)}/access`, { json: { teamName: team, level: "READER" } })).status).toBe(200);
    }
    const scoped = (await call("GET", v1(org.name, "scoped"), { key: reader.key })).body;
    expect(scoped.projects).toEqual([{ id: shown, name: "shown" }, { id: hidden }]);
    expect(scoped.projectName).toBeUndefined();
    const onlyHidden = (await call("GET", v1(org.name, "only-hidden"), { key: reader.key })).body;
    expect(onlyHidden.projects).toEqual([{ id: hidden }]);
    expect(onlyHidden.projectName).toBeUndefined();
    expect((await call("GET", v1(org.name, "only-hidden"))).body).toMatchObject({ projects: [{ id: hidden, name: "hidden" }], projectName: "hidden" });
  });
});

describe("secret updates: moving a secret to another org", { timeout: 60_000 }, () => {
  it("needs OWNER on it and org access in the target; re-encrypted under the target's key; grants dropped; refusals change nothing", async () => {
    const [source, target] = [await createOrg(), await createOrg()];
    const [writer, owner] = [await createUser(), await createUser()];
    const payload = bytes(2048, 17);
    const id = await createSecret(source.name, { name: "mobile", data: new Blob([payload]) });
    const writerTeam = await addToNewTeam(source.name, writer!);
    const ownerTeam = await addToNewTeam(source.name, owner!);
    for (const [team, level] of [[writerTeam, "WRITER"], [ownerTeam, "OWNER"]]) {
      expect((await call("POST", `${v1(source.name, "mobile")}/access`, { json: { teamName: team, level } })).status).toBe(200);
    }
    const move = (body: Record<string, unknown>, key?: string) => call("POST", v1(source.name, "mobile"), { key, json: body });

    await expectUnchanged(() => move({ orgName: target.name }, writer!.key), 403);
    // OWNER on the secret, but no access to the target org
    await expectUnchanged(() => move({ orgName: target.name }, owner!.key), 403);
    await expectUnchanged(() => move({ orgName: uniqueName("nowhere") }), 400, "orgName");
    await expectUnchanged(() => move({ orgId: crypto.randomUUID() }), 400, "orgId");
    // a name the target already has
    await createSecret(target.name, { name: "MOBILE" });
    await expectUnchanged(() => move({ orgName: target.name }), 409);
    expect((await call("DELETE", v1(target.name, "mobile"))).status).toBe(200);
    // restricted to projects of the source org: only with the restriction lifted in the same request
    expect((await call("POST", `/api/v1/org/${source.name}/project`, { json: { name: "app" } })).status).toBe(200);
    expect((await move({ projects: ["app"] })).status).toBe(200);
    await expectUnchanged(() => move({ orgName: target.name }), 409);
    await expectUnchanged(() => move({ orgName: target.name, projects: ["app"] }), 400, "projects");
    // used by a repository of the source org
    const repo = await call("POST", `/api/v1/org/${source.name}/project/app/repository`, { json: { name: "main", url: "https://git.test/app.git", secretName: "mobile" } });
    expect(repo.status).toBe(200);
    const used = await expectUnchanged(() => move({ orgName: target.name, projects: [] }), 409);
    expect(used.body.message).toContain("1 repositories");
    expect((await call("DELETE", `/api/v1/org/${source.name}/project/app/repository/main`)).status).toBe(200);

    const before = await stored(id);
    await addToNewTeam(target.name, owner!);
    // a team OWNER may not lift a restriction (it would then read the value): administrators,
    // the secret's owner and the org's owner may
    await expectUnchanged(() => move({ orgName: target.name, projects: [] }, owner!.key), 403);
    const moved = await move({ orgName: target.name, projects: [] });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect((await call("GET", v1(source.name, "mobile"))).status).toBe(404);
    expect((await call("GET", v1(target.name, "mobile"))).body).toMatchObject({ id, orgName: target.name });
    expect(await readBytes(target.name, "mobile")).toEqual(payload);
    const after = await stored(id);
    expect(after.org_id).toBe(target.id);
    expect(new Uint8Array(after.ciphertext)).not.toEqual(new Uint8Array(before.ciphertext));
    expect(await rows(`SELECT * FROM secret_team_access WHERE secret_id = ?`, id)).toEqual([]);
    expect(await restriction(id)).toEqual([]);
  });

  it("v2 moves by org or orgId; a password-protected value needs its password to move", async () => {
    const [source, target] = [await createOrg(), await createOrg()];
    await createSecret(source.name, { name: "locked", data: "behind a password", storePassword: "pass-word-1" });
    await expectUnchanged(() => call("POST", v2(source.name, "locked"), { raw: form({ org: target.name }) }), 400);
    const moved = await call("POST", v2(source.name, "locked"), { raw: form({ org: target.name, storePassword: "pass-word-1" }) });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(new TextDecoder().decode(await readBytes(target.name, "locked", "pass-word-1"))).toBe("behind a password");
    const back = await call("POST", v2(target.name, "locked"), { raw: form({ orgId: source.id, storePassword: "pass-word-1", newStorePassword: "pass-word-2" }) });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(new TextDecoder().decode(await readBytes(source.name, "locked", "pass-word-2"))).toBe("behind a password");
    // naming its own org is no move
    expect((await call("POST", v2(source.name, "locked"), { raw: form({ org: source.name, visibility: "PRIVATE" }) })).status).toBe(200);
    // renamed as it moves: the new name needs to be free in the target only
    await createSecret(source.name, { name: "taken-here" });
    const renamed = await call("POST", v2(source.name, "locked"), { raw: form({ org: target.name, name: "taken-here", storePassword: "pass-word-2" }) });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(new TextDecoder().decode(await readBytes(target.name, "taken-here", "pass-word-2"))).toBe("behind a password");
  });
});
