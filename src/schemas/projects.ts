import * as v from "valibot";
import { Description } from "./teams";
import { EntityName, JsonObjectText, PageQuery, Uuid, Visibility } from "./common";

export const CreateOrUpdateProjectRequest = v.object(
  {
    id: v.optional(Uuid),
    name: v.optional(EntityName),
    description: v.optional(Description),
    visibility: v.optional(Visibility),
    meta: v.optional(JsonObjectText),
    cfg: v.optional(JsonObjectText),
  },
  "must be a JSON object",
);

export const ListQuery = v.object(PageQuery);

/** https://, http://, ssh:// URLs or scp-like git@host:path. */
export const RepositoryUrl = v.pipe(
  v.string("must be a string"),
  v.maxLength(2048, "must be at most 2048 characters"),
  v.regex(
    /^(?:(?:https?|ssh):\/\/[^\s/]+(?:\/\S*)?|[\w.-]+@[\w.-]+:\S+)$/,
    "must be an https://, http://, ssh:// or git@host:path URL",
  ),
);

const GitRef = v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty"), v.maxLength(1024, "must be at most 1024 characters"));

export const CreateOrUpdateRepositoryRequest = v.object(
  {
    id: v.optional(Uuid),
    name: v.optional(EntityName),
    url: v.optional(RepositoryUrl),
    branch: v.optional(GitRef),
    commitId: v.optional(v.pipe(v.string("must be a string"), v.regex(/^[0-9a-fA-F]{4,64}$/, "must be a hex commit id"))),
    path: v.optional(GitRef),
    secretName: v.optional(EntityName),
    disabled: v.optional(v.boolean("must be true or false")),
    meta: v.optional(JsonObjectText),
  },
  "must be a JSON object",
);

export interface ProjectEntry {
  id: string;
  name: string;
  orgId: string;
  orgName: string;
  description?: string;
  visibility: "PUBLIC" | "PRIVATE";
  owner?: { id: string; username: string };
  meta?: Record<string, unknown>;
  cfg?: Record<string, unknown>;
  repositories?: RepositoryEntry[];
}

export interface RepositoryEntry {
  id: string;
  name: string;
  projectName: string;
  url: string;
  branch?: string;
  commitId?: string;
  path?: string;
  secretName?: string;
  disabled: boolean;
  meta?: Record<string, unknown>;
}
