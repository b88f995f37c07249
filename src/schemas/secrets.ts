import * as v from "valibot";
import { SECRET_TYPES } from "../db/schema";
import { EntityName, Visibility } from "./common";

/** A multipart field: a text value or an uploaded file. */
export const FormValue = v.union([v.string(), v.file()], "must be a text field or a file");

const OptionalText = (label: string) =>
  v.optional(v.pipe(v.string(`must be a text field`), v.minLength(1, `${label} must not be empty`)));

/** POST /api/v1/org/{org}/secret (multipart/form-data), as in Concord. */
export const CreateSecretForm = v.object({
  name: v.pipe(v.string("must be a text field"), EntityName),
  type: v.picklist(SECRET_TYPES, "must be DATA, USERNAME_PASSWORD or KEY_PAIR"),
  visibility: v.optional(Visibility),
  project: v.optional(v.pipe(v.string("must be a text field"), EntityName)),
  storePassword: v.optional(
    v.pipe(
      v.string("must be a text field"),
      v.minLength(8, "must be at least 8 characters"),
      v.maxLength(1024, "must be at most 1024 characters"),
    ),
  ),
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
