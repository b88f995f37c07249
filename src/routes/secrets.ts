import type { Context } from "hono";
import { Hono } from "hono/tiny";
import * as v from "valibot";
import { batch } from "../db/client";
import { findOrg, mergeChildren, type OrgRow } from "../db/orgs";
import { findProjectsByRefs, type ProjectRow } from "../db/projects";
import { sql } from "drizzle-orm";
import { changesOf } from "../db/audit";
import { secrets, type SECRET_TYPES, type Visibility } from "../db/schema";
import {
  deleteSecret,
  findSecret,
  findSecretCiphertext,
  insertSecret,
  listSecrets,
  repositoriesUsing,
  secretChangedFields,
  stillAsRead,
  updateSecret,
  type SecretChanges,
  type SecretRow,
} from "../db/secrets";
import { findUser, matchingUser } from "../db/users";
import type { AppEnv } from "../env";
import { batchInOrg, canSeeResource, moveTarget, moveTargetOf, requireOrgAccess, requireResource, type MoveTarget, type OrgAccess } from "../lib/access";
import { audit, whileRowExists } from "../lib/audit";
import { ifMatchHolds, takesIfMatch } from "../lib/if-match";
import { randomBase64Url } from "../lib/crypto";
import { ApiError, forbidden, invalidField, translateConstraint } from "../lib/errors";
import { pageOf } from "../lib/paging";
import { openSecret, requireSecretsKey, sealSecret } from "../lib/secret-crypto";
import { generateEd25519KeyPair } from "../lib/ssh-keys";
import { valid } from "../lib/validate";
import { KIB, VALUE_LIMIT } from "../middleware/body-limit";
import { EntityName, ListQuery, Uuid } from "../schemas/common";
import { CreateSecretForm, ReadSecretForm, UpdateSecretForm, UpdateSecretRequest, type SecretEntry } from "../schemas/secrets";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const toSecretEntry = (org: OrgAccess, s: Omit<SecretRow, "level" | "restrictedTo">): SecretEntry => ({
  id: s.id,
  name: s.name,
  orgName: org.name,
  type: s.type,
  visibility: s.visibility,
  // Names only of projects the caller may see (db/secrets.ts); Concord's v1 field when there is one.
  ...(s.projects.length > 0 ? { projects: s.projects } : {}),
  ...(s.projects.length === 1 && s.projects[0]!.name !== undefined ? { projectName: s.projects[0]!.name } : {}),
  encryptedBy: s.encryptedBy,
});

const FORM = "form fields";
const invalidFormField = (id: string, message: string) => invalidField(id, message, FORM);

/** A text field or an uploaded file, as bytes, at most 512 KiB. */
async function formBytes(field: string, value: string | File): Promise<Uint8Array> {
  const bytes = typeof value === "string" ? encoder.encode(value) : new Uint8Array(await value.arrayBuffer());
  if (bytes.byteLength > VALUE_LIMIT) {
    throw new ApiError("PAYLOAD_TOO_LARGE", `'${field}' exceeds ${VALUE_LIMIT / KIB} KiB`);
  }
  return bytes;
}

type ValueForm = Pick<v.InferOutput<typeof CreateSecretForm>, "type" | "data" | "username" | "password" | "public" | "private">;

/** The fields each type needs, checked before anything is read or computed; `generate`: a KEY_PAIR may come without files. */
function requireValueFields(form: ValueForm, generate: boolean): void {
  if (form.type === "DATA" && form.data === undefined) throw invalidFormField("data", "is required for type DATA");
  if (form.type === "USERNAME_PASSWORD") {
    if (form.username === undefined) throw invalidFormField("username", "is required for type USERNAME_PASSWORD");
    if (form.password === undefined) throw invalidFormField("password", "is required for type USERNAME_PASSWORD");
  }
  if (form.type === "KEY_PAIR") {
    const missing = form.public === undefined ? "public" : form.private === undefined ? "private" : undefined;
    // Created without both files, a key pair is generated; an update must send both.
    if (missing && !generate) throw invalidFormField(missing, "is required for type KEY_PAIR");
    if (missing && (form.public ?? form.private) !== undefined) {
      throw invalidFormField(missing, `is required when '${missing === "public" ? "private" : "public"}' is given`);
    }
  }
}

