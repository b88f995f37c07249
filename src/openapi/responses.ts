/**
 * What the API answers, as Valibot schemas: the OpenAPI document's response bodies
 * (src/openapi/document.ts), which the tests check every answer against. Objects are strict, so an
 * answer with a field the document does not declare fails the contract test. Nothing here runs in
 * the Worker; the `Same<...>` checks at the end hold these schemas to the types the routes answer with.
 */
import * as v from "valibot";
import { ERROR_STATUS } from "../lib/errors";
import type { AccessEntryResponse } from "../schemas/access";
import type { JsonStoreEntry } from "../schemas/json-stores";
import type { OrgEntry } from "../schemas/orgs";
import type { ProjectEntry, RepositoryEntry } from "../schemas/projects";
import type { SecretEntry } from "../schemas/secrets";
import type { TeamEntry } from "../schemas/teams";
import type { UserEntry } from "../schemas/users";
import { ACCESS_LEVELS, AUDIT_ACTIONS, AUDIT_OBJECTS, PAYLOAD_MODES, PROCESS_EXEC_MODES, TEAM_ROLES, VISIBILITIES } from "../db/schema";

const Visibility = v.picklist(VISIBILITIES);
const Owner = v.strictObject({ id: v.string(), username: v.string() });
const JsonObject = v.record(v.string(), v.unknown());

export const ErrorBody = v.strictObject({
  ok: v.literal(false),
  code: v.picklist(Object.keys(ERROR_STATUS) as (keyof typeof ERROR_STATUS)[]),
  message: v.string(),
  details: v.optional(v.array(v.strictObject({ id: v.string(), message: v.string() }))),
});

/** `{ok: true, result, id?}`: what a create, update or delete answers. */
export const Result = <R extends string>(...results: [R, ...R[]]) =>
  v.strictObject({ ok: v.literal(true), result: v.picklist(results), id: v.optional(v.string()) });
export const Saved = Result("CREATED", "UPDATED");
export const Updated = Result("UPDATED");
export const Deleted = Result("DELETED");
export const Ok = v.strictObject({ ok: v.literal(true) });

export const OrgEntrySchema = v.strictObject({
  id: v.string(),
  name: v.string(),
  visibility: Visibility,
  owner: v.optional(Owner),
  meta: v.optional(JsonObject),
  cfg: v.optional(JsonObject),
});

export const TeamEntrySchema = v.strictObject({ id: v.string(), orgId: v.string(), orgName: v.string(), name: v.string(), description: v.optional(v.string()) });
export const TeamMember = v.strictObject({ userId: v.string(), username: v.string(), role: v.picklist(TEAM_ROLES) });

export const RepositoryEntrySchema = v.strictObject({
  id: v.string(),
  name: v.string(),
  projectName: v.string(),
  url: v.string(),
  branch: v.optional(v.string()),
  commitId: v.optional(v.string()),
  path: v.optional(v.string()),
  secretId: v.optional(v.string()),
  secretName: v.optional(v.string()),
  disabled: v.boolean(),
  triggersDisabled: v.boolean(),
  meta: v.optional(JsonObject),
});

const projectFields = {
  id: v.string(),
  name: v.string(),
  orgId: v.string(),
  orgName: v.string(),
  description: v.optional(v.string()),
  visibility: Visibility,
  owner: v.optional(Owner),
  meta: v.optional(JsonObject),
  cfg: v.optional(JsonObject),
  rawPayloadMode: v.picklist(PAYLOAD_MODES),
  outVariablesMode: v.picklist(PAYLOAD_MODES),
  processExecMode: v.picklist(PROCESS_EXEC_MODES),
};
export const ProjectEntrySchema = v.strictObject({ ...projectFields, repositories: v.optional(v.array(RepositoryEntrySchema)) });
/** GET of one project: with its repositories. */
export const ProjectWithRepositories = v.strictObject({ ...projectFields, repositories: v.array(RepositoryEntrySchema) });

