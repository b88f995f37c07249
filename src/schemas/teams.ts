import * as v from "valibot";
import { TEAM_ROLES } from "../db/schema";
import { EntityName, NotSupported, QueryBoolean, UserType, Uuid } from "./common";
import { Username } from "./users";

export const Description = v.pipe(v.string("must be a string"), v.maxLength(2048, "must be at most 2048 characters"));

export const CreateOrUpdateTeamRequest = v.object(
  {
    id: v.optional(Uuid),
    name: v.optional(EntityName),
    description: v.optional(Description),
  },
  "must be a JSON object",
);

export const TeamRole = v.picklist(TEAM_ROLES, "must be OWNER, MAINTAINER or MEMBER");

export const MAX_MEMBERS_PER_REQUEST = 1000;

export const TeamMemberEntries = v.pipe(
  v.array(
    v.pipe(
      v.object(
        {
          username: v.optional(Username),
          userId: v.optional(Uuid),
          /** with username: the user must be of this type */
          userType: v.optional(UserType),
          userDomain: NotSupported("this API has no user domains"),
          role: v.optional(TeamRole, "MEMBER"),
        },
        "must be an object with username or userId",
      ),
      v.check((m) => m.username !== undefined || m.userId !== undefined, "must have username or userId"),
    ),
    "must be an array of {username} or {userId} entries",
  ),
  v.maxLength(MAX_MEMBERS_PER_REQUEST, `must have at most ${MAX_MEMBERS_PER_REQUEST} entries`),
);

export const ReplaceMembersQuery = v.object({ replace: v.optional(QueryBoolean, "false") });

export const Usernames = v.pipe(
  v.array(Username, "must be an array of usernames"),
  v.minLength(1, "must name at least one user"),
  v.maxLength(MAX_MEMBERS_PER_REQUEST, `must have at most ${MAX_MEMBERS_PER_REQUEST} entries`),
);

export interface TeamEntry {
  id: string;
  orgId: string;
  orgName: string;
  name: string;
  description?: string;
}
