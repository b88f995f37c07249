// A bad key is answered 401 before anything else about the request, on every route, and costs at
// most the one D1 round trip of the key lookup (nothing written, nothing computed for it).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../src/index";
import { ADMIN_ID, call, createUser, expectError, snapshot, type TestUser } from "./helpers";

/** Every endpoint but the unauthenticated server ones, as [method, pattern]. */
const routes = [
  ...new Set(app.routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/api/") && !r.path.startsWith("/api/v1/server")).map((r) => `${r.method} ${r.path}`)),
].map((r) => r.split(" ") as [string, string]);

/** The pattern with its parameters filled: a non-UUID id, a two-segment item path, names otherwise. */
const fill = (pattern: string) =>
  pattern
    .replace(":path{.+}", "a/b")
    .replace(":id", "not-a-uuid")
    .replace(/:(\w+)/g, (_, name: string) => `${name}-x`);

/** A request that is wrong in some other way too: a body that is not JSON, and bad query values. */
const invalidRequest = (method: string, pattern: string, key: string | null) =>
  call(method, `${fill(pattern)}?limit=abc&offset=-1&userId=bad&confirmation=no&replace=maybe`, {
    key,
    ...(method === "POST" || method === "PUT" ? { raw: "{not json", contentType: "text/plain" } : {}),
  });

describe("a bad API key is answered 401 first", () => {
  const keys: Record<string, string | null> = {};
  let valid: TestUser;

  beforeAll(async () => {
    valid = await createUser();
    const revokedOwner = await createUser();
    const [revoked] = (await call("GET", "/api/v1/apikey", { key: revokedOwner.key })).body;
    expect((await call("DELETE", `/api/v1/apikey/${revoked.id}`)).status).toBe(200);
    const expiredOwner = await createUser();
    await env.DB.prepare(`UPDATE api_keys SET expires_at = '2000-01-01T00:00:00.000Z' WHERE user_id = ?`).bind(expiredOwner.id).run();
    const disabled = await createUser();
    expect((await call("POST", "/api/v1/user", { json: { username: disabled.username, disabled: true } })).status).toBe(200);
    keys.missing = null;
    keys.unknown = `unknown-${crypto.randomUUID()}`;
    keys.revoked = revokedOwner.key;
    keys.expired = expiredOwner.key;
    keys["of a disabled user"] = disabled.key;
  });

  it(`walks ${routes.length} routes: each request is also invalid otherwise (a valid key gets a 4xx that is not 401)`, async () => {
    expect(routes.length).toBeGreaterThan(35);
    for (const [method, pattern] of routes) {
      const res = await invalidRequest(method, pattern, valid.key);
      expect(res.status, `${method} ${pattern}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${pattern}`).toBeLessThan(500);
      expect(res.status, `${method} ${pattern}`).not.toBe(401);
    }
  });

  for (const kind of ["missing", "unknown", "revoked", "expired", "of a disabled user"]) {
    it(`${kind} key: 401 on every route, at most one D1 round trip, nothing changed`, async () => {
      const before = await snapshot();
      for (const [method, pattern] of routes) {
        const res = await invalidRequest(method, pattern, keys[kind]!);
        expectError(res, 401, "UNAUTHORIZED");
        expect(res.headers.get("WWW-Authenticate"), `${method} ${pattern}`).toContain("Bearer");
        if (kind !== "missing") expect(res.roundTrips, `${method} ${pattern}`).toBeLessThanOrEqual(1);
      }
      expect(await snapshot()).toBe(before);
    });
  }

  it("also before a body over the limit, an unknown route, the built-in admin as target, and a key pair to generate", async () => {
    const key = `unknown-${crypto.randomUUID()}`;
    const before = await snapshot();
    const huge = await call("POST", "/api/v1/org", { key, raw: JSON.stringify({ name: "x".repeat(300 * 1024) }), contentType: "application/json" });
    expectError(huge, 401, "UNAUTHORIZED");
    expectError(await call("GET", "/api/v1/no-such-route", { key }), 401, "UNAUTHORIZED");
    expectError(await call("DELETE", `/api/v1/user/${ADMIN_ID}`, { key }), 401, "UNAUTHORIZED");
    const pair = new FormData();
    pair.set("name", "deploy-key");
    pair.set("type", "KEY_PAIR");
    const generate = await call("POST", "/api/v1/org/Default/secret", { key, raw: pair });
    expectError(generate, 401, "UNAUTHORIZED");
    expect(generate.roundTrips).toBe(1);
    expect(await snapshot()).toBe(before);
    // With a valid key the same requests keep their own answers.
    expectError(await call("GET", "/api/v1/no-such-route", { key: valid.key }), 404, "NOT_FOUND");
    expectError(await call("DELETE", `/api/v1/user/${ADMIN_ID}`), 403, "FORBIDDEN");
  });
});
