/**
 * Every table of the service. Deleting an organization is one `DELETE FROM organizations`: the
 * foreign keys below (ON DELETE CASCADE) remove everything it owns, inside that one statement.
 *
 * Names are unique case-insensitively within their parent through unique indexes on lower(name);
 * lookups use the same expression so they are served by those indexes.
 */
import { sql } from "drizzle-orm";
import {
  blob,
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { nowIso } from "./sql";

const createdAt = () =>
  text("created_at")
    .notNull()
    .default(nowIso);
const updatedAt = () =>
  text("updated_at")
    .notNull()
    .default(nowIso);

/**
 * The row's version for If-Match: 1 when inserted, +1 on every update (triggers of migration 0017,
 * so no update path can forget it). ETags of the row's GET carry it (middleware/etag.ts).
 */
const version = () => integer("version").notNull().default(1);

export const VISIBILITIES = ["PUBLIC", "PRIVATE"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** stored lower-cased, as Concord does */
    username: text("username").notNull(),
    type: text("type", { enum: ["LOCAL", "LDAP"] }).notNull().default("LOCAL"),
    isAdmin: integer("is_admin", { mode: "boolean" }).notNull().default(false),
    displayName: text("display_name"),
    email: text("email"),
    /** a disabled user's API keys are refused (401) */
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_username_uq").on(sql`lower(${t.username})`)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** hex SHA-256 of the key; the key itself is never stored */
    keyHash: text("key_hash").notNull(),
    /** ISO-8601; NULL = never expires */
    expiresAt: text("expires_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_uq").on(t.keyHash),
    uniqueIndex("api_keys_user_name_uq").on(t.userId, sql`lower(${t.name})`),
  ],
);

export const organizations = sqliteTable(
  "organizations",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    visibility: text("visibility", { enum: VISIBILITIES }).notNull().default("PUBLIC"),
    ownerId: text("owner_id").references(() => users.id, { onDelete: "set null" }),
    /** JSON object text, or NULL */
    meta: text("meta"),
    /** JSON object text, or NULL */
    cfg: text("cfg"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    uniqueIndex("organizations_name_uq").on(sql`lower(${t.name})`),
    // Org lists for non-administrators read PUBLIC orgs and owned orgs in name order (db/orgs.ts).
    index("organizations_visibility_name_idx").on(t.visibility, sql`lower(${t.name})`),
    index("organizations_owner_name_idx").on(t.ownerId, sql`lower(${t.name})`),
    check("organizations_visibility_ck", sql`${t.visibility} IN ('PUBLIC', 'PRIVATE')`),
  ],
);

/**
 * The substring index of org names (`filter=` on the org list): every distinct 3-character piece of
 * lower(name), with the orgs that contain it, and how many orgs contain each. Kept by triggers on
 * `organizations` (migration 0007), inside the statement that changes the org. Plain tables, not
 * FTS5: a D1 database that holds an FTS5 table cannot be exported (README, "Paging and filters").
 * No foreign key: the delete trigger removes an org's rows by this primary key. The triggers take
 * the positions 1..1022 from `trigram_positions`, a table of numbers migration 0007 creates and fills
 * (not declared here: the app never reads it).
 */
export const orgNameTrigrams = sqliteTable(
  "org_name_trigrams",
  {
    trigram: text("trigram").notNull(),
    orgId: text("org_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.trigram, t.orgId] })],
);

export const orgTrigramCounts = sqliteTable("org_trigram_counts", {
  trigram: text("trigram").primaryKey(),
  /** how many orgs' names contain it (0 once the last one is gone) */
  orgs: integer("orgs").notNull(),
});

export const TEAM_ROLES = ["OWNER", "MAINTAINER", "MEMBER"] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export const teams = sqliteTable(
  "teams",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("teams_org_name_uq").on(t.orgId, sql`lower(${t.name})`)],
);

export const teamMembers = sqliteTable(
  "team_members",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /**
     * The team's org, copied from teams.org_id when the row is written (a team never changes org,
     * and the row goes with its team): "is the caller a member of org X" is one index probe.
     */
    orgId: text("org_id"),
    role: text("role", { enum: TEAM_ROLES }).notNull().default("MEMBER"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.userId] }),
    index("team_members_user_org_idx").on(t.userId, t.orgId),
    check("team_members_role_ck", sql`${t.role} IN ('OWNER', 'MAINTAINER', 'MEMBER')`),
  ],
);