/** Projects named by a request, by id and by name (lower-cased: names and ids are case-insensitive). */
interface ProjectRefs {
  field: string;
  ids: string[];
  names: string[];
}

/**
 * The projects a multipart form restricts the secret to: the first of Concord's projectIds,
 * projects (comma-separated, or the field repeated), projectId, project that is sent; a blank list
 * counts as absent, as in Concord.
 */
function formProjects(form: Pick<v.InferOutput<typeof CreateSecretForm>, "projectIds" | "projects" | "projectId" | "project">): ProjectRefs | undefined {
  for (const field of ["projectIds", "projects"] as const) {
    const items = [form[field] ?? []].flat().flatMap((list) => list.split(",")).map((item) => item.trim().toLowerCase()).filter(Boolean);
    if (items.length === 0) continue;
    const schema = field === "projectIds" ? Uuid : EntityName;
    const bad = items.find((item) => !v.is(schema, item));
    if (bad !== undefined) throw invalidFormField(field, `'${bad}' is not a project ${field === "projectIds" ? "id (UUID)" : "name"}`);
    return field === "projectIds" ? { field, ids: items, names: [] } : { field, ids: [], names: items };
  }
  if (form.projectId !== undefined) return { field: "projectId", ids: [form.projectId.toLowerCase()], names: [] };
  if (form.project !== undefined) return { field: "project", ids: [], names: [form.project.toLowerCase()] };
  return undefined;
}

/** The projects of `refs`, each found among the rows the caller may see, or 400 naming the field and the first missing one. */
function resolveProjects(org: OrgRow, refs: ProjectRefs, rows: ProjectRow[], what: string): string[] {
  const seen = rows.filter((p) => canSeeResource(org, p));
  const missing =
    refs.ids.find((id) => !seen.some((p) => p.id === id)) ?? refs.names.find((name) => !seen.some((p) => p.name.toLowerCase() === name));
  if (missing !== undefined) throw invalidField(refs.field, `no project '${missing}' in organization '${org.name}'`, what);
  return [...new Set(seen.map((p) => p.id))];
}

/** The plaintext to seal, by type; a KEY_PAIR without files gets a fresh Ed25519 pair. */
async function secretValue(form: ValueForm & { name: string }): Promise<{ plaintext: Uint8Array; publicKey: string | null }> {
  if (form.type === "DATA") return { plaintext: await formBytes("data", form.data!), publicKey: null };
  if (form.type === "USERNAME_PASSWORD") {
    const plaintext = encoder.encode(JSON.stringify({ username: form.username, password: form.password }));
    if (plaintext.byteLength > VALUE_LIMIT) throw new ApiError("PAYLOAD_TOO_LARGE", `Credentials exceed ${VALUE_LIMIT / KIB} KiB`);
    return { plaintext, publicKey: null };
  }
  if (form.public !== undefined && form.private !== undefined) {
    const publicKey = decoder.decode(await formBytes("public", form.public)).trim();
    const plaintext = await formBytes("private", form.private);
    if (!publicKey) throw invalidFormField("public", "must not be empty");
    if (plaintext.byteLength === 0) throw invalidFormField("private", "must not be empty");
    return { plaintext, publicKey };
  }
  const pair = await generateEd25519KeyPair(form.name);
  return { plaintext: encoder.encode(pair.privateKey), publicKey: pair.publicKey };
}

const noStore = { "Cache-Control": "no-store" };

/** A new value for a secret: its type, and its plaintext when the caller turns out allowed to set it. */
interface NewValue {
  type: (typeof SECRET_TYPES)[number];
  read: () => Promise<{ plaintext: Uint8Array; publicKey: string | null }>;
}

/** A secret update as the JSON (v1) and the multipart (v2) endpoints both describe it. */
interface SecretUpdate {
  /** "request body" or "form fields", for error details */
  what: string;
  id?: string;
  name?: string;
  visibility?: Visibility;
  owner?: { field: string; ref: { id?: string; username?: string; userType?: "LOCAL" | "LDAP" } };
  /** an org to move it to */
  target?: MoveTarget;
  /** restrict it to these projects, or lift its restriction */
  projects?: ProjectRefs | "lift";
  storePassword?: string;
  newStorePassword?: string;
  value?: NewValue;
}

