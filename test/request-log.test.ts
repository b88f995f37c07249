/**
 * One structured log line per request (middleware/log.ts): its fields for a success, a 4xx and a
 * 500, the D1 counts equal to what the tests' entry measures, and nothing secret in it.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../src/index";
import { ADMIN_KEY, call, createOrg, createUser, uniqueName, type ApiResponse } from "./helpers";

/** The request lines logged while `send` runs. */
async function logged(send: () => Promise<ApiResponse>) {
  const spy = vi.spyOn(console, "log");
  const res = await send();
  const lines = spy.mock.calls.map((args) => String(args[0])).filter((l) => l.includes('"msg":"request"'));
  spy.mockRestore();
  expect(lines).toHaveLength(1);
  return { res, line: JSON.parse(lines[0]!) as Record<string, any>, text: lines[0]! };
}

afterEach(() => vi.restoreAllMocks());

describe("the request log line", () => {
  it("a success: request id, method, route pattern, status, duration, D1 counts, caller", async () => {
    const user = await createUser();
    const org = await createOrg({ owner: { id: user.id } });
    const { res, line, text } = await logged(() => call("GET", `/api/v1/org/${org.name}`, { key: user.key }));
    expect(res.status).toBe(200);
    expect(line).toMatchObject({
      level: "info",
      msg: "request",
      requestId: res.headers.get("X-Request-Id"),
      method: "GET",
      route: "/api/v1/org/:orgName",
      status: 200,
      callerId: user.id,
      d1: { roundTrips: res.roundTrips, rowsRead: res.rowsRead, rowsWritten: res.rowsWritten },
    });
    expect(typeof line.durationMs).toBe("number");
    expect(line.code).toBeUndefined();
    // the pattern, not the path with the org's name; never the key
    expect(text).not.toContain(org.name);
    expect(text).not.toContain(user.key);
  });

  it("a 4xx: the error code, and the caller when it was resolved", async () => {
    const user = await createUser();
    const { res, line } = await logged(() => call("GET", `/api/v1/org/${uniqueName("none")}`, { key: user.key }));
    expect(res.status).toBe(404);
    expect(line).toMatchObject({ level: "info", status: 404, code: "NOT_FOUND", route: "/api/v1/org/:orgName", callerId: user.id });
    const bad = await logged(() => call("GET", "/api/v1/org", { key: "no-such-key-0123456789" }));
    expect(bad.line).toMatchObject({ status: 401, code: "UNAUTHORIZED", route: "/api/v1/org" });
    expect(bad.line.callerId).toBeUndefined();
    expect(bad.text).not.toContain("no-such-key-0123456789");
    const unknown = await logged(() => call("GET", "/api/v1/no-such-route"));
    expect(unknown.line).toMatchObject({ status: 404, route: null });
  });

  it("a 500: level error, the driver's error and its stack, never the SQL parameters", async () => {
    const orgName = uniqueName("org-param");
    // D1 fails this request's batch, as an outage would (the real entry, with a failing database)
    const failing = {
      ...env,
      DB: new Proxy(env.DB, {
        get: (target, prop) =>
          prop === "withSession"
            ? (constraint?: string) =>
                new Proxy(target.withSession(constraint), {
                  get: (session, p) => (p === "batch" ? () => Promise.reject(new Error("D1_ERROR: simulated outage: SQLITE_IOERR")) : Reflect.get(session, p, session)),
                })
            : Reflect.get(target, prop, target),
      }),
    };
    const spy = vi.spyOn(console, "log");
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`http://api.test/api/v1/org/${orgName}`, { headers: { Authorization: ADMIN_KEY } }), failing, ctx);
    await waitOnExecutionContext(ctx);
    const lines = spy.mock.calls.map((args) => String(args[0])).filter((l) => l.includes('"msg":"request"'));
    expect(res.status).toBe(500);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: "error", status: 500, code: "INTERNAL", route: "/api/v1/org/:orgName", error: "Error: D1_ERROR: simulated outage: SQLITE_IOERR" });
    expect(line.stack).toMatch(/\n\s+at /);
    expect(lines[0]).not.toContain(orgName);
  });
});