/** Concord's RawPayloadMode and OutVariablesMode: who may send a raw payload / read out variables. */
export const PAYLOAD_MODES = ["DISABLED", "OWNERS", "TEAM_MEMBERS", "ORG_MEMBERS", "EVERYONE"] as const;
/** Concord's ProcessExecMode: who may start processes. */
export const PROCESS_EXEC_MODES = ["DISABLED", "READERS", "WRITERS"] as const;

export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description"),
    visibility: text("visibility", { enum: VISIBILITIES }).notNull().default("PUBLIC"),
    ownerId: text("owner_id").references(() => users.id, { onDelete: "set null" }),
    meta: text("meta"),
    cfg: text("cfg"),
    /** Concord's process-start policies: stored and returned; this API starts no processes */
    rawPayloadMode: text("raw_payload_mode", { enum: PAYLOAD_MODES }).notNull().default("DISABLED"),
    outVariablesMode: text("out_variables_mode", { enum: PAYLOAD_MODES }).notNull().default("DISABLED"),
    processExecMode: text("process_exec_mode", { enum: PROCESS_EXEC_MODES }).notNull().default("READERS"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    uniqueIndex("projects_org_name_uq").on(t.orgId, sql`lower(${t.name})`),
    // Lists for callers without org access read only PUBLIC rows, in name order.
    index("projects_org_visibility_name_idx").on(t.orgId, t.visibility, sql`lower(${t.name})`),
    index("projects_owner_idx").on(t.ownerId),
  ],
);

export const SECRET_TYPES = ["DATA", "USERNAME_PASSWORD", "KEY_PAIR"] as const;
export const SECRET_ENCRYPTED_BY = ["SERVER_KEY", "PASSWORD"] as const;

export const secrets = sqliteTable(
  "secrets",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: text("type", { enum: SECRET_TYPES }).notNull(),
    visibility: text("visibility", { enum: VISIBILITIES }).notNull().default("PUBLIC"),
    /**
     * Legacy single-project restriction, never read since migration 0010: restrictions live in
     * `secret_projects`. Kept as it was for a Worker of the previous version during a rollout (it
     * reads this to tell a restricted secret; one it writes is copied by a trigger), and cleared
     * whenever the restriction changes. The column stays because dropping it would rebuild
     * `secrets`, and on D1 a rebuild deletes the rows that reference it with ON DELETE CASCADE.
     */
    projectId: text("project_id").references(() => projects.id),
    /**
     * Whether `secret_projects` has rows for it, kept by triggers (migration 0010): lists read the
     * restriction only of secrets that have one, instead of probing for every secret.
     */
    restricted: integer("restricted", { mode: "boolean" }).notNull().default(false),
    ownerId: text("owner_id").references(() => users.id, { onDelete: "set null" }),
    encryptedBy: text("encrypted_by", { enum: SECRET_ENCRYPTED_BY }).notNull(),
    /** AES-256-GCM ciphertext (with tag) of the serialized secret */
    ciphertext: blob("ciphertext", { mode: "buffer" }).notNull(),
    /** 12-byte GCM nonce, fresh per secret */
    iv: blob("iv", { mode: "buffer" }).notNull(),
    /** PBKDF2 salt when encrypted_by = PASSWORD */
    salt: blob("salt", { mode: "buffer" }),
    /** OpenSSH public key of a KEY_PAIR (public by nature, stored in clear) */
    publicKey: text("public_key"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    uniqueIndex("secrets_org_name_uq").on(t.orgId, sql`lower(${t.name})`),
    // Lists for callers without org access read only PUBLIC rows, in name order.
    index("secrets_org_visibility_name_idx").on(t.orgId, t.visibility, sql`lower(${t.name})`),
    index("secrets_project_idx").on(t.projectId),
    index("secrets_owner_idx").on(t.ownerId),
  ],
);

