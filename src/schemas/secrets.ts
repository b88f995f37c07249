import * as v from "valibot";
import { SECRET_TYPES } from "../db/schema";
import { EntityName, QueryBoolean, Uuid, Visibility } from "./common";
import { UserRef } from "./orgs";

/** A multipart field: a text value or an uploaded file. */
export const FormValue = v.union([v.string(), v.file()], "must be a text field or a file");

const OptionalText = (label: string) =>
  v.optional(v.pipe(v.string(`must be a text field`), v.minLength(1, `${label} must not be empty`)));

/** A comma-separated list of project ids or names (Concord's multipart form). */
const ProjectList = v.pipe(v.string("must be a text field"), v.maxLength(64 * 1024, "is too long"));

export const StorePassword = v.pipe(
  v.string("must be a text field"),
  v.minLength(8, "must be at least 8 characters"),
  v.maxLength(1024, "must be at most 1024 characters"),
);

/** The fields of a new value, by type (create, and the multipart update). */
const ValueFields = {
  type: v.picklist(SECRET_TYPES, "must be DATA, USERNAME_PASSWORD or KEY_PAIR"),
  data: v.optional(FormValue),
  username: OptionalText("username"),
  password: OptionalText("password"),
  public: v.optional(FormValue),
  private: v.optional(FormValue),
};

/**
 * Concord's restriction fields: the first of projectIds, projects (comma-separated, or the field
 * repeated), projectId, project that is sent restricts the secret to those projects.
 */
const ProjectFields = {
  projectIds: v.optional(v.union([ProjectList, v.array(ProjectList)], "must be text fields")),
  projects: v.optional(v.union([ProjectList, v.array(ProjectList)], "must be text fields")),
  projectId: v.optional(v.pipe(v.string("must be a text field"), Uuid)),
  project: v.optional(v.pipe(v.string("must be a text field"), EntityName)),
};

/** POST /api/v1/org/{org}/secret (multipart/form-data), Concord's fields. */
export const CreateSecretForm = v.object({
  ...ValueFields,
  ...ProjectFields,
  name: v.pipe(v.string("must be a text field"), EntityName),
  visibility: v.optional(Visibility),
  /** Concord's only built-in store; any other is refused */
  storeType: v.optional(
    v.pipe(v.string("must be a text field"), v.toLowerCase(), v.picklist(["concord"], "must be concord (the only secret store this API has)")),
  ),
  storePassword: v.optional(StorePassword),
  generatePassword: v.optional(QueryBoolean),
});

/**
 * POST /api/v2/org/{org}/secret/{secret} (multipart/form-data): the fields of Concord's
 * SecretResourceV2. A new value needs `type` and its fields; `org`/`orgId` move the secret;
 * `removeProjectLink=true` lifts the restriction.
 */
export const UpdateSecretForm = v.object({
  ...ValueFields,
  ...ProjectFields,
  type: v.optional(ValueFields.type),
  name: v.optional(v.pipe(v.string("must be a text field"), EntityName)),
  visibility: v.optional(Visibility),
  org: v.optional(v.pipe(v.string("must be a text field"), EntityName)),
  orgId: v.optional(v.pipe(v.string("must be a text field"), Uuid)),
  removeProjectLink: v.optional(QueryBoolean),
  ownerId: v.optional(v.pipe(v.string("must be a text field"), Uuid)),
  storePassword: v.optional(v.string("must be a text field")),
  newStorePassword: v.optional(StorePassword),
});

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * POST /api/v1/org/{org}/secret/{secret} (JSON): Concord's SecretUpdateRequest (`data`: a new DATA
 * value, base64; `projectName: ""` lifts the restriction), plus the lists `projectIds`/`projects`
 * (`[]` lifts it).
 */
export const UpdateSecretRequest = v.object(
  {
    /** Concord's; must be the secret's own id when sent */
    id: v.optional(Uuid),
    name: v.optional(EntityName),
    visibility: v.optional(Visibility),
    owner: v.optional(UserRef),
    storePassword: v.optional(v.string("must be a string")),
    newStorePassword: v.optional(StorePassword),
    projectIds: v.optional(v.array(Uuid, "must be an array of project ids")),
    projects: v.optional(v.array(EntityName, "must be an array of project names")),
    projectId: v.optional(Uuid),
    projectName: v.optional(v.union([v.literal(""), EntityName], "must be a project name, or empty to lift the restriction")),
    orgId: v.optional(Uuid),
    orgName: v.optional(EntityName),
    data: v.optional(v.pipe(v.string("must be a base64 string"), v.regex(BASE64, "must be base64"))),
  },
  "must be a JSON object",
);

export const ReadSecretForm = v.object({
  storePassword: v.optional(v.string("must be a text field")),
});

export interface SecretEntry {
  id: string;
  name: string;
  orgName: string;
  type: "DATA" | "USERNAME_PASSWORD" | "KEY_PAIR";
  visibility: "PUBLIC" | "PRIVATE";
  /** the projects it is restricted to (names of those the caller may see); `projectName` when that is one */
  projects?: { id: string; name?: string }[];
  projectName?: string;
  encryptedBy: "SERVER_KEY" | "PASSWORD";
}
