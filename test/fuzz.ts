// Hostile input for every body-taking route: whatever a client sends, the answer is never a 5xx.
// Split over several test files because vitest-pool-workers slows down quadratically with the
// number of requests one test file sends (each file gets its own isolate).
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createUser, form, type TestUser } from "./helpers";

const VALUES: unknown[] = [
  null, 0, 1e308, "", "💥\u0000", "a".repeat(5000), [], [1], {}, { a: { b: [] } }, true,
  { id: "x" }, { name: null }, [{ username: null }], [{ userId: "not-a-uuid" }], { name: "abc", url: 5 },
  { name: "abc", owner: { id: 5 } }, { name: "abc", meta: "[]" },
];

export function fuzzRoutes(label: string, routes: [method: string, path: string][]) {
  describe(`never a 5xx: ${label}`, () => {
    let base = "";
    let user: TestUser;
    beforeAll(async () => {
      const org = await createOrg();
      user = await createUser();
      base = `/api/v1/org/${org.name}`;
      await call("POST", `${base}/project`, { json: { name: "proj" } });
      await call("POST", `${base}/jsonstore`, { json: { name: "inv" } });
      await call("POST", `${base}/team`, { json: { name: "devs" } });
    });

    for (const [method, path] of routes) {
      it(`${method} ${path}`, async () => {
        const url = path.startsWith("/api") ? path : base + path;
        const failures: string[] = [];
        for (const value of VALUES) {
          for (const key of [undefined, user.key]) {
            const asJson = await call(method, url, { json: value, key });
            if (asJson.status >= 500) failures.push(`json ${JSON.stringify(value).slice(0, 40)}: ${asJson.status}`);
          }
          const fields = { name: typeof value === "string" ? value : "fuzz-name", type: "DATA", data: JSON.stringify(value) ?? "" };
          const asForm = await call(method, url, { raw: form(fields), key: user.key });
          if (asForm.status >= 500) failures.push(`form ${JSON.stringify(value).slice(0, 40)}: ${asForm.status}`);
        }
        expect(failures).toEqual([]);
      });
    }
  });
}
