import * as v from "valibot";
import { EntityName, Uuid, Visibility } from "./common";
import { UserRef } from "./orgs";

export const CreateOrUpdateStoreRequest = v.object(
  {
    id: v.optional(Uuid),
    name: v.optional(EntityName),
    visibility: v.optional(Visibility),
    owner: v.optional(UserRef),
    /** another org moves the store there (Concord's JsonStoreRequest) */
    orgId: v.optional(Uuid),
    orgName: v.optional(EntityName),
  },
  "must be a JSON object",
);

/** An item path: 1 to 1024 characters, slashes allowed inside, no control characters. */
export const ItemPath = v.pipe(
  v.string(),
  v.transform((p) => p.replace(/^\/+|\/+$/g, "")),
  v.minLength(1, "must not be empty"),
  v.maxLength(1024, "must be at most 1024 characters"),
  v.regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters"),
);

export const ItemParams = v.object({ storeName: v.string(), path: ItemPath });


export interface JsonStoreEntry {
  id: string;
  name: string;
  orgId: string;
  orgName: string;
  visibility: "PUBLIC" | "PRIVATE";
  owner?: { id: string; username: string };
}