/**
 * Applies an update: WRITER on the secret for its value, password, name, visibility and projects;
 * OWNER to change its owner or to move it. A new value, a new password and a move re-encrypt it
 * (a move under the target org's key); a value behind a store password needs that password first.
 * One read, then one atomic write.
 */
async function updateSecretWith(c: Context<AppEnv>, secretName: string, u: SecretUpdate) {
  const secretsKey = requireSecretsKey(c.env.SECRETS_KEY);
  const db = c.get("db");
  const refs = u.projects === "lift" ? undefined : u.projects;
  const { org, rows } = await batchInOrg(c, (s) => ({
    secret: findSecretCiphertext(db, s, secretName, "update"),
    owner: u.owner ? findUser(db, u.owner.ref) : undefined,
    target: u.target ? findOrg(db, s.caller, u.target.by) : undefined,
    projects: refs ? findProjectsByRefs(db, s, refs.ids, refs.names) : undefined,
    usedBy: u.target || refs ? repositoriesUsing(db, secretName, s.orgId) : undefined,
  }));
  const label = `Secret '${secretName}'`;
  const secret = requireResource(org, rows.secret[0], label, "WRITER");
  if (u.id !== undefined && u.id !== secret.id) throw invalidField("id", `differs from the id of secret '${secret.name}'`, u.what);

  const owner = u.owner ? matchingUser(rows.owner?.[0], u.owner.ref) : undefined;
  // Changing the owner needs OWNER; checked before "no such user", so WRITERs learn nothing about
  // which users exist. Naming the current owner again is no change.
  if (u.owner && owner?.id !== secret.ownerId) requireResource(org, secret, label, "OWNER");
  if (u.owner && !owner) throw invalidField(u.owner.field, "no such user", u.what);
  // Only administrators, its owner and the org's owner read a restricted secret's value: only they
  // may lift or change its restriction, or hand it to a new owner (who could then read it).
  if (secret.restrictedTo.length > 0 && !secret.ownership && (u.projects !== undefined || (owner && owner.id !== secret.ownerId))) {
    throw forbidden(`${label} is restricted to projects: only administrators, its owner and the organization's owner may change its restriction or its owner`);
  }

  const target = moveTarget(org, secret, label, u.target && { ...u.target, row: rows.target?.[0] }, u.what);
  const moved = target.id !== org.id;
  if (moved) {
    if (refs) throw invalidField(refs.field, "cannot be set while moving the secret: move it, then restrict it", u.what);
    if (secret.restrictedTo.length > 0 && u.projects !== "lift") {
      throw new ApiError("CONFLICT", `Secret '${secret.name}' is restricted to projects of '${org.name}': lift the restriction in the same request to move it`);
    }
    // counted, not named: their projects may be ones the caller may not see
    const usedBy = rows.usedBy?.length ?? 0;
    if (usedBy > 0) throw new ApiError("CONFLICT", `Secret '${secret.name}' is used by ${usedBy} repositories of '${org.name}': clear their secret to move it`);
  }
  const projectIds = u.projects === "lift" ? [] : refs ? resolveProjects(org, refs, rows.projects ?? [], u.what) : undefined;
  if (projectIds?.length) {
    const outside = (rows.usedBy ?? []).filter((r) => !projectIds.includes(r.projectId)).length;
    if (outside > 0) {
      throw new ApiError("CONFLICT", `Secret '${secret.name}' is used by ${outside} repositories of other projects: include their projects, or clear their secret first`);
    }
  }

  if (secret.encryptedBy === "SERVER_KEY") {
    const field = u.storePassword !== undefined ? "storePassword" : u.newStorePassword !== undefined ? "newStorePassword" : undefined;
    if (field) throw invalidField(field, "is not accepted: this secret is not protected by a store password", u.what);
  }
  let sealed: SecretChanges = {};
  const reseal = u.value !== undefined || u.newStorePassword !== undefined || moved;
  if (reseal) {
    if (!secret.ciphertext || !secret.iv) throw new Error("secret value not read for a caller allowed to update it");
    // The current value: to re-encrypt it, and behind a store password to prove the password first.
    const current =
      u.value === undefined || secret.encryptedBy === "PASSWORD"
        ? await openSecret(
            secretsKey,
            { orgId: org.id, secretId: secret.id },
            { ciphertext: new Uint8Array(secret.ciphertext), iv: new Uint8Array(secret.iv), salt: secret.salt ? new Uint8Array(secret.salt) : null, encryptedBy: secret.encryptedBy },
            u.storePassword,
          )
        : undefined;
    const next = u.value ? await u.value.read() : { plaintext: current!, publicKey: secret.publicKey };
    const result = await sealSecret(secretsKey, { orgId: target.id, secretId: secret.id }, next.plaintext, u.newStorePassword ?? u.storePassword);
    sealed = {
      type: u.value?.type,
      publicKey: next.publicKey,
      encryptedBy: result.encryptedBy,
      ciphertext: Buffer.from(result.ciphertext),
      iv: Buffer.from(result.iv),
      salt: result.salt ? Buffer.from(result.salt) : null,
    };
  }

  const changes: SecretChanges = { name: u.name, visibility: u.visibility, ownerId: owner?.id, ...sealed };
  const readIv = reseal ? secret.iv : undefined;
  const toOrgId = moved ? target.id : undefined;
  const updated: Record<string, boolean> = {};
  if (u.value) updated.data = true;
  if (u.newStorePassword !== undefined) updated.password = true;
  // before the update, on the same condition: written exactly when the update writes
  const audited = audit(
    c,
    "SECRET",
    "UPDATE",
    { orgId: org.id, secretId: secret.id, name: secret.name, ...(projectIds && { projects: projectIds }) },
    {
      from: sql`FROM ${secrets}`,
      when: stillAsRead(secret.id, org.id, readIv),
      computed: { changes: sql`json_set(${changesOf(secretChangedFields({ ...changes, orgId: toOrgId }))}, '$.updated', json(${JSON.stringify(updated)}))` },
    },
  );
  const write = updateSecret(db, secret.id, org.id, changes, { projectIds, readIv, toOrgId });
  const precondition = ifMatchHolds(c, sql`(SELECT ${secrets.version} FROM ${secrets} WHERE ${secrets.id} = ${secret.id})`);
  const { updated: wrote } = await batch(db, { precondition, audited, ...write }).catch((e) =>
    translateConstraint(e, {
      unique: `Secret '${u.name ?? secret.name}' already exists in '${target.name}'`,
      foreignKey: "A project, the owner or the organization no longer exists",
      refused: `Secret '${secret.name}' came into use by a repository or a restriction meanwhile: read it again and retry`,
    }),
  );
  if (wrote.length === 0) throw new ApiError("CONFLICT", `Secret '${secret.name}' was changed or deleted meanwhile: read it again and retry`);
  return c.json({ ok: true, result: "UPDATED" } as const);
}

