// Team access levels on projects, secrets and JSON stores: the grants endpoints (upsert, bulk
// replace, team references, cascades) and the rules beyond the matrix (README, "Access inside an org").
import { describe, expect, it } from "vitest";
import { ADMIN_KEY, addToNewTeam, call, count, createOrg, createUser, expectError, form, rows, snapshot, uniqueName } from "./helpers";
import { base, createResource, grant, type Kind } from "./access-world";

describe("team access: the grants endpoints", { timeout: 60_000 }, () => {
  const grantsIn = (table: string, column: string, id: string) =>
    rows<{ team_id: string; level: string }>(`SELECT team_id, level FROM ${table} WHERE ${column} = ? ORDER BY team_id`, id);

  it("POST sets one team's level (an upsert); bulk replaces the whole list atomically, [] clears it; a team named twice keeps its last level", async () => {
    const { name: org } = await createOrg();
    const project = await createResource(org, "project", "PRIVATE", ADMIN_KEY);
    const [a, b, c] = [uniqueName("team"), uniqueName("team"), uniqueName("team")];
    const ids: Record<string, string> = {};
    for (const t of [a, b, c]) ids[t] = (await call("POST", `/api/v1/org/${org}/team`, { json: { name: t } })).body.id;
    const access = `${base(org, "project")}/${project}/access`;
    const projectId = (await rows<{ id: string }>(`SELECT id FROM projects WHERE name = ?`, project))[0]!.id;

    expect((await call("POST", access, { json: { teamId: ids[a], level: "READER" } })).body).toEqual({ ok: true, result: "UPDATED" });
    expect((await call("POST", access, { json: { teamName: a.toUpperCase(), orgName: org, level: "WRITER" } })).body).toEqual({ ok: true, result: "UPDATED" });
    expect(await grantsIn("project_team_access", "project_id", projectId)).toEqual([{ team_id: ids[a], level: "WRITER" }]);

    const bulk = await call("POST", `${access}/bulk`, {
      json: [
        { teamName: b, level: "READER" },
        { teamId: ids[c], teamName: c, orgName: org, level: "OWNER" },
        { teamName: b, level: "WRITER" },
      ],
    });
    expect(bulk.body).toEqual({ ok: true, result: "UPDATED" });
    expect(bulk.roundTrips).toBe(2);
    const listed = await call("GET", access);
    expect(listed.body).toEqual(
      [
        { teamId: ids[b], orgName: org, teamName: b, level: "WRITER" },
        { teamId: ids[c], orgName: org, teamName: c, level: "OWNER" },
      ].sort((x, y) => x.teamName.localeCompare(y.teamName)),
    );
    expect(listed.roundTrips).toBe(1);

    expect((await call("POST", `${access}/bulk`, { json: [] })).body).toEqual({ ok: true, result: "UPDATED" });
    expect((await call("GET", access)).body).toEqual([]);
    expect(await grantsIn("project_team_access", "project_id", projectId)).toEqual([]);
  });

  it("a grant names a team of the resource's own org: another org's team, an unknown team or another org's name is 400 naming the field, and nothing changes", async () => {
    const { name: org } = await createOrg();
    const other = await createOrg();
    const foreignTeam = uniqueName("team");
    const foreignId = (await call("POST", `/api/v1/org/${other.name}/team`, { json: { name: foreignTeam } })).body.id;
    const ownTeam = uniqueName("team");
    expect((await call("POST", `/api/v1/org/${org}/team`, { json: { name: ownTeam } })).status).toBe(200);
    for (const kind of ["project", "secret", "jsonstore"] as const) {
      const resource = await createResource(org, kind, "PUBLIC", ADMIN_KEY);
      const access = `${base(org, kind)}/${resource}/access`;
      const before = await snapshot();
      const cases: [string, unknown, string][] = [
        [access, { teamId: foreignId, level: "READER" }, "teamId"],
        [access, { teamName: foreignTeam, level: "READER" }, "teamName"],
        [access, { teamName: foreignTeam, orgName: other.name, level: "READER" }, "orgName"],
        [access, { teamId: foreignId, teamName: ownTeam, level: "READER" }, "teamId"],
        [access, { teamName: "no-such-team", level: "READER" }, "teamName"],
        [access, { level: "READER" }, "body"],
        [access, { teamName: ownTeam, level: "ADMIN" }, "level"],
        [access, { teamName: ownTeam }, "level"],
        [`${access}/bulk`, [{ teamName: ownTeam, level: "READER" }, { teamId: foreignId, level: "READER" }], "1.teamId"],
        [`${access}/bulk`, null, "body"],
        [`${access}/bulk`, { teamName: ownTeam, level: "READER" }, "body"],
      ];
      for (const [path, json, field] of cases) {
        const res = await call("POST", path, { json });
        expectError(res, 400, "VALIDATION_FAILED");
        expect(res.body.details.map((d: { id: string }) => d.id), `${kind} ${JSON.stringify(json)}`).toContain(field);
      }
      expect(await snapshot()).toBe(before);
    }
  });

  it("the access list of something the caller may not see is 404, as the thing itself", async () => {
    const { name: org } = await createOrg({ visibility: "PRIVATE" });
    const stranger = await createUser();
    const project = await createResource(org, "project", "PUBLIC", ADMIN_KEY);
    expectError(await call("GET", `${base(org, "project")}/${project}/access`, { key: stranger.key }), 404, "NOT_FOUND");
    expectError(await call("GET", `${base(org, "project")}/no-such-project/access`), 404, "NOT_FOUND");
    expectError(await call("POST", `${base(org, "secret")}/no-such-secret/access/bulk`, { json: [] }), 404, "NOT_FOUND");
  });

  it("grants go with their team, their resource and their org (foreign keys cascade)", async () => {
    const { id: orgId, name: org } = await createOrg();
    const member = await createUser();
    const team = await addToNewTeam(org, member);
    const keep = await addToNewTeam(org, await createUser());
    const names = {} as Record<Kind, string>;
    for (const kind of ["project", "secret", "jsonstore"] as const) {
      names[kind] = await createResource(org, kind, "PRIVATE", ADMIN_KEY);
      await grant(org, kind, names[kind], team, "READER");
      await grant(org, kind, names[kind], keep, "READER");
      expect((await call("GET", `${base(org, kind)}/${names[kind]}`, { key: member.key })).status).toBe(200);
    }
    const grantCount = () =>
      count(
        `SELECT 1 FROM project_team_access WHERE team_id IN (SELECT id FROM teams WHERE org_id = ?1)
         UNION ALL SELECT 1 FROM secret_team_access WHERE team_id IN (SELECT id FROM teams WHERE org_id = ?1)
         UNION ALL SELECT 1 FROM json_store_team_access WHERE team_id IN (SELECT id FROM teams WHERE org_id = ?1)`,
        orgId,
      );
    expect(await grantCount()).toBe(6);

    // The team: its grants go, and its members lose what it gave them.
    expect((await call("DELETE", `/api/v1/org/${org}/team/${team}`)).status).toBe(200);
    expect(await grantCount()).toBe(3);
    for (const kind of ["project", "secret", "jsonstore"] as const) {
      expectError(await call("GET", `${base(org, kind)}/${names[kind]}`, { key: member.key }), 404, "NOT_FOUND");
    }
    // The resource.
    expect((await call("DELETE", `${base(org, "jsonstore")}/${names.jsonstore}`)).status).toBe(200);
    expect(await grantCount()).toBe(2);
    // The org.
    expect((await call("DELETE", `/api/v1/org/${org}?confirmation=yes`)).status).toBe(200);
    expect(await grantCount()).toBe(0);
    for (const table of ["project_team_access", "secret_team_access", "json_store_team_access"]) {
      expect(await count(`SELECT 1 FROM ${table} WHERE team_id NOT IN (SELECT id FROM teams)`)).toBe(0);
    }
  });
});

