/**
 * What the OpenAPI document says about each route beyond its request schemas (which it reads from
 * the routes' own validators): a summary, the success answer and the error statuses it may answer.
 * Keyed by the route as `app.routes` names it; a route missing here, or an entry without a route,
 * fails test/openapi.test.ts.
 */
import type { GenericSchema } from "valibot";
import * as r from "./responses";

export interface Operation {
  tag: string;
  summary: string;
  description?: string;
  /** the success answer: JSON of this schema (an array of it with `list`), or another media type */
  answer: { schema: GenericSchema; list?: true } | { media: string; description: string } | { json: "any"; orNoContent?: true; description: string };
  /** error statuses beyond those every API route may answer (400, 401, 413, 429, 500: document.ts) */
  errors: number[];
  /** answers `Link: <...>; rel="next"` when there is a next page */
  paged?: true;
}

const list = (schema: GenericSchema) => ({ schema, list: true as const });
const ORG = "Organizations";
const TEAM = "Teams";
const PROJECT = "Projects";
const SECRET = "Secrets";
const STORE = "JSON stores";
const ACCESS = "Team access";
const USER = "Users and API keys";
const AUDIT = "Audit log";
const SERVER = "Server";

/** The access routes of one kind of resource (project, secret, JSON store). */
const access = (path: string, what: string): Record<string, Operation> => ({
  [`GET ${path}`]: { tag: ACCESS, summary: `The teams granted access to a ${what}`, answer: list(r.AccessEntrySchema), errors: [403, 404] },
  [`POST ${path}`]: { tag: ACCESS, summary: `Grant a team access to a ${what} (or change its level)`, answer: { schema: r.Updated }, errors: [403, 404, 409, 413, 415] },
  [`POST ${path}/bulk`]: {
    tag: ACCESS,
    summary: `Replace every team grant of a ${what}`,
    answer: { schema: r.Updated },
    errors: [403, 404, 409, 413, 415],
  },
});

