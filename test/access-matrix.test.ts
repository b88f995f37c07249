// Team access levels: every operation of the authorization matrix, per kind, visibility and caller,
// answers exactly what the README documents (404 unseen, 403 seen without the level), and a refusal
// changes nothing. Split from test/access.test.ts: vitest-pool-workers slows down with the number of
// requests in one file.
import { beforeAll, describe, expect, it } from "vitest";
import { call, form, snapshot, uniqueName, type ApiResponse } from "./helpers";
import { base, buildWorld, expected, type Kind, type Need, type World } from "./access-world";

interface Operation {
  kind: Kind;
  name: string;
  need: Need;
  /**
   * Concord's create-or-update by name: to a caller who may not see the resource it is a create,
   * which members may do and the org's unique names refuse (409); others are not members (403).
   */
  upsertByName?: true;
  /** changes nothing the matrix depends on, so it can run against the shared resources */
  run: (w: World, resource: string, key: string) => Promise<ApiResponse>;
}

const operations: Operation[] = [
  { kind: "project", name: "GET project", need: "SEE", run: (w, r, key) => call("GET", `${base(w.org, "project")}/${r}`, { key }) },
  { kind: "project", name: "list repositories", need: "SEE", run: (w, r, key) => call("GET", `${base(w.org, "project")}/${r}/repository`, { key }) },
  { kind: "project", name: "GET access", need: "SEE", run: (w, r, key) => call("GET", `${base(w.org, "project")}/${r}/access`, { key }) },
  {
    kind: "project",
    name: "update project",
    need: "WRITER",
    upsertByName: true,
    run: (w, r, key) => call("POST", base(w.org, "project"), { key, json: { name: r, description: `by ${key.slice(0, 6)}` } }),
  },
  {
    kind: "project",
    name: "create repository",
    need: "WRITER",
    run: (w, r, key) =>
      call("POST", `${base(w.org, "project")}/${r}/repository`, { key, json: { name: uniqueName("repo"), url: "https://example.test/r.git" } }),
  },
  { kind: "project", name: "POST access", need: "OWNER", run: (w, r, key) => call("POST", `${base(w.org, "project")}/${r}/access`, { key, json: { teamName: w.spareTeam, level: "READER" } }) },
  { kind: "secret", name: "GET secret", need: "SEE", run: (w, r, key) => call("GET", `${base(w.org, "secret")}/${r}`, { key }) },
  { kind: "secret", name: "GET access", need: "SEE", run: (w, r, key) => call("GET", `${base(w.org, "secret")}/${r}/access`, { key }) },
  { kind: "secret", name: "read the value", need: "READER", run: (w, r, key) => call("POST", `${base(w.org, "secret")}/${r}/data`, { key }) },
  {
    kind: "secret",
    name: "POST access/bulk (the same grants again)",
    need: "OWNER",
    run: (w, r, key) =>
      call("POST", `${base(w.org, "secret")}/${r}/access/bulk`, {
        key,
        json: (["READER", "WRITER", "OWNER"] as const).map((level) => ({ teamName: w.grantTeams[level], level })),
      }),
  },
  {
    kind: "secret",
    name: "update (JSON, its visibility again)",
    need: "WRITER",
    run: (w, r, key) => call("POST", `${base(w.org, "secret")}/${r}`, { key, json: { visibility: r === w.resources.secret.PUBLIC ? "PUBLIC" : "PRIVATE" } }),
  },
  {
    kind: "secret",
    name: "rotate the value (v2 multipart, the same value again)",
    need: "WRITER",
    run: (w, r, key) => call("POST", `/api/v2/org/${w.org}/secret/${r}`, { key, raw: form({ type: "DATA", data: "s3cret" }) }),
  },
  { kind: "jsonstore", name: "GET store", need: "SEE", run: (w, r, key) => call("GET", `${base(w.org, "jsonstore")}/${r}`, { key }) },
  { kind: "jsonstore", name: "GET access", need: "SEE", run: (w, r, key) => call("GET", `${base(w.org, "jsonstore")}/${r}/access`, { key }) },
  { kind: "jsonstore", name: "list items", need: "READER", run: (w, r, key) => call("GET", `${base(w.org, "jsonstore")}/${r}/item`, { key }) },
  { kind: "jsonstore", name: "GET item", need: "READER", run: (w, r, key) => call("GET", `${base(w.org, "jsonstore")}/${r}/item/a/b`, { key }) },
  { kind: "jsonstore", name: "PUT item", need: "WRITER", run: (w, r, key) => call("PUT", `${base(w.org, "jsonstore")}/${r}/item/a/b`, { key, json: { by: key.slice(0, 6) } }) },
  { kind: "jsonstore", name: "update store", need: "WRITER", upsertByName: true, run: (w, r, key) => call("POST", base(w.org, "jsonstore"), { key, json: { name: r } }) },
  { kind: "jsonstore", name: "POST access", need: "OWNER", run: (w, r, key) => call("POST", `${base(w.org, "jsonstore")}/${r}/access`, { key, json: { teamName: w.spareTeam, level: "WRITER" } }) },
];

describe("team access levels: the authorization matrix", { timeout: 60_000 }, () => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld();
    // a value to read back, so GET item answers 200 (not 204) when allowed
    expect((await call("PUT", `${base(w.org, "jsonstore")}/${w.resources.jsonstore.PRIVATE}/item/a/b`, { json: { v: 1 } })).status).toBe(200);
    expect((await call("PUT", `${base(w.org, "jsonstore")}/${w.resources.jsonstore.PUBLIC}/item/a/b`, { json: { v: 1 } })).status).toBe(200);
  });

  for (const op of operations) {
    for (const visibility of ["PUBLIC", "PRIVATE"] as const) {
      it(`${op.kind} (${visibility}): ${op.name} needs ${op.need}`, async () => {
        expect(w.callers).toHaveLength(9);
        for (const caller of w.callers) {
          let want = expected(caller.level[visibility], visibility, op.need);
          if (op.upsertByName && want === 404) want = caller.role.startsWith("member without") ? 409 : 403;
          const before = want === 200 ? undefined : await snapshot();
          const res = await op.run(w, w.resources[op.kind][visibility], caller.key);
          expect(res.status, `${caller.role}: ${JSON.stringify(res.body)}`).toBe(want);
          if (before !== undefined) expect(await snapshot(), `${caller.role} changed something`).toBe(before);
        }
      });
    }
  }

});
