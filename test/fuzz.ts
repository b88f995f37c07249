// Hostile input for every body-taking route: whatever a client sends, the answer is never a 5xx.
// Split over several test files because vitest-pool-workers slows down quadratically with the
// number of requests one test file sends (each file gets its own isolate).
//
// "No 5xx" passes vacuously if every request is refused for a reason unrelated to its body (the
// org or store it targets was never made, the caller's key does not work). So each test first
// checks that its targets exist and its keys work, and sends one input known to be valid for the
// route, which must be accepted (2xx).
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, createUser, form, rows, type TestUser } from "./helpers";

const VALUES: unknown[] = [
  null, 0, 1e308, "", "💥\u0000", "a".repeat(5000), [], [1], {}, { a: { b: [] } }, true,
  { id: "x" }, { name: null }, [{ username: null }], [{ userId: "not-a-uuid" }], { name: "abc", url: 5 },
  { name: "abc", owner: { id: 5 } }, { name: "abc", meta: "[]" },
];

/** An input the route accepts (sent with the admin key): JSON, or multipart form fields. */
export type ValidInput = { json: unknown } | { form: Record<string, string> };

export function fuzzRoutes(label: string, routes: [method: string, path: string, valid: ValidInput][]) {
  describe(`never a 5xx: ${label}`, () => {
    let base = "";
    let user: TestUser;
    beforeAll(async () => {
      const org = await createOrg();
      user = await createUser();
      base = `/api/v1/org/${org.name}`;
      for (const [path, opts] of [
        ["/project", { json: { name: "proj" } }],
        ["/jsonstore", { json: { name: "inv" } }],
        ["/team", { json: { name: "devs" } }],
        ["/secret", { raw: form({ name: "fuzz-secret", type: "DATA", data: "fuzz" }) }],
      ] as const) {
        const res = await call("POST", base + path, opts);
        expect(res.status, `setup POST ${path}: ${JSON.stringify(res.body)}`).toBe(200);
      }
    });

    /** What the fuzzed requests target exists, and the stranger's key is accepted. */
    async function expectSetupLive() {
      const org = await call("GET", base, { key: user.key });
      expect(org.status, `GET ${base} as the stranger: ${JSON.stringify(org.body)}`).toBe(200);
      const children = await rows(
        `SELECT (SELECT count(*) FROM projects WHERE org_id = ?1 AND name = 'proj') AS project,
                (SELECT count(*) FROM json_stores WHERE org_id = ?1 AND name = 'inv') AS store,
                (SELECT count(*) FROM teams WHERE org_id = ?1 AND name = 'devs') AS team,
                (SELECT count(*) FROM secrets WHERE org_id = ?1 AND name = 'fuzz-secret') AS secret`,
        org.body.id,
      );
      expect(children).toEqual([{ project: 1, store: 1, team: 1, secret: 1 }]);
    }

    for (const [method, path, valid] of routes) {
      it(`${method} ${path}`, async () => {
        await expectSetupLive();
        const url = path.startsWith("/api") ? path : base + path;

        const accepted = await call(method, url, "json" in valid ? { json: valid.json } : { raw: form(valid.form) });
        expect(accepted.status, `valid input ${JSON.stringify(valid)}: ${JSON.stringify(accepted.body)}`).toBeGreaterThanOrEqual(200);
        expect(accepted.status, `valid input ${JSON.stringify(valid)}: ${JSON.stringify(accepted.body)}`).toBeLessThan(300);

        const failures: string[] = [];
        for (const [i, value] of VALUES.entries()) {
          for (const key of [undefined, user.key]) {
            const asJson = await call(method, url, { json: value, key });
            if (asJson.status >= 500) failures.push(`json ${JSON.stringify(value).slice(0, 40)}: ${asJson.status}`);
          }
          // Forms go alternately as the admin (whose well-formed ones are judged on their fields) and
          // as a stranger to the org.
          const fields = { name: typeof value === "string" ? value : "fuzz-name", type: "DATA", data: JSON.stringify(value) ?? "" };
          const asForm = await call(method, url, { raw: form(fields), key: i % 2 ? user.key : undefined });
          if (asForm.status >= 500) failures.push(`form ${JSON.stringify(value).slice(0, 40)}: ${asForm.status}`);
        }
        expect(failures).toEqual([]);
      });
    }
  });
}