export const OPERATIONS: Record<string, Operation> = {
  "GET /api/v1/server/ping": { tag: SERVER, summary: "Liveness (no API key needed)", answer: { schema: r.Ok }, errors: [] },
  "GET /api/v1/server/version": { tag: SERVER, summary: "The API's version (no API key needed)", answer: { schema: r.Version }, errors: [] },

  "POST /api/v1/org": {
    tag: ORG,
    summary: "Create an organization, or update one (by id, which also renames; else by name)",
    description: "Only administrators create organizations; the owner and administrators update them.",
    answer: { schema: r.Saved },
    errors: [403, 404, 409, 413, 415],
  },
  "GET /api/v1/org": { tag: ORG, summary: "List organizations (onlyCurrent=true: only the caller's)", answer: list(r.OrgEntrySchema), errors: [], paged: true },
  "GET /api/v1/org/:orgName": { tag: ORG, summary: "One organization", answer: { schema: r.OrgEntrySchema }, errors: [404] },
  "DELETE /api/v1/org/:orgName": {
    tag: ORG,
    summary: "Delete an organization and everything it owns (irreversible; administrators only)",
    description: "Needs `confirmation=yes`. Its projects, repositories, secrets, JSON stores, teams and grants go with it.",
    answer: { schema: r.Deleted },
    errors: [403, 404],
  },

  "POST /api/v1/org/:orgName/team": { tag: TEAM, summary: "Create or update a team", answer: { schema: r.Saved }, errors: [403, 404, 409, 413, 415] },
  "GET /api/v1/org/:orgName/team": { tag: TEAM, summary: "List an organization's teams", answer: list(r.TeamEntrySchema), errors: [403, 404], paged: true },
  "GET /api/v1/org/:orgName/team/:teamName": { tag: TEAM, summary: "One team", answer: { schema: r.TeamEntrySchema }, errors: [403, 404] },
  "DELETE /api/v1/org/:orgName/team/:teamName": { tag: TEAM, summary: "Delete a team", answer: { schema: r.Deleted }, errors: [403, 404, 409] },
  "GET /api/v1/org/:orgName/team/:teamName/users": { tag: TEAM, summary: "A team's members", answer: list(r.TeamMember), errors: [403, 404], paged: true },
  "PUT /api/v1/org/:orgName/team/:teamName/users": {
    tag: TEAM,
    summary: "Add members or change their role (replace=true: the team is exactly this list)",
    answer: { schema: r.Ok },
    errors: [403, 404, 409, 413, 415],
  },
  "DELETE /api/v1/org/:orgName/team/:teamName/users": { tag: TEAM, summary: "Remove members", answer: { schema: r.Ok }, errors: [403, 404, 409, 413, 415] },

  "POST /api/v1/org/:orgName/project": {
    tag: PROJECT,
    summary: "Create or update a project (by id, which also renames or moves it; else by name)",
    answer: { schema: r.Saved },
    errors: [403, 404, 409, 413, 415],
  },
  "GET /api/v1/org/:orgName/project": { tag: PROJECT, summary: "List an organization's projects", answer: list(r.ProjectEntrySchema), errors: [403, 404], paged: true },
  "GET /api/v1/org/:orgName/project/:projectName": { tag: PROJECT, summary: "One project, with its repositories", answer: { schema: r.ProjectWithRepositories }, errors: [403, 404] },
  "DELETE /api/v1/org/:orgName/project/:projectName": { tag: PROJECT, summary: "Delete a project and its repositories", answer: { schema: r.Deleted }, errors: [403, 404, 409] },
  "POST /api/v1/org/:orgName/project/:projectName/repository": {
    tag: PROJECT,
    summary: "Create or update a repository of a project",
    answer: { schema: r.Saved },
    errors: [403, 404, 409, 413, 415],
  },
  "GET /api/v1/org/:orgName/project/:projectName/repository": {
    tag: PROJECT,
    summary: "List a project's repositories",
    answer: list(r.RepositoryEntrySchema),
    errors: [403, 404],
    paged: true,
  },
  "DELETE /api/v1/org/:orgName/project/:projectName/repository/:repoName": { tag: PROJECT, summary: "Delete a repository", answer: { schema: r.Deleted }, errors: [403, 404] },

  "POST /api/v1/org/:orgName/secret": {
    tag: SECRET,
    summary: "Create a secret (multipart form: DATA, USERNAME_PASSWORD or KEY_PAIR)",
    answer: { schema: r.SecretCreated },
    errors: [403, 404, 409, 413, 415],
  },
  "GET /api/v1/org/:orgName/secret": { tag: SECRET, summary: "List an organization's secrets (never their values)", answer: list(r.SecretEntrySchema), errors: [403, 404], paged: true },
  "GET /api/v1/org/:orgName/secret/:secretName": { tag: SECRET, summary: "One secret's metadata", answer: { schema: r.SecretEntrySchema }, errors: [403, 404] },
  "GET /api/v1/org/:orgName/secret/:secretName/public": { tag: SECRET, summary: "A KEY_PAIR secret's public key", answer: { schema: r.SecretPublicKey }, errors: [400, 403, 404] },
  "POST /api/v1/org/:orgName/secret/:secretName/data": {
    tag: SECRET,
    summary: "A secret's value (storePassword for one encrypted by a password); recorded as SECRET ACCESS",
    description:
      "DATA answers the bytes (application/octet-stream), USERNAME_PASSWORD a JSON object {username, password}. " +
      "KEY_PAIR secrets answer their private key (octet-stream).",
    answer: { media: "application/octet-stream", description: "the value (JSON {username, password} for USERNAME_PASSWORD)" },
    errors: [403, 404, 413, 415],
  },
  "POST /api/v1/org/:orgName/secret/:secretName": {
    tag: SECRET,
    summary: "Update a secret (JSON: rename, visibility, owner, restriction, move, new value or password)",
    answer: { schema: r.Updated },
    errors: [403, 404, 409, 413, 415],
  },
  "DELETE /api/v1/org/:orgName/secret/:secretName": { tag: SECRET, summary: "Delete a secret", answer: { schema: r.Deleted }, errors: [403, 404, 409] },
  "POST /api/v2/org/:orgName/secret/:secretName": {
    tag: SECRET,
    summary: "Update a secret (multipart form, Concord's v2: as the JSON update, plus a new value as a file)",
    answer: { schema: r.Updated },
    errors: [403, 404, 409, 413, 415],
  },

  "POST /api/v1/org/:orgName/jsonstore": { tag: STORE, summary: "Create or update a JSON store", answer: { schema: r.Saved }, errors: [403, 404, 409, 413, 415] },
  "GET /api/v1/org/:orgName/jsonstore": { tag: STORE, summary: "List an organization's JSON stores", answer: list(r.JsonStoreEntrySchema), errors: [403, 404], paged: true },
  "GET /api/v1/org/:orgName/jsonstore/:storeName": { tag: STORE, summary: "One JSON store", answer: { schema: r.JsonStoreEntrySchema }, errors: [403, 404] },
  "DELETE /api/v1/org/:orgName/jsonstore/:storeName": { tag: STORE, summary: "Delete a JSON store and its items", answer: { schema: r.Deleted }, errors: [403, 404] },
  "GET /api/v1/org/:orgName/jsonstore/:storeName/item": {
    tag: STORE,
    summary: "The paths of a store's items",
    answer: { schema: r.ItemPath, list: true },
    errors: [403, 404],
    paged: true,
  },
  "GET /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}": {
    tag: STORE,
    summary: "One item's JSON (204 without a body when there is no such item)",
    description: "The path may contain `/`, sent as it is or encoded (%2F).",
    answer: { json: "any", orNoContent: true, description: "the item's JSON, as stored" },
    errors: [403, 404],
  },
  "PUT /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}": {
    tag: STORE,
    summary: "Create or replace an item (any JSON value)",
    description: "The path may contain `/`, sent as it is or encoded (%2F).",
    answer: { schema: r.Saved },
    errors: [403, 404, 409, 413, 415],
  },
  "DELETE /api/v1/org/:orgName/jsonstore/:storeName/item/:path{.+}": {
    tag: STORE,
    summary: "Delete an item",
    description: "The path may contain `/`, sent as it is or encoded (%2F).",
    answer: { schema: r.Deleted },
    errors: [403, 404],
  },

  ...access("/api/v1/org/:orgName/project/:resourceName/access", "project"),
  ...access("/api/v1/org/:orgName/secret/:resourceName/access", "secret"),
  ...access("/api/v1/org/:orgName/jsonstore/:resourceName/access", "JSON store"),

  "POST /api/v1/user": { tag: USER, summary: "Create or update a user (administrators only)", answer: { schema: r.UserSaved }, errors: [403, 409, 413, 415] },
  "GET /api/v1/user/:username": { tag: USER, summary: "One user", answer: { schema: r.UserEntrySchema }, errors: [403, 404] },
  "DELETE /api/v1/user/:id": { tag: USER, summary: "Delete a user (administrators only)", answer: { schema: r.Deleted }, errors: [403, 404, 409] },
  "POST /api/v1/apikey": {
    tag: USER,
    summary: "Create an API key (the key is in this answer only)",
    answer: { schema: r.ApiKeyCreated },
    errors: [403, 409, 413, 415],
  },
  "GET /api/v1/apikey": { tag: USER, summary: "List API keys (never the keys themselves)", answer: list(r.ApiKeyEntry), errors: [403] },
  "DELETE /api/v1/apikey/:id": { tag: USER, summary: "Delete an API key", answer: { schema: r.Deleted }, errors: [403, 404] },

  "GET /api/v1/audit": {
    tag: AUDIT,
    summary: "The audit log, newest first",
    description: "Administrators read everything; anyone else must name an org, project, secret, JSON store or team.",
    answer: list(r.AuditEntry),
    errors: [403, 404],
    paged: true,
  },
};
