import * as v from "valibot";
import { VISIBILITIES } from "../db/schema";

/** Concord's entity name rule (organizations, teams, projects, secrets, stores...). */
export const NAME_PATTERN = /^[0-9a-zA-Z][0-9a-zA-Z_@.\-~]{2,127}$/;

export const EntityName = v.pipe(
  v.string("must be a string"),
  v.regex(
    NAME_PATTERN,
    "must be 3 to 128 characters of letters, digits and _ @ . - ~, starting with a letter or digit",
  ),
);

/** A UUID in any case, lower-cased: ids are stored (and compared) in lower case. */
export const Uuid = v.pipe(v.string("must be a string"), v.uuid("must be a UUID"), v.toLowerCase());

export const Visibility = v.picklist(VISIBILITIES, "must be PUBLIC or PRIVATE");

export const USER_TYPES = ["LOCAL", "LDAP"] as const;
export const UserType = v.picklist(USER_TYPES, "must be LOCAL or LDAP");

/**
 * A field Concord defines that this API does not implement: refused with a 400 that names it, never
 * silently dropped (README, "Differences from Concord", lists every one).
 */
export const NotSupported = (what: string) => v.optional(v.never(`is not supported: ${what}`));

export const MAX_JSON_OBJECT_BYTES = 32 * 1024;
const encoder = new TextEncoder();

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * How deeply a JSON value nests objects and arrays: meta and cfg are read by SQLite's JSON
 * functions (the audit entry's `changes`), which refuse more than 1000 levels. Counted without
 * recursion, so any depth the body limit lets through is measured, not a stack overflow.
 */
export const MAX_JSON_DEPTH = 256;
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== "object" || item === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

/** A JSON object (not an array, string or null) of at most 32 KiB serialized and 256 levels deep; output is its JSON text. */
export const JsonObjectText = v.pipe(
  v.unknown(),
  v.check(isPlainObject, "must be a JSON object"),
  v.check((value) => !nestsDeeperThan(value, MAX_JSON_DEPTH), `must nest at most ${MAX_JSON_DEPTH} levels deep`),
  v.transform((value) => JSON.stringify(value)),
  v.check(
    (text) => encoder.encode(text).byteLength <= MAX_JSON_OBJECT_BYTES,
    `must be at most ${MAX_JSON_OBJECT_BYTES / 1024} KiB serialized`,
  ),
);

/** Query-string boolean ("true"/"false", any case). */
export const QueryBoolean = v.pipe(
  v.string(),
  v.toLowerCase(),
  v.picklist(["true", "false"], "must be true or false"),
  v.transform((s) => s === "true"),
);

/** Query-string integer within [min, max]. */
export const QueryInt = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,9}$/, "must be a whole number"),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

/** Paging of a list: offset/limit, or a cursor (`after`) that the `Link: rel="next"` of a page gives. */
export const CursorQuery = {
  offset: v.optional(QueryInt(0, 1_000_000_000), "0"),
  limit: v.optional(QueryInt(1, 1000), "1000"),
  /** only rows whose name sorts after this one (case-insensitively; item paths as stored) */
  after: v.optional(v.pipe(v.string(), v.maxLength(1024, "must be at most 1024 characters"))),
};

/** Paging and a substring filter on names. */
export const PageQuery = {
  ...CursorQuery,
  filter: v.optional(v.pipe(v.string(), v.maxLength(128, "must be at most 128 characters"))),
};

/** The query of a list: paging, a cursor, a substring filter. */
export const ListQuery = v.object(PageQuery);

export const parseJsonText = (text: string | null): unknown => (text === null ? undefined : JSON.parse(text));
