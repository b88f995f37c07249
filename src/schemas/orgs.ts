import * as v from "valibot";
import { EntityName, JsonObjectText, NotSupported, PageQuery, QueryBoolean, UserType, Uuid, Visibility } from "./common";

/** `{id}` or `{username}` of an existing user. */
export const UserRef = v.pipe(
  v.object(
    {
      id: v.optional(Uuid),
      username: v.optional(v.pipe(v.string("must be a string"), v.maxLength(128, "must be at most 128 characters"))),
      /** with username: the user must be of this type */
      userType: v.optional(UserType),
      userDomain: NotSupported("this API has no user domains"),
      /** Concord's EntityOwner carries it, and ignores it when resolving the owner: so do we */
      displayName: v.optional(v.string("must be a string")),
    },
    "must be an object with id or username",
  ),
  v.check((ref) => ref.id !== undefined || ref.username !== undefined, "must have id or username"),
);

/** POST /api/v1/org: create, or update by id, else by name. Unknown fields are ignored (stripped). */
export const CreateOrUpdateOrgRequest = v.object(
  {
    id: v.optional(Uuid),
    name: v.optional(EntityName),
    visibility: v.optional(Visibility),
    owner: v.optional(UserRef),
    meta: v.optional(JsonObjectText),
    cfg: v.optional(JsonObjectText),
  },
  "must be a JSON object",
);
export type CreateOrUpdateOrgRequest = v.InferOutput<typeof CreateOrUpdateOrgRequest>;

export const ListOrgsQuery = v.object({
  ...PageQuery,
  onlyCurrent: v.optional(QueryBoolean, "false"),
});

export const DeleteOrgQuery = v.object({ confirmation: v.optional(v.string()) });

export interface OrgEntry {
  id: string;
  name: string;
  visibility: "PUBLIC" | "PRIVATE";
  owner?: { id: string; username: string };
  meta?: Record<string, unknown>;
  cfg?: Record<string, unknown>;
}