export const repositories = sqliteTable(
  "repositories",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    url: text("url").notNull(),
    branch: text("branch"),
    commitId: text("commit_id"),
    path: text("path"),
    secretId: text("secret_id").references(() => secrets.id, { onDelete: "set null" }),
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    /** Concord's flag; stored and returned (this API runs no triggers) */
    triggersDisabled: integer("triggers_disabled", { mode: "boolean" }).notNull().default(false),
    meta: text("meta"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("repositories_project_name_uq").on(t.projectId, sql`lower(${t.name})`),
    index("repositories_secret_idx").on(t.secretId),
  ],
);

export const jsonStores = sqliteTable(
  "json_stores",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    visibility: text("visibility", { enum: VISIBILITIES }).notNull().default("PRIVATE"),
    ownerId: text("owner_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    uniqueIndex("json_stores_org_name_uq").on(t.orgId, sql`lower(${t.name})`),
    // Lists for callers without org access read only PUBLIC rows, in name order.
    index("json_stores_org_visibility_name_idx").on(t.orgId, t.visibility, sql`lower(${t.name})`),
    index("json_stores_owner_idx").on(t.ownerId),
  ],
);

export const jsonStoreItems = sqliteTable(
  "json_store_items",
  {
    storeId: text("store_id")
      .notNull()
      .references(() => jsonStores.id, { onDelete: "cascade" }),
    path: text("path").notNull(),
    /** the item's JSON value, serialized */
    data: text("data").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.path] })],
);

/**
 * The projects a secret is restricted to (Concord's PROJECT_SECRETS): none means unrestricted. A
 * row goes with its secret and with its project, but deleting the last project of a restriction is
 * refused by a trigger (migration 0010), so a restriction is never silently lifted.
 */
export const secretProjects = sqliteTable(
  "secret_projects",
  {
    secretId: text("secret_id")
      .notNull()
      .references(() => secrets.id, { onDelete: "cascade" }),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.secretId, t.projectId] }), index("secret_projects_project_idx").on(t.projectId)],
);

/** Concord's ResourceAccessLevel: what a team may do with a project, secret or JSON store. */
export const ACCESS_LEVELS = ["READER", "WRITER", "OWNER"] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/**
 * A table of team grants on one kind of resource: one row per (resource, team), with the team's
 * level. A grant goes with its resource and with its team (CASCADE), so deleting a team, a
 * resource or the whole organization leaves no grant behind. The API only grants teams of the
 * resource's own organization (routes/access.ts).
 */
const teamAccessTable = <R extends string>(name: string, resourceColumn: R, resource: () => typeof projects | typeof secrets | typeof jsonStores) =>
  sqliteTable(
    name,
    {
      resourceId: text(resourceColumn)
        .notNull()
        .references(() => resource().id, { onDelete: "cascade" }),
      teamId: text("team_id")
        .notNull()
        .references(() => teams.id, { onDelete: "cascade" }),
      level: text("level", { enum: ACCESS_LEVELS }).notNull(),
    },
    (t) => [
      primaryKey({ columns: [t.resourceId, t.teamId] }),
      // A team's deletion finds its grants by this index.
      index(`${name}_team_idx`).on(t.teamId),
      check(`${name}_level_ck`, sql`${t.level} IN ('READER', 'WRITER', 'OWNER')`),
    ],
  );

