import * as v from "valibot";
import { ACCESS_LEVELS, type AccessLevel } from "../db/schema";
import { EntityName, Uuid } from "./common";

export const Level = v.picklist(ACCESS_LEVELS, "must be READER, WRITER or OWNER");

/**
 * Concord's ResourceAccessEntry: a team of the resource's organization, by `teamId` or by
 * `teamName` (`orgName`, when sent, must name that organization), and its level.
 */
export const AccessEntry = v.pipe(
  v.object(
    {
      teamId: v.optional(Uuid),
      orgName: v.optional(EntityName),
      teamName: v.optional(EntityName),
      level: Level,
    },
    "must be an object with teamId or teamName, and level",
  ),
  v.check((e) => e.teamId !== undefined || e.teamName !== undefined, "must have teamId or teamName"),
);

export type AccessEntryRequest = v.InferOutput<typeof AccessEntry>;

export const MAX_GRANTS_PER_REQUEST = 1000;

/** Concord's bulk body: the whole list of grants (`[]` removes every grant). */
export const AccessEntries = v.pipe(
  v.array(AccessEntry, "must be an array of access entries"),
  v.maxLength(MAX_GRANTS_PER_REQUEST, `must have at most ${MAX_GRANTS_PER_REQUEST} entries`),
);

/** An entry of `GET .../access`, as Concord's. */
export interface AccessEntryResponse {
  teamId: string;
  orgName: string;
  teamName: string;
  level: AccessLevel;
}
