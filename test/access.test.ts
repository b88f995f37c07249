// Team access levels on projects, secrets and JSON stores: the grants endpoints and the decision
// every operation makes with them (README, "Access inside an org").
import { beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_KEY,
  addToNewTeam,
  call,
  count,
  createOrg,
  createUser,
  expectError,
  form,
  rows,
  snapshot,
  uniqueName,
  type ApiResponse,
  type TestUser,
} from "./helpers";

type Kind = "project" | "secret" | "jsonstore";
type Visibility = "PUBLIC" | "PRIVATE";
type Need = "SEE" | "READER" | "WRITER" | "OWNER";
const RANK = { READER: 1, WRITER: 2, OWNER: 3 } as const;

const base = (org: string, kind: Kind) => `/api/v1/org/${org}/${kind}`;

/** Creates a resource of that kind through the API, as `key` (its owner); answers its name. */
async function createResource(org: string, kind: Kind, visibility: Visibility, key: string): Promise<string> {
  const name = uniqueName(kind);
  const res =
    kind === "secret"
      ? await call("POST", base(org, kind), { key, raw: form({ name, type: "DATA", data: "s3cret", visibility }) })
      : await call("POST", base(org, kind), { key, json: { name, visibility } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return name;
}

async function grant(org: string, kind: Kind, resource: string, team: string, level: keyof typeof RANK) {
  const res = await call("POST", `${base(org, kind)}/${resource}/access`, { json: { teamName: team, level } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

interface World {
  org: string;
  /** callers by role, with the level each holds on a resource of each visibility (0: none) */
  callers: { role: string; key: string; level: Record<Visibility, number> }[];
  /** a resource of each kind and visibility, owned by `resourceOwner`, with grants to the three granted teams */
  resources: Record<Kind, Record<Visibility, string>>;
  grantTeams: { READER: string; WRITER: string; OWNER: string };
  spareTeam: string;
}

/**
 * A PUBLIC org owned by `orgOwner`, with teams granted READER, WRITER and OWNER on one resource of
 * each kind and visibility, a member without grants, a member of another org and an outsider.
 */
async function buildWorld(): Promise<World> {
  const [orgOwner, resourceOwner, reader, writer, owner, member, otherMember, outsider] = await Promise.all(
    Array.from({ length: 8 }, () => createUser()),
  );
  const { name: org } = await createOrg({ owner: { id: orgOwner!.id } });
  const other = await createOrg();
  await addToNewTeam(other.name, otherMember!);
  await addToNewTeam(org, resourceOwner!);
  await addToNewTeam(org, member!);
  const grantTeams = {
    READER: await addToNewTeam(org, reader!),
    WRITER: await addToNewTeam(org, writer!),
    OWNER: await addToNewTeam(org, owner!),
  };
  const spareTeam = uniqueName("team");
  expect((await call("POST", `/api/v1/org/${org}/team`, { json: { name: spareTeam } })).status).toBe(200);
  const resources = {} as World["resources"];
  for (const kind of ["project", "secret", "jsonstore"] as const) {
    resources[kind] = {} as Record<Visibility, string>;
    for (const visibility of ["PUBLIC", "PRIVATE"] as const) {
      const name = await createResource(org, kind, visibility, resourceOwner!.key);
      for (const level of ["READER", "WRITER", "OWNER"] as const) await grant(org, kind, name, grantTeams[level], level);
      resources[kind][visibility] = name;
    }
  }
  const all = (n: number) => ({ PUBLIC: n, PRIVATE: n });
  const callers = [
    { role: "administrator", key: ADMIN_KEY, level: all(3) },
    { role: "org owner", key: orgOwner!.key, level: all(3) },
    { role: "resource owner", key: resourceOwner!.key, level: all(3) },
    { role: "team OWNER", key: owner!.key, level: all(3) },
    { role: "team WRITER", key: writer!.key, level: all(2) },
    { role: "team READER", key: reader!.key, level: all(1) },
    { role: "member without grant", key: member!.key, level: { PUBLIC: 1, PRIVATE: 0 } },
    { role: "member of another org", key: otherMember!.key, level: all(0) },
    { role: "outsider", key: outsider!.key, level: all(0) },
  ];
  return { org, callers, resources, grantTeams, spareTeam };
}

/** The documented answer: 404 for what the caller may not see, 403 for what it sees without the level. */
function expected(level: number, visibility: Visibility, need: Need): number {
  const sees = level >= 1 || visibility === "PUBLIC"; // the org is PUBLIC
  if (!sees) return 404;
  if (need === "SEE") return 200;
  return level >= RANK[need] ? 200 : 403;
}

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
  { kind: "jsonstore", name: "GET store", need: "SEE", run: (w, r, key) => call("GET", `${base(w.org, "jsonstore")}/${r}`, { key }) },
  { kind: "jsonstore", name: "GET access", need: "SEE", run: (w, r, key) => call("GET", `${base(w.org, "jsonstore")}/${r}/access`, { key }) },
  { kind: "jsonstore", name: "list items", need: "READER", run: (w, r, key) => call("GET", `${base(w.org, "jsonstore")}/${r}/item`, { key }) },
  { kind: "jsonstore", name: "GET item", need: "READER", run: (w, r, key) => call("GET", `${base(w.org, "jsonstore")}/${r}/item/a/b`, { key }) },
  { kind: "jsonstore", name: "PUT item", need: "WRITER", run: (w, r, key) => call("PUT", `${base(w.org, "jsonstore")}/${r}/item/a/b`, { key, json: { by: key.slice(0, 6) } }) },
  { kind: "jsonstore", name: "update store", need: "WRITER", upsertByName: true, run: (w, r, key) => call("POST", base(w.org, "jsonstore"), { key, json: { name: r } }) },
  { kind: "jsonstore", name: "POST access", need: "OWNER", run: (w, r, key) => call("POST", `${base(w.org, "jsonstore")}/${r}/access`, { key, json: { teamName: w.spareTeam, level: "WRITER" } }) },
];

describe("team access levels: the authorization matrix", () => {
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
        for (const caller of (w as World | undefined)?.callers ?? []) {
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

  it("the matrix ran against every caller (its setup happened)", () => {
    expect(w.callers).toHaveLength(9);
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
          const owner = w.callers.find((c) => c.role === "resource owner")!;
          const name = await createResource(w.org, kind, visibility, owner.key);
          for (const level of ["READER", "WRITER", "OWNER"] as const) await grant(w.org, kind, name, w.grantTeams[level], level);
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
