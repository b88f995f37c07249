// Shared by the team access tests (test/access*.test.ts): a world of callers holding each level on
// resources of each kind and visibility, and the answer the README documents for each.
import { expect } from "vitest";
import { ADMIN_ID, ADMIN_KEY, addToNewTeam, call, createOrg, createUser, form, uniqueName } from "./helpers";

export type Kind = "project" | "secret" | "jsonstore";
export type Visibility = "PUBLIC" | "PRIVATE";
export type Need = "SEE" | "READER" | "WRITER" | "OWNER";
export const RANK = { READER: 1, WRITER: 2, OWNER: 3 } as const;

export const base = (org: string, kind: Kind) => `/api/v1/org/${org}/${kind}`;

/** Creates a resource of that kind through the API, as `key` (its owner); answers its name. */
export async function createResource(org: string, kind: Kind, visibility: Visibility, key: string): Promise<string> {
  const name = uniqueName(kind);
  const res =
    kind === "secret"
      ? await call("POST", base(org, kind), { key, raw: form({ name, type: "DATA", data: "s3cret", visibility }) })
      : await call("POST", base(org, kind), { key, json: { name, visibility } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return name;
}

export async function grant(org: string, kind: Kind, resource: string, team: string, level: keyof typeof RANK) {
  const res = await call("POST", `${base(org, kind)}/${resource}/access`, { json: { teamName: team, level } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

export interface World {
  org: string;
  /** callers by role, with the level each holds on a resource of each visibility (0: none), and their user id */
  callers: { role: string; key: string; userId: string; level: Record<Visibility, number> }[];
  /** a resource of each kind and visibility, owned by `resourceOwner`, with grants to the three granted teams */
  resources: Record<Kind, Record<Visibility, string>>;
  grantTeams: { READER: string; WRITER: string; OWNER: string };
  spareTeam: string;
}

/**
 * A PUBLIC org owned by `orgOwner`, with teams granted READER, WRITER and OWNER on one resource of
 * each kind and visibility, a member without grants, a member of another org and an outsider.
 */
export async function buildWorld(): Promise<World> {
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
    { role: "administrator", key: ADMIN_KEY, userId: ADMIN_ID, level: all(3) },
    { role: "org owner", key: orgOwner!.key, userId: orgOwner!.id, level: all(3) },
    { role: "resource owner", key: resourceOwner!.key, userId: resourceOwner!.id, level: all(3) },
    { role: "team OWNER", key: owner!.key, userId: owner!.id, level: all(3) },
    { role: "team WRITER", key: writer!.key, userId: writer!.id, level: all(2) },
    { role: "team READER", key: reader!.key, userId: reader!.id, level: all(1) },
    { role: "member without grant", key: member!.key, userId: member!.id, level: { PUBLIC: 1, PRIVATE: 0 } },
    { role: "member of another org", key: otherMember!.key, userId: otherMember!.id, level: all(0) },
    { role: "outsider", key: outsider!.key, userId: outsider!.id, level: all(0) },
  ];
  return { org, callers, resources, grantTeams, spareTeam };
}

/** The documented answer: 404 for what the caller may not see, 403 for what it sees without the level. */
export function expected(level: number, visibility: Visibility, need: Need): number {
  const sees = level >= 1 || visibility === "PUBLIC"; // the org is PUBLIC
  if (!sees) return 404;
  if (need === "SEE") return 200;
  return level >= RANK[need] ? 200 : 403;
}

/** A fresh resource of `w`'s org, owned by the resource owner, with the same three grants as the world's; its name and id. */
export async function freshResource(w: World, kind: Kind, visibility: Visibility): Promise<{ name: string; id: string }> {
  const owner = w.callers.find((c) => c.role === "resource owner")!;
  const name = await createResource(w.org, kind, visibility, owner.key);
  for (const level of ["READER", "WRITER", "OWNER"] as const) await grant(w.org, kind, name, w.grantTeams[level], level);
  const read = await call("GET", `${base(w.org, kind)}/${name}`);
  expect(read.status).toBe(200);
  return { name, id: read.body.id };
}
