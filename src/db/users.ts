import { and, eq, ne, sql, type SQLWrapper } from "drizzle-orm";
import type { Database } from "./client";
import { literal, lowerEq, nowIso } from "./sql";
import { teamMembers, teams, users } from "./schema";

/** A user by id or by username (case-insensitive); an empty reference finds nobody. */
export const findUser = (db: Database, ref: { id?: string; username?: string }) =>
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
    .where(ref.id !== undefined ? eq(users.id, ref.id) : lowerEq(users.username, ref.username ?? ""));

export type UserRow = {
  id: string;
  username: string;
  type: "LOCAL" | "LDAP";
  isAdmin: boolean;
  displayName: string | null;
  email: string | null;
  disabled: boolean;
};

/** The user a `{id}` / `{username, userType?}` reference found, if it is of the type asked for. */
export const matchingUser = (row: UserRow | undefined, ref: { userType?: "LOCAL" | "LDAP" }) =>
  row && (ref.userType === undefined || row.type === ref.userType) ? row : undefined;

export const DEFAULT_ORG_ID = "0fac1b18-d179-11e7-b3e7-d7df4543ed4f";

export interface UserFields {
  type?: "LOCAL" | "LDAP";
  isAdmin?: boolean;
  displayName?: string;
  email?: string;
  disabled?: boolean;
}

/**
 * Creates a user (joining the Default org's `default` team as MEMBER) unless one of that username
 * exists, in which case `changesIfExists` apply to it. One atomic batch; the unique index decides
 * between concurrent callers. `holder` yields the user now holding that username.
 */
export function upsertUserBatch(
  db: Database,
  user: { id: string; username: string } & UserFields,
  changesIfExists: UserFields,
) {
  return {
    // Concord stores usernames lower-cased; lookups stay case-insensitive.
    user: db.insert(users).values({ ...user, username: user.username.toLowerCase() }).onConflictDoNothing(),
    // INSERT ... SELECT joined to the new row: nothing is added if the username already existed.
    membership: db.insert(teamMembers).select(
      db
        .select({
          teamId: teams.id,
          userId: users.id,
          orgId: teams.orgId,
          role: literal("MEMBER", "role"),
          createdAt: nowIso.as("created_at"),
        })
        .from(teams)
        .innerJoin(users, eq(users.id, user.id))
        .where(and(eq(teams.orgId, DEFAULT_ORG_ID), sql`lower(${teams.name}) = 'default'`)),
    ),
    updated: db
      .update(users)
      .set({ ...changesIfExists, updatedAt: nowIso })
      .where(and(lowerEq(users.username, user.username), ne(users.id, user.id))),
    holder: db.select({ id: users.id, username: users.username }).from(users).where(lowerEq(users.username, user.username)),
  };
}

/** Deletes the user if the caller is an administrator (the check travels with the DELETE); yields its id. */
export const deleteUserAsAdmin = (db: Database, adminFlag: SQLWrapper, id: string) =>
  db.delete(users).where(and(eq(users.id, id), sql`${adminFlag} = 1`)).returning({ id: users.id });
