// Shared by test/access-owner.test.ts and test/access-move.test.ts: team access levels for the two
// OWNER operations that change a resource's hands: changing its owner and moving it to another org (where every caller here has org access, so that only the level on
// the resource decides). Per kind, visibility and caller, on fresh resources with the world's grants:
// exactly the documented status, and a refusal changes nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { call, createOrg, rows, snapshot, uniqueName, type ApiResponse } from "./helpers";
import { base, buildWorld, expected, freshResource, type Kind, type World } from "./access-world";

const TABLE: Record<Kind, string> = { project: "projects", secret: "secrets", jsonstore: "json_stores" };

/** The request, by kind: projects and stores by id (so an unseen one is 404, not a create), secrets by name. */
function send(w: World, kind: Kind, r: { name: string; id: string }, key: string, change: Record<string, unknown>): Promise<ApiResponse> {
  return kind === "secret"
    ? call("POST", `${base(w.org, kind)}/${r.name}`, { key, json: change })
    : call("POST", base(w.org, kind), { key, json: { id: r.id, ...change } });
}

/** The suite for one of the two operations (one test file each: vitest-pool-workers slows down with the requests per file). */
export function ownerOperationSuite(op: "change the owner" | "move to another org") {
  describe(`team access levels: ${op} needs OWNER`, { timeout: 120_000 }, () => {
    let w: World;
    let target: { id: string; name: string };
    beforeAll(async () => {
      w = await buildWorld();
      target = await createOrg();
      const team = uniqueName("team");
      expect((await call("POST", `/api/v1/org/${target.name}/team`, { json: { name: team } })).status).toBe(200);
      const members = w.callers.filter((c) => c.role !== "administrator").map((c) => ({ userId: c.userId }));
      expect((await call("PUT", `/api/v1/org/${target.name}/team/${team}/users`, { json: members })).status).toBe(200);
    });

    for (const kind of ["project", "secret", "jsonstore"] as const) {
      it(`${kind}: ${op}`, { timeout: 120_000 }, async () => {
        expect(w.callers).toHaveLength(9);
        const newOwner = w.callers.find((c) => c.role === "member without grant")!.userId;
        for (const caller of w.callers) {
          for (const visibility of ["PUBLIC", "PRIVATE"] as const) {
            const r = await freshResource(w, kind, visibility);
            const want = expected(caller.level[visibility], visibility, "OWNER");
            const before = want === 200 ? undefined : await snapshot();
            const change = op === "change the owner" ? { owner: { id: newOwner } } : { orgName: target.name };
            const res = await send(w, kind, r, caller.key, change);
            expect(res.status, `${caller.role}, ${visibility}: ${JSON.stringify(res.body)}`).toBe(want);
            if (before !== undefined) {
              expect(await snapshot()).toBe(before);
              continue;
            }
            const [row] = await rows<{ owner_id: string; org_id: string }>(`SELECT owner_id, org_id FROM ${TABLE[kind]} WHERE id = ?`, r.id);
            if (op === "change the owner") expect(row!.owner_id).toBe(newOwner);
            else expect(row!.org_id).toBe(target.id);
          }
        }
      });
    }
  });
}