/** Lower-cased, without blanks or repeats. */
const refList = (items: string[]) => [...new Set(items.map((item) => item.trim().toLowerCase()).filter(Boolean))];

/** POST /api/v1/org/{org}/secret/{secret} (JSON) as an update. */
function jsonUpdate(body: v.InferOutput<typeof UpdateSecretRequest>): SecretUpdate {
  const ids = refList(body.projectIds ?? []);
  const names = refList(body.projects ?? []);
  const projects: SecretUpdate["projects"] =
    ids.length > 0
      ? { field: "projectIds", ids, names: [] }
      : names.length > 0
        ? { field: "projects", ids: [], names }
        : body.projectId !== undefined
          ? { field: "projectId", ids: [body.projectId.toLowerCase()], names: [] }
          : body.projectName
            ? { field: "projectName", ids: [], names: [body.projectName.toLowerCase()] }
            : // An empty list, or Concord's empty projectName, lifts the restriction.
              body.projectIds || body.projects || body.projectName === ""
              ? "lift"
              : undefined;
  const data = body.data;
  return {
    what: "request body",
    id: body.id?.toLowerCase(),
    name: body.name,
    visibility: body.visibility,
    owner: body.owner && { field: "owner", ref: body.owner },
    target: moveTargetOf(body),
    projects,
    storePassword: body.storePassword,
    newStorePassword: body.newStorePassword,
    value:
      data === undefined
        ? undefined
        : {
            type: "DATA",
            read: async () => {
              const plaintext = Uint8Array.fromBase64(data);
              if (plaintext.byteLength > VALUE_LIMIT) throw new ApiError("PAYLOAD_TOO_LARGE", `'data' exceeds ${VALUE_LIMIT / KIB} KiB`);
              return { plaintext, publicKey: null };
            },
          },
  };
}

