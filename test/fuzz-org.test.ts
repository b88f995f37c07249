import { describe, expect, it } from "vitest";
import { fuzzRoutes } from "./fuzz";
import { call, createOrg } from "./helpers";

fuzzRoutes("organizations, users, keys, teams", [
  ["POST", "/api/v1/org"],
  ["POST", "/api/v1/user"],
  ["POST", "/api/v1/apikey"],
  ["POST", "/team"],
  ["PUT", "/team/devs/users"],
  ["DELETE", "/team/devs/users"],
]);

describe("never a 5xx: odd queries, paths and headers", () => {
  it("answers 4xx or 2xx", async () => {
    const org = await createOrg();
    const failures: string[] = [];
    const check = async (method: string, path: string, headers?: Record<string, string>) => {
      const res = await call(method, path, { headers });
      if (res.status >= 500) failures.push(`${method} ${path.slice(0, 80)}: ${res.status}`);
    };
    for (const query of ["?limit=99999999999", "?offset=abc", `?filter=${"x".repeat(500)}`, "?after=%FF", "?onlyCurrent=1", "?limit=&offset="]) {
      for (const path of ["/api/v1/org", `/api/v1/org/${org.name}/project`]) await check("GET", path + query);
    }
    for (const path of ["/api/v1/org/%ZZ", `/api/v1/org/${"a".repeat(3000)}`, `/api/v1/org/${org.name}/secret/%E0%A4%A/data`, "/api/v1/user/%00", "/api/v1/apikey/x"]) {
      for (const method of ["GET", "DELETE", "POST"]) await check(method, path);
    }
    await check("GET", "/api/v1/org", { "X-D1-Bookmark": "garbage", "X-Request-Id": "a b" });
    expect(failures).toEqual([]);
  });
});