export const SecretEntrySchema = v.strictObject({
  id: v.string(),
  name: v.string(),
  orgName: v.string(),
  type: v.picklist(["DATA", "USERNAME_PASSWORD", "KEY_PAIR"]),
  visibility: Visibility,
  projects: v.optional(v.array(v.strictObject({ id: v.string(), name: v.optional(v.string()) }))),
  projectName: v.optional(v.string()),
  encryptedBy: v.picklist(["SERVER_KEY", "PASSWORD"]),
});
export const SecretCreated = v.strictObject({
  ok: v.literal(true),
  id: v.string(),
  result: v.literal("CREATED"),
  /** KEY_PAIR: the public key */
  publicKey: v.optional(v.string()),
  /** generatePassword=true: the store password, shown only here */
  password: v.optional(v.string()),
});
export const SecretPublicKey = v.strictObject({ ok: v.literal(true), id: v.string(), name: v.string(), publicKey: v.string() });
export const UsernamePassword = v.strictObject({ username: v.string(), password: v.string() });

export const JsonStoreEntrySchema = v.strictObject({
  id: v.string(),
  name: v.string(),
  orgId: v.string(),
  orgName: v.string(),
  visibility: Visibility,
  owner: v.optional(Owner),
});

export const AccessEntrySchema = v.strictObject({ teamId: v.string(), orgName: v.string(), teamName: v.string(), level: v.picklist(ACCESS_LEVELS) });

export const UserEntrySchema = v.strictObject({
  id: v.string(),
  name: v.string(),
  displayName: v.optional(v.string()),
  email: v.optional(v.string()),
  type: v.picklist(["LOCAL", "LDAP"]),
  disabled: v.boolean(),
  roles: v.array(v.strictObject({ name: v.string() })),
});
export const UserSaved = v.strictObject({ ok: v.literal(true), id: v.string(), username: v.string(), result: v.picklist(["CREATED", "UPDATED"]) });

export const ApiKeyCreated = v.strictObject({ ok: v.literal(true), id: v.string(), name: v.string(), key: v.string(), result: v.literal("CREATED") });
export const ApiKeyEntry = v.strictObject({ id: v.string(), userId: v.string(), name: v.string(), createdAt: v.string(), expiredAt: v.optional(v.string()) });

export const AuditEntry = v.strictObject({
  entryDate: v.string(),
  action: v.picklist(AUDIT_ACTIONS),
  object: v.picklist(AUDIT_OBJECTS),
  details: JsonObject,
  user: v.optional(v.strictObject({ id: v.string(), username: v.string(), userType: v.string(), displayName: v.optional(v.string()) })),
});

/** a JSON store item's path */
export const ItemPath = v.string();

export const Version = v.strictObject({ ok: v.literal(true), version: v.string() });

/** Named schemas: the document's `components.schemas`, referenced by `$ref` wherever they are used. */
export const COMPONENTS = {
  Error: ErrorBody,
  Org: OrgEntrySchema,
  Team: TeamEntrySchema,
  TeamMember,
  Project: ProjectEntrySchema,
  Repository: RepositoryEntrySchema,
  Secret: SecretEntrySchema,
  JsonStore: JsonStoreEntrySchema,
  AccessEntry: AccessEntrySchema,
  User: UserEntrySchema,
  ApiKey: ApiKeyEntry,
  AuditEntry,
  UsernamePassword,
};

// The schemas above describe exactly what the routes' types say they answer (a compile-time check).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>() => undefined as unknown as T;
same<Same<v.InferOutput<typeof OrgEntrySchema>, OrgEntry>>();
same<Same<v.InferOutput<typeof TeamEntrySchema>, TeamEntry>>();
same<Same<v.InferOutput<typeof ProjectEntrySchema>, ProjectEntry>>();
same<Same<v.InferOutput<typeof RepositoryEntrySchema>, RepositoryEntry>>();
same<Same<v.InferOutput<typeof SecretEntrySchema>, SecretEntry>>();
same<Same<v.InferOutput<typeof JsonStoreEntrySchema>, JsonStoreEntry>>();
same<Same<v.InferOutput<typeof AccessEntrySchema>, AccessEntryResponse>>();
same<Same<v.InferOutput<typeof UserEntrySchema>, UserEntry>>();
