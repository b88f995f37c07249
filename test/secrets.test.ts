import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { app } from "../src/index";
import { ADMIN_KEY, addToNewTeam, call, createOrg, createUser, expectError, form, rows, snapshot, textOf, uniqueName } from "./helpers";

const secretsOf = (org: string) => `/api/v1/org/${org}/secret`;

const bytesOf = (text: string) => new TextEncoder().encode(text);
const contains = (haystack: Uint8Array, needle: Uint8Array) => {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
};

async function readData(org: string, secret: string, opts: { key?: string; storePassword?: string } = {}) {
  const headers = new Headers({ Authorization: opts.key ?? ADMIN_KEY });
  const body = opts.storePassword !== undefined ? form({ storePassword: opts.storePassword }) : undefined;
  return exports.default.fetch(new Request(`http://api.test${secretsOf(org)}/${secret}/data`, { method: "POST", headers, body }));
}

async function storedRow(id: string) {
  const [row] = await rows<{ ciphertext: ArrayBuffer | number[]; iv: ArrayBuffer | number[]; salt: unknown; encrypted_by: string }>(
    `SELECT ciphertext, iv, salt, encrypted_by FROM secrets WHERE id = ?`,
    id,
  );
  return { ...row!, ciphertext: new Uint8Array(row!.ciphertext as ArrayBuffer), iv: new Uint8Array(row!.iv as ArrayBuffer) };
}

