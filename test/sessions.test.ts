// The D1 session each request opens (middleware/db.ts): reads on any replica or at the client's
// bookmark, writes on the primary (their checks must see the current state). Observed on the
// binding the app is given, through the real fetch entry.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../src/index";
import { ADMIN_KEY, createOrg } from "./helpers";

async function sessionOf(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const constraints: Array<string | undefined> = [];
  const DB = new Proxy(env.DB, {
    get: (target, prop) =>
      prop === "withSession"
        ? (constraint?: string) => {
            constraints.push(constraint);
            return target.withSession(constraint);
          }
        : Reflect.get(target, prop, target),
  });
  const ctx = createExecutionContext();
  const init = { method, headers: { Authorization: ADMIN_KEY, "Content-Type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) };
  const res = await app.fetch(new Request(`http://api.test${path}`, init), { ...env, DB }, ctx);
  await waitOnExecutionContext(ctx);
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return { constraints, bookmark: res.headers.get("X-D1-Bookmark") };
}

describe("D1 sessions", () => {
  it("a read starts on any replica, or at the bookmark sent back; a write always on the primary", async () => {
    const org = await createOrg();
    const read = await sessionOf("GET", `/api/v1/org/${org.name}`);
    expect(read.constraints).toEqual(["first-unconstrained"]);
    expect(read.bookmark).toBeTruthy();
    expect((await sessionOf("GET", `/api/v1/org/${org.name}`, { "X-D1-Bookmark": read.bookmark! })).constraints).toEqual([read.bookmark]);
    // a write ignores a bookmark: the primary is at least as new as any
    for (const bookmark of [{}, { "X-D1-Bookmark": read.bookmark! }] as Record<string, string>[]) {
      expect((await sessionOf("POST", "/api/v1/org", bookmark, { id: org.id, meta: { n: 1 } })).constraints).toEqual(["first-primary"]);
    }
    expect((await sessionOf("DELETE", `/api/v1/org/${org.name}?confirmation=yes`)).constraints).toEqual(["first-primary"]);
  });
});