describe("team access: rules beyond the matrix", { timeout: 60_000 }, () => {
  it("a secret restricted to a project: its value only for administrators, its owner and the org's owner, not for a team OWNER", async () => {
    const orgOwner = await createUser();
    const { name: org } = await createOrg({ owner: { id: orgOwner.id } });
    const [secretOwner, teamOwner] = [await createUser(), await createUser()];
    await addToNewTeam(org, secretOwner);
    const team = await addToNewTeam(org, teamOwner);
    const project = await createResource(org, "project", "PUBLIC", ADMIN_KEY);
    const created = await call("POST", base(org, "secret"), { key: secretOwner.key, raw: form({ name: "scoped", type: "DATA", data: "v", project }) });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await grant(org, "secret", "scoped", team, "OWNER");
    for (const key of [ADMIN_KEY, orgOwner.key, secretOwner.key]) {
      const res = await call("POST", `${base(org, "secret")}/scoped/data`, { key });
      expect(res.status).toBe(200);
      expect(res.body).toBe("v");
    }
    expectError(await call("POST", `${base(org, "secret")}/scoped/data`, { key: teamOwner.key }), 403, "FORBIDDEN");
    // The team OWNER still manages it otherwise (its metadata, its grants).
    expect((await call("GET", `${base(org, "secret")}/scoped/access`, { key: teamOwner.key })).status).toBe(200);
  });

  it("changing the owner needs OWNER, however the new owner is named; WRITER updates the rest", async () => {
    const { name: org } = await createOrg();
    const [writer, other] = [await createUser(), await createUser()];
    const team = await addToNewTeam(org, writer);
    await addToNewTeam(org, other);
    for (const kind of ["project", "jsonstore"] as const) {
      const name = await createResource(org, kind, "PRIVATE", ADMIN_KEY);
      await grant(org, kind, name, team, "WRITER");
      const before = await snapshot();
      for (const owner of [{ id: other.id }, { username: other.username }]) {
        expectError(await call("POST", base(org, kind), { key: writer.key, json: { name, owner } }), 403, "FORBIDDEN");
      }
      expect(await snapshot()).toBe(before);
      // Naming the current owner is no change.
      expect((await call("POST", base(org, kind), { key: writer.key, json: { name, owner: { username: "admin" } } })).status).toBe(200);
      await grant(org, kind, name, team, "OWNER");
      expect((await call("POST", base(org, kind), { key: writer.key, json: { name, owner: { id: other.id } } })).status).toBe(200);
      const [row] = await rows<{ owner_id: string }>(`SELECT owner_id FROM ${kind === "project" ? "projects" : "json_stores"} WHERE name = ?`, name);
      expect(row!.owner_id).toBe(other.id);
    }
  });
});