describe("secrets: storage", () => {
  it("DATA round-trips binary exactly; stored bytes differ from the plaintext and between equal plaintexts", async () => {
    const org = await createOrg();
    const plaintext = new Uint8Array(4096).map((_, i) => (i * 31 + 7) % 256);
    const a = await call("POST", secretsOf(org.name), { raw: form({ name: "blob-a", type: "DATA", data: new Blob([plaintext]) }) });
    const b = await call("POST", secretsOf(org.name), { raw: form({ name: "blob-b", type: "DATA", data: new Blob([plaintext]) }) });
    expect(a.body).toEqual({ ok: true, result: "CREATED", id: expect.any(String) });
    expect(a.headers.get("Cache-Control")).toBe("no-store");

    const res = await readData(org.name, "blob-a");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/octet-stream");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(plaintext);

    const [sa, sb] = [await storedRow(a.body.id), await storedRow(b.body.id)];
    expect(sa.encrypted_by).toBe("SERVER_KEY");
    expect(sa.ciphertext.length).toBe(plaintext.length + 16); // GCM tag
    expect(contains(sa.ciphertext, plaintext.slice(0, 32))).toBe(false);
    expect(sa.ciphertext).not.toEqual(sb.ciphertext);
    expect(sa.iv).not.toEqual(sb.iv);
    expect(sa.iv.length).toBe(12);
  });

  it("USERNAME_PASSWORD round-trips as JSON, and the plaintext appears in no list, get or table", async () => {
    const org = await createOrg();
    const password = `pw-${crypto.randomUUID()}`;
    const created = await call("POST", secretsOf(org.name), { raw: form({ name: "creds", type: "USERNAME_PASSWORD", username: "deployer", password }) });
    expect(created.status).toBe(200);
    // As `curl -X POST` sends it: an empty body and no Content-Type.
    const res = await exports.default.fetch(
      new Request(`http://api.test${secretsOf(org.name)}/creds/data`, {
        method: "POST",
        headers: { Authorization: ADMIN_KEY, "Content-Length": "0" },
        body: new Uint8Array(0),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ username: "deployer", password });

    const list = await call("GET", secretsOf(org.name));
    expect(list.body).toEqual([
      { id: created.body.id, name: "creds", orgName: org.name, type: "USERNAME_PASSWORD", visibility: "PUBLIC", encryptedBy: "SERVER_KEY" },
    ]);
    const one = await call("GET", `${secretsOf(org.name)}/creds`);
    expect(one.body).toEqual(list.body[0]);
    expect(JSON.stringify(list.body) + JSON.stringify(one.body)).not.toContain(password);
    const stored = await storedRow(created.body.id);
    expect(contains(stored.ciphertext, bytesOf(password))).toBe(false);
    expect(JSON.stringify(await rows(`SELECT * FROM secrets WHERE id = ?`, created.body.id))).not.toContain(password);
  });

  it("KEY_PAIR without files generates an Ed25519 pair: OpenSSH public key returned, private key readable", async () => {
    const org = await createOrg();
    const created = await call("POST", secretsOf(org.name), { raw: form({ name: "deploy-key", type: "KEY_PAIR" }) });
    expect(created.body).toEqual({ ok: true, result: "CREATED", id: expect.any(String), publicKey: expect.stringMatching(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/=]+ deploy-key$/) });
    const pub = await call("GET", `${secretsOf(org.name)}/deploy-key/public`);
    expect(pub.body).toEqual({ ok: true, id: created.body.id, name: "deploy-key", publicKey: created.body.publicKey });

    const res = await readData(org.name, "deploy-key");
    const pem = await textOf(res);
    expect(pem).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END OPENSSH PRIVATE KEY-----\n$/);
    // The private key blob embeds the same public key blob the public line carries.
    const body = atob(pem.split("\n").slice(1, -2).join(""));
    const publicBlob = atob(created.body.publicKey.split(" ")[1]);
    expect(body.startsWith("openssh-key-v1\0")).toBe(true);
    expect(body.includes(publicBlob)).toBe(true);
    const again = await call("POST", secretsOf(org.name), { raw: form({ name: "deploy-key-2", type: "KEY_PAIR" }) });
    expect(again.body.publicKey.split(" ")[1]).not.toBe(created.body.publicKey.split(" ")[1]);
  });

  it("KEY_PAIR with uploaded files keeps both; one file alone is refused", async () => {
    const org = await createOrg();
    const publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEMfx0RiUD8n+Rmvfa5aOLVOj99oEtpVQxOIbs36dtVq me@host";
    const privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----\n";
    const created = await call("POST", secretsOf(org.name), {
      raw: form({ name: "uploaded", type: "KEY_PAIR", public: new Blob([publicKey + "\n"]), private: new Blob([privateKey]) }),
    });
    expect(created.body.publicKey).toBe(publicKey);
    expect(await textOf(await readData(org.name, "uploaded"))).toBe(privateKey);
    const before = await snapshot();
    const half = await call("POST", secretsOf(org.name), { raw: form({ name: "half", type: "KEY_PAIR", private: new Blob([privateKey]) }) });
    expectError(half, 400, "VALIDATION_FAILED");
    expect(half.body.details[0].id).toBe("public");
    expectError(await call("GET", `${secretsOf(org.name)}/uploaded-nope/public`), 404, "NOT_FOUND");
    expect(await snapshot()).toBe(before);
  });

  it("a storePassword is needed to read back; a wrong or missing one is 400", async () => {
    const org = await createOrg();
    const created = await call("POST", secretsOf(org.name), {
      raw: form({ name: "guarded", type: "DATA", data: "top secret", storePassword: "correct horse" }),
    });
    expect(created.status).toBe(200);
    expect((await call("GET", `${secretsOf(org.name)}/guarded`)).body.encryptedBy).toBe("PASSWORD");
    const stored = await storedRow(created.body.id);
    expect(stored.encrypted_by).toBe("PASSWORD");
    expect(stored.salt).toBeTruthy();

    const missing = await readData(org.name, "guarded");
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ ok: false, code: "BAD_REQUEST" });
    const wrong = await readData(org.name, "guarded", { storePassword: "wrong horse" });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ ok: false, code: "BAD_REQUEST", message: "Invalid store password" });
    const right = await readData(org.name, "guarded", { storePassword: "correct horse" });
    expect(right.status).toBe(200);
    expect(await textOf(right)).toBe("top secret");
  });
});

