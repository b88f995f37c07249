import * as v from "valibot";
import { EntityName } from "./common";

/** Usernames as Concord and LDAP know them (e.g. "jdoe", "jane.doe@example.com"). */
export const Username = v.pipe(
  v.string("must be a string"),
  v.regex(
    /^[0-9a-zA-Z][0-9a-zA-Z_@.\-~+]{0,127}$/,
    "must be 1 to 128 characters of letters, digits and _ @ . - ~ +, starting with a letter or digit",
  ),
);

export const ADMIN_ROLE = "concordAdmin";

export const CreateOrUpdateUserRequest = v.object(
  {
    username: Username,
    type: v.optional(v.picklist(["LOCAL", "LDAP"], "must be LOCAL or LDAP")),
    roles: v.optional(
      v.array(v.picklist([ADMIN_ROLE], `the only supported role is ${ADMIN_ROLE}`), "must be an array of role names"),
    ),
  },
  "must be a JSON object",
);

export interface UserEntry {
  id: string;
  username: string;
  type: "LOCAL" | "LDAP";
  roles: string[];
}

export const CreateApiKeyRequest = v.object(
  {
    username: v.optional(Username),
    name: v.optional(EntityName),
  },
  "must be a JSON object",
);
