import { describe, expect, it } from "vitest";
import { runEndpointScenario } from "../bench/endpoint-scenario.js";
import { app } from "../src/index";
import { call, createUser, form, uniqueName } from "./helpers";

/** Every endpoint the app registers, as "METHOD /pattern" (middleware entries are ALL). */
const endpoints = [...new Set(app.routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/api/")).map((r) => `${r.method} ${r.path}`))].sort();

describe("D1 round trips per request", () => {
  it("every read takes exactly 1 (the key lookup travels with it), every write at most 2, no lookup binds a LIMIT", async () => {
    // An issued key of an administrator: the key lookup is part of every request.
    const caller = await createUser({ admin: true });
    const boundLimits: Record<string, number> = {};
    const counts = await runEndpointScenario(uniqueName("rt"), async (step) => {
      const res = await call(step.method, step.path, {
        key: caller.key,
        ...(step.form ? { raw: form(step.form) } : step.json !== undefined ? { json: step.json } : {}),
      });
      boundLimits[step.route] = Math.max(boundLimits[step.route] ?? 0, res.boundLimits);
      return { status: res.status, body: res.body, roundTrips: res.roundTrips };
    });

    expect(Object.keys(counts).sort()).toEqual(endpoints);
    for (const [route, n] of Object.entries(counts)) {
      const isServerRoute = route.includes("/server/");
      // POST .../data reads, then records the read in the audit log (a write: 2).
      const isRead = route.startsWith("GET ");
      if (isServerRoute) expect(n, `${route} opens no D1 session, so reports no count`).toBeNaN();
      else if (isRead) expect(n, route).toBe(1);
      else expect(n, route).toBeLessThanOrEqual(2);
    }

    // A bound LIMIT makes SQLite prepare the statement twice on every execution (db/sql.ts): only the
    // paged lists have them (Drizzle binds every limit), the one-row lookups go by unique keys without one.
    const paged = [
      "GET /api/v1/apikey",
      "GET /api/v1/audit",
      "GET /api/v1/org",
      "GET /api/v1/org/:orgName/jsonstore",
      "GET /api/v1/org/:orgName/jsonstore/:storeName/item",
      "GET /api/v1/org/:orgName/project",
      "GET /api/v1/org/:orgName/project/:projectName/repository",
      "GET /api/v1/org/:orgName/secret",
      "GET /api/v1/org/:orgName/team",
      "GET /api/v1/org/:orgName/team/:teamName/users",
    ];
    expect(Object.keys(boundLimits).filter((route) => boundLimits[route]! > 0).sort()).toEqual(paged);
  });
});