export const projectTeamAccess = teamAccessTable("project_team_access", "project_id", () => projects);
export const secretTeamAccess = teamAccessTable("secret_team_access", "secret_id", () => secrets);
export const jsonStoreTeamAccess = teamAccessTable("json_store_team_access", "json_store_id", () => jsonStores);

/** Concord's AuditObject names this API records, and its AuditAction names. */
export const AUDIT_OBJECTS = ["ORGANIZATION", "TEAM", "PROJECT", "SECRET", "JSON_STORE", "JSON_STORE_DATA", "USER", "API_KEY"] as const;
export type AuditObject = (typeof AUDIT_OBJECTS)[number];
export const AUDIT_ACTIONS = ["CREATE", "UPDATE", "DELETE", "ACCESS"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * The audit log (Concord's AUDIT_LOG): one entry per change, written in the same D1 batch as the
 * change (db/audit.ts). No foreign keys: an entry outlives the user and everything it is about.
 * `details` is Concord's JSON object; the ids it names are copied into columns to filter by.
 */
export const auditLog = sqliteTable("audit_log", {
  /**
   * the rowid: newest is highest. Retention deletes the oldest, so a number comes back only if it
   * ever empties the table (no AUTOINCREMENT: it would cost every entry a read and a write more).
   */
  seq: integer("seq").primaryKey(),
  entryDate: text("entry_date").notNull().default(nowIso),
  userId: text("user_id"),
  object: text("object", { enum: AUDIT_OBJECTS }).notNull(),
  action: text("action", { enum: AUDIT_ACTIONS }).notNull(),
  orgId: text("org_id"),
  projectId: text("project_id"),
  secretId: text("secret_id"),
  jsonStoreId: text("json_store_id"),
  teamId: text("team_id"),
  details: text("details").notNull(),
}, (t) => [
  // Each filter of GET /api/v1/audit walks its own index newest first (db/audit.ts searchAudit).
  // Partial where the key is often absent: an entry pays (rows written) only for the ones it has.
  index("audit_log_org_idx").on(t.orgId, t.seq).where(sql`${t.orgId} IS NOT NULL`),
  index("audit_log_project_idx").on(t.projectId, t.seq).where(sql`${t.projectId} IS NOT NULL`),
  index("audit_log_secret_idx").on(t.secretId, t.seq).where(sql`${t.secretId} IS NOT NULL`),
  index("audit_log_json_store_idx").on(t.jsonStoreId, t.seq).where(sql`${t.jsonStoreId} IS NOT NULL`),
  index("audit_log_team_idx").on(t.teamId, t.seq).where(sql`${t.teamId} IS NOT NULL`),
  index("audit_log_user_idx").on(t.userId, t.seq),
  index("audit_log_object_idx").on(t.object, t.seq),
  // A deleted org's entries are found by its last name through its ORGANIZATION DELETE entry.
  index("audit_log_deleted_org_name_idx")
    .on(sql`lower(${t.details} ->> '$.name')`, t.seq)
    .where(sql`${t.object} = 'ORGANIZATION' AND ${t.action} = 'DELETE'`),
  // `after`/`before` become sequence bounds through this one; retention deletes by it
  index("audit_log_date_idx").on(t.entryDate),
]);

/**
 * Always empty: a write batch whose If-Match does not hold inserts a row here first, the CHECK
 * refuses it, and D1 rolls the whole batch back (db/preconditions.ts; answered 412).
 */
export const ifMatchFailed = sqliteTable("if_match_failed", { failed: integer("failed").notNull() }, () => [check("if_match_failed_ck", sql`0`)]);

/**
 * Always empty: a write batch that would break a rule checked after its writes inserts a row here
 * (db/preconditions.ts refuseIf), the CHECK refuses it, and D1 rolls the whole batch back
 * (answered 409).
 */
export const writeRefused = sqliteTable("write_refused", { refused: integer("refused").notNull() }, () => [check("write_refused_ck", sql`0`)]);
