/**
 * The typed client (client/index.ts) in a full scenario through the Worker's real fetch entry: its
 * paths, parameters, bodies and answers are checked by `tsc` (npm test type-checks this file) and
 * here at run time.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { concordClient } from "../client";
import { contractViolation } from "./contract";
import { ADMIN_KEY, rows, uniqueName } from "./helpers";

/** The client over the Worker's fetch entry; every answer also checked against the document. */
const client = (apiKey: string) =>
  concordClient({
    baseUrl: "http://api.test",
    apiKey,
    fetch: async (request: Request) => {
      const response = await exports.default.fetch(request);
      const body = response.headers.get("Content-Type")?.includes("json") ? await response.clone().json() : await response.clone().text();
      expect(contractViolation(request.method, request.url, response.status, response.headers.get("Content-Type") ?? "", body)).toBeUndefined();
      return response;
    },
  });

describe("the typed client", () => {
  it("runs a scenario: user and key, org, team, secret, project with a repository, store item, audit, delete", async () => {
    const admin = client(ADMIN_KEY);
    const username = uniqueName("client-user");
    const user = await admin.POST("/api/v1/user", { body: { username, type: "LOCAL" } });
    expect(user.data?.result).toBe("CREATED");
    const key = await admin.POST("/api/v1/apikey", { body: { username } });
    expect(key.data?.key).toBeTruthy();
    const asUser = client(key.data!.key);

    const orgName = uniqueName("client-org");
    const org = await admin.POST("/api/v1/org", { body: { name: orgName, visibility: "PRIVATE", owner: { username } } });
    expect(org.data).toMatchObject({ ok: true, result: "CREATED" });
    const orgPath = { path: { orgName } };

    // the owner works in its org with its own key
    const team = await asUser.POST("/api/v1/org/{orgName}/team", { params: orgPath, body: { name: "builders" } });
    expect(team.data?.result).toBe("CREATED");
    const members = await asUser.PUT("/api/v1/org/{orgName}/team/{teamName}/users", {
      params: { path: { orgName, teamName: "builders" } },
      body: [{ username, role: "MAINTAINER" }],
    });
    expect(members.data?.ok).toBe(true);

    const secret = await asUser.POST("/api/v1/org/{orgName}/secret", {
      params: orgPath,
      body: { name: "git-creds", type: "USERNAME_PASSWORD", username: "git", password: "s3cret-value" },
      bodySerializer: (fields) => {
        const form = new FormData();
        for (const [name, value] of Object.entries(fields ?? {})) if (typeof value === "string") form.set(name, value);
        return form;
      },
    });
    expect(secret.data?.result).toBe("CREATED");

    const project = await asUser.POST("/api/v1/org/{orgName}/project", { params: orgPath, body: { name: "deploys", visibility: "PRIVATE" } });
    expect(project.data?.result).toBe("CREATED");
    const repository = await asUser.POST("/api/v1/org/{orgName}/project/{projectName}/repository", {
      params: { path: { orgName, projectName: "deploys" } },
      body: { name: "main-repo", url: "https://git.example/main.git", secretName: "git-creds" },
    });
    expect(repository.data?.result).toBe("CREATED");
    const got = await asUser.GET("/api/v1/org/{orgName}/project/{projectName}", { params: { path: { orgName, projectName: "deploys" } } });
    expect(got.data?.repositories.map((r) => [r.name, r.secretName])).toEqual([["main-repo", "git-creds"]]);

    const store = await asUser.POST("/api/v1/org/{orgName}/jsonstore", { params: orgPath, body: { name: "inventory" } });
    expect(store.data?.result).toBe("CREATED");
    const item = await asUser.PUT("/api/v1/org/{orgName}/jsonstore/{storeName}/item/{path}", {
      params: { path: { orgName, storeName: "inventory", path: "hosts" } },
      body: { web: ["10.0.0.1"] },
    });
    expect(item.data?.ok).toBe(true);
    const paths = await asUser.GET("/api/v1/org/{orgName}/jsonstore/{storeName}/item", { params: { path: { orgName, storeName: "inventory" } } });
    expect(paths.data).toEqual(["hosts"]);

    // lists, typed and paged
    const mine = await asUser.GET("/api/v1/org", { params: { query: { onlyCurrent: "true" } } });
    expect(mine.data?.map((o) => o.name)).toContain(orgName);
    const audit = await asUser.GET("/api/v1/audit", { params: { query: { "details.orgName": orgName, limit: "100" } } });
    expect(audit.data?.map((e) => `${e.object} ${e.action}`)).toContain("PROJECT CREATE");

    // errors come back typed as the error envelope
    const refused = await asUser.DELETE("/api/v1/org/{orgName}", { params: { path: { orgName }, query: { confirmation: "yes" } } });
    expect(refused.response.status).toBe(403);
    expect(refused.error?.code).toBe("FORBIDDEN");

    const deleted = await admin.DELETE("/api/v1/org/{orgName}", { params: { path: { orgName }, query: { confirmation: "yes" } } });
    expect(deleted.data?.result).toBe("DELETED");
    expect(await rows(`SELECT 1 FROM organizations WHERE name = ?`, orgName)).toEqual([]);
  });
});
