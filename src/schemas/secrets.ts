import * as v from "valibot";
import { SECRET_TYPES } from "../db/schema";
import { EntityName, QueryBoolean, Uuid, Visibility } from "./common";

/** A multipart field: a text value or an uploaded file. */
export const FormValue = v.union([v.string(), v.file()], "must be a text field or a file");

const OptionalText = (label: string) =>
  v.optional(v.pipe(v.string(`must be a text field`), v.minLength(1, `${label} must not be empty`)));

const ProjectNames = v.pipe(v.string("must be a text field"), v.maxLength(64 * 1024, "is too long"));

/**
 * POST /api/v1/org/{org}/secret (multipart/form-data), Concord's fields. A restriction to projects
 * comes from the first of projectIds, projects, projectId, project that is sent (Concord's order);
 * the lists are comma-separated and may name one project (several: refused, see the route).
 */
export const CreateSecretForm = v.object({
  name: v.pipe(v.string("must be a text field"), EntityName),
  type: v.picklist(SECRET_TYPES, "must be DATA, USERNAME_PASSWORD or KEY_PAIR"),
  visibility: v.optional(Visibility),
  /** Concord's only built-in store; any other is refused */
  storeType: v.optional(
    v.pipe(v.string("must be a text field"), v.toLowerCase(), v.picklist(["concord"], "must be concord (the only secret store this API has)")),
  ),
  projectIds: v.optional(ProjectNames),
  projects: v.optional(ProjectNames),
  projectId: v.optional(v.pipe(v.string("must be a text field"), Uuid)),
  project: v.optional(v.pipe(v.string("must be a text field"), EntityName)),
  storePassword: v.optional(
    v.pipe(
      v.string("must be a text field"),
      v.minLength(8, "must be at least 8 characters"),
      v.maxLength(1024, "must be at most 1024 characters"),
    ),
  ),
  generatePassword: v.optional(QueryBoolean),
  data: v.optional(FormValue),
  username: OptionalText("username"),
  password: OptionalText("password"),
  public: v.optional(FormValue),
  private: v.optional(FormValue),
});


export const ReadSecretForm = v.object({
  storePassword: v.optional(v.string("must be a text field")),
});

export interface SecretEntry {
  id: string;
  name: string;
  orgName: string;
  type: "DATA" | "USERNAME_PASSWORD" | "KEY_PAIR";
  visibility: "PUBLIC" | "PRIVATE";
  projectName?: string;
  encryptedBy: "SERVER_KEY" | "PASSWORD";
}
