import { Hono } from "hono/tiny";
import * as v from "valibot";
import { batch } from "../db/client";
import { mergeChildren } from "../db/orgs";
import { findProject } from "../db/projects";
import { deleteSecret, findSecret, findSecretCiphertext, insertSecret, listSecrets, type SecretRow } from "../db/secrets";
import type { AppEnv } from "../env";
import { batchInOrg, canSeeResource, requireOrgAccess, requireResource, type OrgAccess } from "../lib/access";
import { ApiError, forbidden, invalidField, translateConstraint } from "../lib/errors";
import { openSecret, requireSecretsKey, sealSecret } from "../lib/secret-crypto";
import { generateEd25519KeyPair } from "../lib/ssh-keys";
import { randomBase64Url } from "../lib/crypto";
import { EntityName, ListQuery, Uuid } from "../schemas/common";
import { valid } from "../lib/validate";
import { KIB, VALUE_LIMIT } from "../middleware/body-limit";
import { CreateSecretForm, ReadSecretForm, type SecretEntry } from "../schemas/secrets";
import { pageOf } from "../lib/paging";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const toSecretEntry = (org: OrgAccess, s: Omit<SecretRow, "level">): SecretEntry => ({
  id: s.id,
  name: s.name,
  orgName: org.name,
  type: s.type,
  visibility: s.visibility,
  // A PRIVATE project's name only for callers who may see that project.
  ...(s.projectName !== null && s.projectVisible ? { projectName: s.projectName } : {}),
  encryptedBy: s.encryptedBy,
});

const invalidFormField = (id: string, message: string) => invalidField(id, message, "form fields");

/** A text field or an uploaded file, as bytes, at most 512 KiB. */
async function formBytes(field: string, value: string | File): Promise<Uint8Array> {
  const bytes = typeof value === "string" ? encoder.encode(value) : new Uint8Array(await value.arrayBuffer());
  if (bytes.byteLength > VALUE_LIMIT) {
    throw new ApiError("PAYLOAD_TOO_LARGE", `'${field}' exceeds ${VALUE_LIMIT / KIB} KiB`);
  }
  return bytes;
}

type CreateSecretFields = v.InferOutput<typeof CreateSecretForm>;

/** The fields each type needs, checked before anything is read or computed. */
function requireValueFields(form: CreateSecretFields): void {
  if (form.type === "DATA" && form.data === undefined) throw invalidFormField("data", "is required for type DATA");
  if (form.type === "USERNAME_PASSWORD") {
    if (form.username === undefined) throw invalidFormField("username", "is required for type USERNAME_PASSWORD");
    if (form.password === undefined) throw invalidFormField("password", "is required for type USERNAME_PASSWORD");
  }
  if (form.type === "KEY_PAIR" && (form.public !== undefined) !== (form.private !== undefined)) {
    const missing = form.public === undefined ? "public" : "private";
    throw invalidFormField(missing, `is required when '${missing === "public" ? "private" : "public"}' is given`);
  }
}

/**
 * The one project a secret is restricted to: the first of Concord's projectIds, projects (both
 * comma-separated lists), projectId, project that is sent. Several projects are refused until
 * multi-project restrictions exist (they would otherwise be silently narrowed to one).
 */
function projectRestriction(
  form: CreateSecretFields,
): { field: string; by: { id: string } | { name: string }; label: string } | undefined {
  const lists = [
    ["projectIds", form.projectIds, "id"],
    ["projects", form.projects, "name"],
  ] as const;
  for (const [field, list, kind] of lists) {
    if (list === undefined) continue;
    // Names and ids are case-insensitive: "a,A" names one project.
    const items = [...new Set(list.split(",").map((item) => item.trim().toLowerCase()).filter(Boolean))];
    if (items.length === 0) continue; // blank counts as absent, as in Concord
    if (items.length > 1) {
      throw invalidFormField(field, "is not supported with more than one project: a secret is restricted to one project here");
    }
    const item = items[0]!;
    const ok = v.is(kind === "id" ? Uuid : EntityName, item);
    if (!ok) throw invalidFormField(field, kind === "id" ? "must be a project id (UUID)" : "must be a project name");
    return { field, by: kind === "id" ? { id: item } : { name: item }, label: `'${item}'` };
  }
  if (form.projectId !== undefined) return { field: "projectId", by: { id: form.projectId.toLowerCase() }, label: form.projectId };
  if (form.project !== undefined) return { field: "project", by: { name: form.project }, label: `'${form.project}'` };
  return undefined;
}