/** POST /api/v2/org/{org}/secret/{secret} (multipart, Concord's SecretResourceV2 fields) as an update. */
function formUpdate(form: v.InferOutput<typeof UpdateSecretForm>, secretName: string): SecretUpdate {
  const projects = formProjects(form);
  if (form.removeProjectLink && projects) throw invalidFormField(projects.field, "cannot be combined with removeProjectLink=true");
  const type = form.type;
  if (type === undefined) {
    const field = (["data", "username", "password", "public", "private"] as const).find((f) => form[f] !== undefined);
    if (field) throw invalidFormField("type", `is required with a new value ('${field}')`);
  } else {
    requireValueFields({ ...form, type }, false);
  }
  return {
    what: FORM,
    name: form.name,
    visibility: form.visibility,
    owner: form.ownerId !== undefined ? { field: "ownerId", ref: { id: form.ownerId.toLowerCase() } } : undefined,
    target: moveTargetOf({ orgId: form.orgId, orgName: form.org }, "org"),
    projects: form.removeProjectLink ? "lift" : projects,
    storePassword: form.storePassword,
    newStorePassword: form.newStorePassword,
    value: type === undefined ? undefined : { type, read: () => secretValue({ ...form, type, name: form.name ?? secretName }) },
  };
}


/** Mounted at /api/v1/org/:orgName/secret. */
export const secretsRouter = new Hono<AppEnv>()
  .post("/", valid("form", CreateSecretForm), async (c) => {
    const form = c.req.valid("form");
    const secretsKey = requireSecretsKey(c.env.SECRETS_KEY);
    requireValueFields(form, true);
    const restriction = formProjects(form);

    const db = c.get("db");
    const { caller, org: visibleOrg, rows } = await batchInOrg(c, (s) => ({
      projects: restriction ? findProjectsByRefs(db, s, restriction.ids, restriction.names) : undefined,
    }));
    const org = requireOrgAccess(visibleOrg, "create secrets");
    // A project the caller may not see is answered as one that does not exist.
    const projectIds = restriction ? resolveProjects(org, restriction, rows.projects ?? [], FORM) : [];

    // Only now, with the caller known, the costly part: key generation, PBKDF2, encryption.
    const { plaintext, publicKey } = await secretValue(form);
    const generatedPassword = form.storePassword === undefined && form.generatePassword ? randomBase64Url(18) : undefined;
    const storePassword = form.storePassword ?? generatedPassword;
    const id = crypto.randomUUID();
    const sealed = await sealSecret(secretsKey, { orgId: org.id, secretId: id }, plaintext, storePassword);
    const secret = {
      id,
      orgId: org.id,
      name: form.name,
      type: form.type,
      visibility: form.visibility ?? "PUBLIC",
      ownerId: caller.id,
      encryptedBy: sealed.encryptedBy,
      ciphertext: Buffer.from(sealed.ciphertext),
      iv: Buffer.from(sealed.iv),
      salt: sealed.salt ? Buffer.from(sealed.salt) : null,
      publicKey,
    };
    await batch(db, {
      ...insertSecret(db, secret, projectIds),
      audited: audit(c, "SECRET", "CREATE", { orgId: org.id, secretId: id, type: form.type, storeType: "concord", name: form.name, ...(projectIds.length && { projects: projectIds }) }),
    }).catch((e) =>
      translateConstraint(e, {
        unique: `Secret '${form.name}' already exists in '${org.name}'`,
        foreignKey: "The organization or project no longer exists",
      }),
    );
    return c.json(
      {
        ok: true,
        result: "CREATED",
        id,
        ...(publicKey ? { publicKey } : {}),
        // Concord's generatePassword: the store password exists only in this answer.
        ...(generatedPassword ? { password: generatedPassword } : {}),
      } as const,
      200,
      noStore,
    );
  })

  .get("/", valid("query", ListQuery), async (c) => {
    const q = c.req.valid("query");
    const { org, rows } = await batchInOrg(c, (s) => listSecrets(c.get("db"), s, q));
    return c.json(pageOf(c, q, mergeChildren(rows, q), (s) => s.name).map((s) => toSecretEntry(org, s)));
  })

  .get("/:secretName", async (c) => {
    const { secretName } = c.req.param();
    const { org, rows } = await batchInOrg(c, (s) => ({ secret: findSecret(c.get("db"), s, secretName) }));
    const secret = requireResource(org, rows.secret[0], `Secret '${secretName}'`, "SEE");
    c.set("version", secret.version);
    return c.json(toSecretEntry(org, secret));
  })

  .get("/:secretName/public", async (c) => {
    const { secretName } = c.req.param();
    const { org, rows } = await batchInOrg(c, (s) => ({ secret: findSecret(c.get("db"), s, secretName) }));
    const secret = requireResource(org, rows.secret[0], `Secret '${secretName}'`, "SEE");
    if (secret.type !== "KEY_PAIR" || !secret.publicKey) {
      throw new ApiError("BAD_REQUEST", `Secret '${secret.name}' is not a KEY_PAIR`);
    }
    return c.json({ ok: true, id: secret.id, name: secret.name, publicKey: secret.publicKey });
  })

  .post("/:secretName/data", valid("form", ReadSecretForm), async (c) => {
    const { secretName } = c.req.param();
    const { storePassword } = c.req.valid("form");
    const secretsKey = requireSecretsKey(c.env.SECRETS_KEY);
    const { org, rows } = await batchInOrg(c, (s) => ({ secret: findSecretCiphertext(c.get("db"), s, secretName, "read") }));
    // Decrypting needs READER on the secret: for a PUBLIC one, membership of the org (never an outsider).
    const secret = requireResource(org, rows.secret[0], `Secret '${secretName}'`, "READER");
    // Concord lets only processes of its projects use a restricted secret; through this API, only
    // administrators, its owner and the org's owner read it.
    if (secret.restrictedTo.length > 0 && !secret.ownership) {
      throw forbidden(`Secret '${secret.name}' is restricted to projects: only administrators, its owner and the organization's owner may read its value`);
    }
    // The value is read exactly for the callers the two checks above let through (db/secrets.ts).
    if (secret.ciphertext === null || secret.iv === null) throw new Error("secret value not read for a caller allowed to decrypt it");
    const plaintext = await openSecret(
      secretsKey,
      { orgId: org.id, secretId: secret.id },
      {
        ciphertext: new Uint8Array(secret.ciphertext),
        iv: new Uint8Array(secret.iv),
        salt: secret.salt ? new Uint8Array(secret.salt) : null,
        encryptedBy: secret.encryptedBy,
      },
      storePassword,
    );
    // Every read of a value is recorded (Concord's SECRET ACCESS), once it is known to succeed.
    const scope = { name: "apiAccess" };
    await batch(c.get("db"), { audited: audit(c, "SECRET", "ACCESS", { orgId: org.id, secretId: secret.id, name: secret.name, type: secret.type, scope }) });
    if (secret.type === "USERNAME_PASSWORD") {
      return c.json(JSON.parse(decoder.decode(plaintext)) as { username: string; password: string }, 200, noStore);
    }
    return c.body(plaintext, 200, { "Content-Type": "application/octet-stream", ...noStore });
  })

  .post("/:secretName", takesIfMatch, valid("json", UpdateSecretRequest), (c) => updateSecretWith(c, c.req.param("secretName"), jsonUpdate(c.req.valid("json"))))

  .delete("/:secretName", async (c) => {
    const { secretName } = c.req.param();
    const db = c.get("db");
    const { org, rows } = await batchInOrg(c, (s) => ({ secret: findSecret(db, s, secretName) }));
    const secret = requireResource(org, rows.secret[0], `Secret '${secretName}'`, "OWNER");
    await batch(db, {
      audited: audit(c, "SECRET", "DELETE", { orgId: org.id, secretId: secret.id, name: secret.name }, whileRowExists(secrets.id, secret.id)),
      deleted: deleteSecret(db, secret.id),
    });
    return c.json({ ok: true, result: "DELETED" } as const);
  });

/** Mounted at /api/v2/org/:orgName/secret: Concord's multipart update. */
export const secretsV2Router = new Hono<AppEnv>().post("/:secretName", takesIfMatch, valid("form", UpdateSecretForm), (c) => {
  const { secretName } = c.req.param();
  return updateSecretWith(c, secretName, formUpdate(c.req.valid("form"), secretName));
});
