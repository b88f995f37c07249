import { describe, expect, it } from "vitest";
import { fuzzRoutes } from "./fuzz";
import { call, createOrg } from "./helpers";

fuzzRoutes("organizations, users, keys, teams", [
  ["POST", "/api/v1/org", { json: { name: "fuzz-valid-org" } }],
  ["POST", "/api/v1/user", { json: { username: "fuzz-valid-user" } }],
  ["POST", "/api/v1/apikey", { json: { name: "fuzz-valid-key" } }],
  ["POST", "/team", { json: { name: "fuzz-valid-team" } }],
  ["PUT", "/team/devs/users", { json: [{ username: "admin", role: "OWNER" }] }],
  ["DELETE", "/team/devs/users", { json: ["admin"] }],
]);

describe("never a 5xx: odd queries, paths and headers", () => {
  it("answers 4xx or 2xx", async () => {
    const org = await createOrg();
    // The org the odd paths and queries name is there: their 4xx are about the oddity, not a missing org.
    expect((await call("GET", `/api/v1/org/${org.name}/project`)).status).toBe(200);
    const failures: string[] = [];
    const check = async (method: string, path: string, headers?: Record<string, string>) => {
      const res = await call(method, path, { headers });
      if (res.status >= 500) failures.push(`${method} ${path.slice(0, 80)}: ${res.status}`);
      return res;
    };
    for (const query of ["?limit=99999999999", "?offset=abc", `?filter=${"x".repeat(500)}`, "?after=%FF", "?onlyCurrent=1", "?limit=&offset="]) {
      for (const path of ["/api/v1/org", `/api/v1/org/${org.name}/project`]) await check("GET", path + query);
    }
    for (const path of ["/api/v1/org/%ZZ", `/api/v1/org/${"a".repeat(3000)}`, `/api/v1/org/${org.name}/secret/%E0%A4%A/data`, "/api/v1/user/%00", "/api/v1/apikey/x"]) {
      for (const method of ["GET", "DELETE", "POST"]) await check(method, path);
    }
    // A malformed bookmark and request id are not refused: the list is answered.
    const oddHeaders = await check("GET", `/api/v1/org?filter=${org.name}`, { "X-D1-Bookmark": "garbage", "X-Request-Id": "a b" });
    expect(oddHeaders.status).toBe(200);
    expect(oddHeaders.body.map((o: { id: string }) => o.id)).toEqual([org.id]);
    expect(failures).toEqual([]);
  });
});
