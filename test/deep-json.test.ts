// meta and cfg nested deeper than the API takes (schemas/common.ts MAX_JSON_DEPTH): 400 naming the
// field, nothing changed, never a 500 (SQLite's JSON functions refuse more than 1000 levels). Store
// items are kept as text: any depth the body limit lets through.
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../src/schemas/common";
import { env } from "cloudflare:workers";
import { call, createOrg, expectError, rows, snapshot } from "./helpers";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const nestedObject = (depth: number) => `{"a":${nested(depth - 1)}}`;

describe("deeply nested JSON", () => {
  it("is refused with 400 in org and project meta/cfg; up to the limit it is taken; items take any depth", async () => {
    const org = await createOrg();
    expect((await call("POST", `/api/v1/org/${org.name}/jsonstore`, { json: { name: "inv" } })).status).toBe(200);
    const sends = (body: (depth: number) => string) => [
      ["org meta", "POST", "/api/v1/org", (d: number) => `{"id":"${org.id}","meta":${body(d)}}`],
      ["project cfg", "POST", `/api/v1/org/${org.name}/project`, (d: number) => `{"name":"proj","cfg":${body(d)}}`],
    ] as const;
    for (const [what, method, path, make] of sends(nestedObject)) {
      for (const depth of [MAX_JSON_DEPTH + 1, 1001, 10_000]) {
        const before = await snapshot();
        const res = await call(method, path, { raw: make(depth), headers: { "Content-Type": "application/json" } });
        expect(res.status, `${what} at depth ${depth}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(400);
        expectError(res, 400, "VALIDATION_FAILED");
        expect(JSON.stringify(res.body.details), what).toContain("levels deep");
        expect(await snapshot()).toBe(before);
      }
      const ok = await call(method, path, { raw: make(MAX_JSON_DEPTH), headers: { "Content-Type": "application/json" } });
      expect(ok.status, `${what} at the limit: ${JSON.stringify(ok.body).slice(0, 300)}`).toBe(200);
    }
    const item = `/api/v1/org/${org.name}/jsonstore/inv/item/deep`;
    for (const depth of [1001, 100_000]) {
      expect((await call("PUT", item, { raw: nested(depth), headers: { "Content-Type": "application/json" } })).status).toBe(200);
      expect(JSON.stringify((await call("GET", item)).body)).toBe(nested(depth));
    }
  });

  it("a stored meta SQLite cannot parse (written before the limit) does not block its updates: the audit records it as text", async () => {
    const org = await createOrg({ meta: { a: 1 } });
    await env.DB.prepare(`UPDATE organizations SET meta = ? WHERE id = ?`).bind(`{"x":${nested(1500)}}`, org.id).run();
    const res = await call("POST", "/api/v1/org", { json: { id: org.id, meta: { a: 2 } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await call("GET", `/api/v1/org/${org.name}`)).body.meta).toEqual({ a: 2 });
    const [entry] = await rows<{ details: string }>(`SELECT details FROM audit_log WHERE org_id = ? AND action = 'UPDATE' ORDER BY seq DESC LIMIT 1`, org.id);
    const changes = JSON.parse(entry!.details).changes;
    expect(changes.new).toEqual({ meta: { a: 2 } });
    expect(changes.prev.meta).toBe(`{"x":${nested(1500)}}`);
  });
});