describe("secrets: bad input changes nothing", () => {
  it.each([
    ["missing name", { type: "DATA", data: "x" }, 400, "VALIDATION_FAILED", "name"],
    ["bad name", { name: "a b", type: "DATA", data: "x" }, 400, "VALIDATION_FAILED", "name"],
    ["unknown type", { name: "valid-name", type: "TOKEN", data: "x" }, 400, "VALIDATION_FAILED", "type"],
    ["DATA without data", { name: "valid-name", type: "DATA" }, 400, "VALIDATION_FAILED", "data"],
    ["USERNAME_PASSWORD without password", { name: "valid-name", type: "USERNAME_PASSWORD", username: "u" }, 400, "VALIDATION_FAILED", "password"],
    ["short storePassword", { name: "valid-name", type: "DATA", data: "x", storePassword: "short" }, 400, "VALIDATION_FAILED", "storePassword"],
    ["bad visibility", { name: "valid-name", type: "DATA", data: "x", visibility: "SECRET" }, 400, "VALIDATION_FAILED", "visibility"],
    ["unknown project", { name: "valid-name", type: "DATA", data: "x", project: "no-such-project" }, 400, "VALIDATION_FAILED", "project"],
  ] as const)("%s", async (_label, fields, status, code, field) => {
    const org = await createOrg();
    const before = await snapshot();
    const res = await call("POST", secretsOf(org.name), { raw: form(fields as Record<string, string>) });
    expectError(res, status, code);
    expect(res.body.details.map((d: { id: string }) => d.id)).toContain(field);
    expect(await snapshot()).toBe(before);
  });

  it("duplicate names (any case) are 409; JSON is 415; values over 512 KiB are 413", async () => {
    const org = await createOrg();
    await call("POST", secretsOf(org.name), { raw: form({ name: "dup", type: "DATA", data: "x" }) });
    const before = await snapshot();
    expectError(await call("POST", secretsOf(org.name), { raw: form({ name: "DUP", type: "DATA", data: "y" }) }), 409, "CONFLICT");
    expectError(await call("POST", secretsOf(org.name), { json: { name: "json", type: "DATA", data: "x" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
    const big = new Blob([new Uint8Array(512 * 1024 + 1)]);
    expectError(await call("POST", secretsOf(org.name), { raw: form({ name: "big", type: "DATA", data: big }) }), 413, "PAYLOAD_TOO_LARGE");
    const huge = new Blob([new Uint8Array(1200 * 1024)]);
    expectError(await call("POST", secretsOf(org.name), { raw: form({ name: "huge", type: "DATA", data: huge }) }), 413, "PAYLOAD_TOO_LARGE");
    expect(await snapshot()).toBe(before);

    // A body that is not the multipart it claims, and a field sent twice: 400, nothing stored.
    const garbled = await call("POST", secretsOf(org.name), {
      raw: "this is not multipart",
      contentType: "multipart/form-data; boundary=xyz",
    });
    expectError(garbled, 400, "BAD_REQUEST");
    const twice = new FormData();
    twice.append("name", "twice");
    twice.append("name", "again");
    twice.append("type", "DATA");
    twice.append("data", "x");
    const repeated = await call("POST", secretsOf(org.name), { raw: twice });
    expectError(repeated, 400, "VALIDATION_FAILED");
    expect(repeated.body.details.map((d: { id: string }) => d.id)).toContain("name");
    expect(await snapshot()).toBe(before);

    const max = new Uint8Array(512 * 1024).fill(7);
    expect((await call("POST", secretsOf(org.name), { raw: form({ name: "max", type: "DATA", data: new Blob([max]) }) })).status).toBe(200);
    expect(new Uint8Array(await (await readData(org.name, "max")).arrayBuffer())).toEqual(max);
  });
});

describe("secrets: who may do what", () => {
  it("anyone reads a PUBLIC org's PUBLIC secret's metadata; members read PUBLIC values, create, and delete their own", async () => {
    const org = await createOrg();
    const [member, stranger] = [await createUser(), await createUser()];
    await addToNewTeam(org.name, member);
    await call("POST", secretsOf(org.name), { raw: form({ name: "pub", type: "DATA", data: "p" }) });
    await call("POST", secretsOf(org.name), { raw: form({ name: "priv", type: "DATA", data: "q", visibility: "PRIVATE" }) });

    const strangerList = await call("GET", secretsOf(org.name), { key: stranger.key });
    expect(strangerList.body.map((s: { name: string }) => s.name)).toEqual(["pub"]);
    expect(strangerList.roundTrips).toBe(1);
    expectError(await call("GET", `${secretsOf(org.name)}/priv`, { key: stranger.key }), 404, "NOT_FOUND");
    const denied = await readData(org.name, "pub", { key: stranger.key });
    expect(denied.status).toBe(403);
    expect((await readData(org.name, "priv", { key: stranger.key })).status).toBe(404);
    const before = await snapshot();
    expectError(await call("POST", secretsOf(org.name), { key: stranger.key, raw: form({ name: "mine", type: "DATA", data: "x" }) }), 403, "FORBIDDEN");
    expectError(await call("DELETE", `${secretsOf(org.name)}/pub`, { key: stranger.key }), 403, "FORBIDDEN");
    expect(await snapshot()).toBe(before);

    // A member without a grant: PUBLIC secrets only (README, "Access inside an org").
    expect((await call("GET", secretsOf(org.name), { key: member.key })).body.map((s: { name: string }) => s.name)).toEqual(["pub"]);
    expect(await textOf(await readData(org.name, "pub", { key: member.key }))).toBe("p");
    expect((await readData(org.name, "priv", { key: member.key })).status).toBe(404);
    expectError(await call("DELETE", `${secretsOf(org.name)}/pub`, { key: member.key }), 403, "FORBIDDEN");
    const created = await call("POST", secretsOf(org.name), { key: member.key, raw: form({ name: "mine", type: "DATA", data: "x" }) });
    expect(created.status).toBe(200);
    expect(created.roundTrips).toBe(2);
    expect((await call("DELETE", `${secretsOf(org.name)}/mine`, { key: member.key })).body).toEqual({ ok: true, result: "DELETED" });
    expectError(await call("GET", `${secretsOf(org.name)}/mine`), 404, "NOT_FOUND");

    const privOrg = await createOrg({ visibility: "PRIVATE" });
    expect((await call("POST", secretsOf(privOrg.name), { raw: form({ name: "pub", type: "DATA", data: "p" }) })).status).toBe(200);
    expect((await call("GET", `${secretsOf(privOrg.name)}/pub`)).status).toBe(200);
    expectError(await call("GET", `${secretsOf(privOrg.name)}/pub`, { key: stranger.key }), 404, "NOT_FOUND");
  });

  it("restricting to a project shows its name", async () => {
    const org = await createOrg();
    const project = uniqueName("proj");
    await call("POST", `/api/v1/org/${org.name}/project`, { json: { name: project } });
    await call("POST", secretsOf(org.name), { raw: form({ name: "scoped", type: "DATA", data: "x", project: project.toUpperCase() }) });
    expect((await call("GET", `${secretsOf(org.name)}/scoped`)).body.projectName).toBe(project);
  });
});

describe("secrets: configuration", () => {
  it("a Worker without SECRETS_KEY refuses to store or read secrets with a 500 naming the missing setting", async () => {
    const org = await createOrg();
    await call("POST", secretsOf(org.name), { raw: form({ name: "existing", type: "DATA", data: "x" }) });
    const unconfigured = { ...env, SECRETS_KEY: undefined };
    const send = async (path: string, body?: FormData) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(
        new Request(`http://api.test${path}`, { method: "POST", headers: { Authorization: ADMIN_KEY }, body }),
        unconfigured,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return { status: res.status, body: (await res.json()) as { code: string; message: string } };
    };
    const before = await snapshot();
    const logged = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const create = await send(secretsOf(org.name), form({ name: "new-one", type: "DATA", data: "x" }));
      expect(create.status).toBe(500);
      expect(create.body).toMatchObject({ code: "INTERNAL", message: expect.stringContaining("SECRETS_KEY") });
      const read = await send(`${secretsOf(org.name)}/existing/data`);
      expect(read.status).toBe(500);
      expect(read.body.message).toContain("SECRETS_KEY");
      // Each 500 is logged once, in its request's line (middleware/log.ts), with its request id, for the operator.
      expect(logged.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
        expect.objectContaining({ level: "error", requestId: expect.any(String), route: "/api/v1/org/:orgName/secret", error: expect.stringContaining("SECRETS_KEY") }),
        expect.objectContaining({ level: "error", requestId: expect.any(String), route: "/api/v1/org/:orgName/secret/:secretName/data" }),
      ]);
    } finally {
      logged.mockRestore();
    }
    expect(await snapshot()).toBe(before);
  });

  it("a value stored under one SECRETS_KEY does not decrypt under another", async () => {
    const org = await createOrg();
    await call("POST", secretsOf(org.name), { raw: form({ name: "rotated", type: "DATA", data: "x" }) });
    const ctx = createExecutionContext();
    const logged = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const res = await app.fetch(
        new Request(`http://api.test${secretsOf(org.name)}/rotated/data`, { method: "POST", headers: { Authorization: ADMIN_KEY } }),
        { ...env, SECRETS_KEY: "another-key-that-is-long-enough-0123456789" },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ code: "INTERNAL", message: expect.stringContaining("SECRETS_KEY") });
      expect(logged).toHaveBeenCalledOnce();
      expect(JSON.parse(String(logged.mock.calls[0]![0]))).toMatchObject({ level: "error", status: 500, error: expect.stringContaining("cannot be decrypted") });
    } finally {
      logged.mockRestore();
    }
  });
});
