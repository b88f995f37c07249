import { and, eq, ne, sql } from "drizzle-orm";
import type { Database } from "./client";
import { prepared } from "./prepared";
import { literal, lowerEq, nowIso } from "./sql";
import { teamMembers, teams, users } from "./schema";

const findUserPrepared = prepared((db: Database, by: "id" | "username") =>
  db
    .select({
      id: users.id,
      username: users.username,
      type: users.type,
      isAdmin: users.isAdmin,
      displayName: users.displayName,
      email: users.email,
      disabled: users.disabled,
    })
    .from(users)
    .where(by === "id" ? eq(users.id, sql.placeholder("user")) : lowerEq(users.username, sql.placeholder("user"))),
);

export type UserRow = {
  id: string;
  username: string;
  type: "LOCAL" | "LDAP";
  isAdmin: boolean;
  displayName: string | null;
  email: string | null;
  disabled: boolean;
};

/** A user by id or by username (case-insensitive). */
export const findUser = (db: Database, ref: { id?: string; username?: string }) =>
  ref.id !== undefined
    ? findUserPrepared(db, { user: ref.id }, "id")
    : findUserPrepared(db, { user: ref.username ?? "" }, "username");

/** The user a `{id}` / `{username, userType?}` reference found, if it is of the type asked for. */
export const matchingUser = (row: UserRow | undefined, ref: { userType?: "LOCAL" | "LDAP" }) =>
  row && (ref.userType === undefined || row.type === ref.userType) ? row : undefined;

export const DEFAULT_ORG_ID = "0fac1b18-d179-11e7-b3e7-d7df4543ed4f";

/**
 * Creates a user (joining the Default org's `default` team as MEMBER) unless one of that username
 * exists, in which case `changesIfExists` apply to it. One atomic batch; the unique index decides
 * between concurrent callers. The last statement yields the user now holding that username.
 */
export interface UserFields {
  type?: "LOCAL" | "LDAP";
  isAdmin?: boolean;
  displayName?: string;
  email?: string;
  disabled?: boolean;
}

export function upsertUserBatch(
  db: Database,
  user: { id: string; username: string } & UserFields,
  changesIfExists: UserFields,
) {
  return [
    // Concord stores usernames lower-cased; lookups stay case-insensitive.
    db.insert(users).values({ ...user, username: user.username.toLowerCase() }).onConflictDoNothing(),
    // INSERT ... SELECT joined to the new row: nothing is added if the username already existed.
    db.insert(teamMembers).select(
      db
        .select({
          teamId: teams.id,
          userId: users.id,
          role: literal("MEMBER", "role"),
          createdAt: nowIso.as("created_at"),
        })
        .from(teams)
        .innerJoin(users, eq(users.id, user.id))
        .where(and(eq(teams.orgId, DEFAULT_ORG_ID), sql`lower(${teams.name}) = 'default'`)),
    ),
    db
      .update(users)
      .set({ ...changesIfExists, updatedAt: nowIso })
      .where(and(lowerEq(users.username, user.username), ne(users.id, user.id))),
    db
      .select({ id: users.id, username: users.username })
      .from(users)
      .where(lowerEq(users.username, user.username)),
  ] as const;
}
