// Team access levels: deleting needs OWNER, and lists show a PRIVATE resource only to callers who
// may read it (per kind, visibility and caller). Split from the matrix for the number of requests.
import { beforeAll, describe, expect, it } from "vitest";
import { call, snapshot } from "./helpers";
import { base, buildWorld, expected, freshResource, type World } from "./access-world";

describe("team access levels: deletes and lists", { timeout: 60_000 }, () => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld();
  });

  for (const kind of ["project", "secret", "jsonstore"] as const) {
    it(`${kind}: deleting needs OWNER; lists show a PRIVATE one only to callers who may read it`, { timeout: 60_000 }, async () => {
      for (const caller of w.callers) {
        for (const visibility of ["PUBLIC", "PRIVATE"] as const) {
          const listed = await call("GET", `${base(w.org, kind)}?limit=1000`, { key: caller.key });
          expect(listed.status).toBe(200);
          const names = listed.body.map((e: { name: string }) => e.name);
          expect(names.includes(w.resources[kind][visibility]), `${caller.role} lists ${visibility}`).toBe(
            expected(caller.level[visibility], visibility, "SEE") === 200,
          );
        }
      }
      // Deletes on fresh resources (with the same grants), one per caller.
      for (const caller of w.callers) {
        for (const visibility of ["PUBLIC", "PRIVATE"] as const) {
          const { name } = await freshResource(w, kind, visibility);
          const want = expected(caller.level[visibility], visibility, "OWNER");
          const before = want === 200 ? undefined : await snapshot();
          const res = await call("DELETE", `${base(w.org, kind)}/${name}`, { key: caller.key });
          expect(res.status, `${caller.role} deletes ${visibility}: ${JSON.stringify(res.body)}`).toBe(want);
          if (before !== undefined) expect(await snapshot()).toBe(before);
          else expect((await call("GET", `${base(w.org, kind)}/${name}`)).status).toBe(404);
        }
      }
    });
  }
});