/** The plaintext to seal, by type; a KEY_PAIR without files gets a fresh Ed25519 pair. */
async function secretValue(form: CreateSecretFields): Promise<{ plaintext: Uint8Array; publicKey: string | null }> {
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

/** Mounted at /api/v1/org/:orgName/secret. */
export const secretsRouter = new Hono<AppEnv>()
  .post("/", valid("form", CreateSecretForm), async (c) => {
    const form = c.req.valid("form");
    const secretsKey = requireSecretsKey(c.env.SECRETS_KEY);
    requireValueFields(form);

    const restriction = projectRestriction(form);

    const db = c.get("db");
    const { caller, org: visibleOrg, rows } = await batchInOrg(c, (s) => ({
      project: restriction ? findProject(db, s, restriction.by) : undefined,
    }));
    const org = requireOrgAccess(visibleOrg, "create secrets");
    // A project the caller may not see is answered as one that does not exist.
    const project = rows.project?.[0] && canSeeResource(org, rows.project[0]) ? rows.project[0] : undefined;
    if (restriction && !project) {
      throw invalidFormField(restriction.field, `no project ${restriction.label} in organization '${org.name}'`);
    }

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
      projectId: project?.id ?? null,
      ownerId: caller.id,
      encryptedBy: sealed.encryptedBy,
      ciphertext: Buffer.from(sealed.ciphertext),
      iv: Buffer.from(sealed.iv),
      salt: sealed.salt ? Buffer.from(sealed.salt) : null,
      publicKey,
    };
    await batch(db, { inserted: insertSecret(db, secret) }).catch((e) =>
      translateConstraint(e, {
        unique: `Secret '${form.name}' already exists in '${org.name}'`,
        foreignKey: "The organization or project no longer exists",
      }),
    );
    return c.json(
      {
        ok: true,
        id,
        result: "CREATED",
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
    return c.json(toSecretEntry(org, requireResource(org, rows.secret[0], `Secret '${secretName}'`, "SEE")));
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
    const { org, rows } = await batchInOrg(c, (s) => ({ secret: findSecretCiphertext(c.get("db"), s, secretName) }));
    // Decrypting needs READER on the secret: for a PUBLIC one, membership of the org (never an outsider).
    const secret = requireResource(org, rows.secret[0], `Secret '${secretName}'`, "READER");
    // Concord lets only processes of its projects use a restricted secret; through this API, only
    // administrators, its owner and the org's owner read it.
    if (secret.projectId !== null && !secret.ownership) {
      throw forbidden(`Secret '${secret.name}' is restricted to a project: only administrators, its owner and the organization's owner may read its value`);
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
    if (secret.type === "USERNAME_PASSWORD") {
      return c.json(JSON.parse(decoder.decode(plaintext)) as { username: string; password: string }, 200, noStore);
    }
    return c.body(plaintext, 200, { "Content-Type": "application/octet-stream", ...noStore });
  })

  .delete("/:secretName", async (c) => {
    const { secretName } = c.req.param();
    const db = c.get("db");
    const { org, rows } = await batchInOrg(c, (s) => ({ secret: findSecret(db, s, secretName) }));
    const secret = requireResource(org, rows.secret[0], `Secret '${secretName}'`, "OWNER");
    await batch(db, { deleted: deleteSecret(db, secret.id) });
    return c.json({ ok: true, result: "DELETED" } as const);
  });
