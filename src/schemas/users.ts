import * as v from "valibot";
import { CursorQuery, EntityName, NotSupported, Uuid, UserType } from "./common";

/** Usernames as Concord and LDAP know them (e.g. "jdoe", "jane.doe@example.com"). */
export const Username = v.pipe(
  v.string("must be a string"),
  v.regex(
    /^[0-9a-zA-Z][0-9a-zA-Z_@.\-~+]{0,127}$/,
    "must be 1 to 128 characters of letters, digits and _ @ . - ~ +, starting with a letter or digit",
  ),
);

export const ADMIN_ROLE = "concordAdmin";

const DOMAINS = "this API has no user domains";

/** Concord's CreateUserRequest; `type` is our older name for Concord's `userType` (both accepted). */
export const CreateOrUpdateUserRequest = v.object(
  {
    username: Username,
    userType: v.optional(UserType),
    type: v.optional(UserType),
    userDomain: NotSupported(DOMAINS),
    displayName: v.optional(v.pipe(v.string("must be a string"), v.maxLength(1024, "must be at most 1024 characters"))),
    email: v.optional(v.pipe(v.string("must be a string"), v.maxLength(512, "must be at most 512 characters"))),
    disabled: v.optional(v.boolean("must be true or false")),
    roles: v.optional(
      v.array(v.picklist([ADMIN_ROLE], `the only supported role is ${ADMIN_ROLE}`), "must be an array of role names"),
    ),
  },
  "must be a JSON object",
);

/** A user as Concord answers it (UserEntry). */
export interface UserEntry {
  id: string;
  name: string;
  displayName?: string;
  email?: string;
  type: "LOCAL" | "LDAP";
  disabled: boolean;
  roles: { name: string }[];
}

/** Concord's CreateApiKeyRequest: the key's user by `userId`, else `username` (and `userType`); else the caller. */
export const CreateApiKeyRequest = v.object(
  {
    userId: v.optional(Uuid),
    username: v.optional(Username),
    userType: v.optional(UserType),
    userDomain: NotSupported(DOMAINS),
    name: v.optional(EntityName),
    /** administrators only: a key value of their choosing (e.g. migrated from another Concord) */
    key: v.optional(
      v.pipe(
        v.string("must be a string"),
        // Printable ASCII: what an Authorization header carries intact.
        v.regex(/^[\x21-\x7e]{16,512}$/, "must be 16 to 512 printable ASCII characters without spaces"),
      ),
    ),
  },
  "must be a JSON object",
);

export const ListApiKeysQuery = v.object({ ...CursorQuery, userId: v.optional(Uuid) });
