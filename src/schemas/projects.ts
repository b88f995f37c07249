import * as v from "valibot";
import { Description } from "./teams";
import { PAYLOAD_MODES, PROCESS_EXEC_MODES } from "../db/schema";
import { EntityName, JsonObjectText, Uuid, Visibility } from "./common";
import { UserRef } from "./orgs";

export const PayloadMode = v.picklist(PAYLOAD_MODES, `must be one of ${PAYLOAD_MODES.join(", ")}`);
export const ProcessExecMode = v.picklist(PROCESS_EXEC_MODES, `must be one of ${PROCESS_EXEC_MODES.join(", ")}`);


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

/** Concord's RepositoryEntry; `secret` is Concord's alias of `secretName`. */
const RepositoryFields = {
  id: v.optional(Uuid),
  name: v.optional(EntityName),
  url: v.optional(RepositoryUrl),
  branch: v.optional(GitRef),
  commitId: v.optional(v.pipe(v.string("must be a string"), v.regex(/^[0-9a-fA-F]{4,64}$/, "must be a hex commit id"))),
  path: v.optional(GitRef),
  secretId: v.optional(Uuid),
  secretName: v.optional(EntityName),
  secret: v.optional(EntityName),
  disabled: v.optional(v.boolean("must be true or false")),
  triggersDisabled: v.optional(v.boolean("must be true or false")),
  meta: v.optional(JsonObjectText),
};

export const CreateOrUpdateRepositoryRequest = v.object(RepositoryFields, "must be a JSON object");
export type RepositoryRequest = v.InferOutput<typeof CreateOrUpdateRepositoryRequest>;

export const MAX_INLINE_REPOSITORIES = 100;

/** Concord's ProjectEntry. `repositories` is Concord's map of name -> RepositoryEntry, replacing them all. */
export const CreateOrUpdateProjectRequest = v.object(
  {
    id: v.optional(Uuid),
    name: v.optional(EntityName),
    description: v.optional(Description),
    visibility: v.optional(Visibility),
    owner: v.optional(UserRef),
    /** another org moves the project there */
    orgId: v.optional(Uuid),
    orgName: v.optional(EntityName),
    meta: v.optional(JsonObjectText),
    cfg: v.optional(JsonObjectText),
    rawPayloadMode: v.optional(PayloadMode),
    outVariablesMode: v.optional(PayloadMode),
    processExecMode: v.optional(ProcessExecMode),
    repositories: v.optional(
      v.pipe(
        v.record(v.pipe(v.string(), EntityName), CreateOrUpdateRepositoryRequest, "must be an object of repository name -> repository"),
        v.check((map) => Object.keys(map).length <= MAX_INLINE_REPOSITORIES, `must have at most ${MAX_INLINE_REPOSITORIES} repositories`),
      ),
    ),
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
  rawPayloadMode: (typeof PAYLOAD_MODES)[number];
  outVariablesMode: (typeof PAYLOAD_MODES)[number];
  processExecMode: (typeof PROCESS_EXEC_MODES)[number];
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
  secretId?: string;
  secretName?: string;
  disabled: boolean;
  triggersDisabled: boolean;
  meta?: Record<string, unknown>;
}
