import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { batchInOrg } from "../db/caller";
import { findProject } from "../db/projects";
import { secrets } from "../db/schema";
import { findSecret, findSecretCiphertext, listSecrets, type SecretRow } from "../db/secrets";
import type { AppEnv } from "../env";
import { requireOrgAccess, requireReadableChild, type OrgAccess } from "../lib/access";
import { ApiError, invalidField, translateConstraint } from "../lib/errors";
import { openSecret, requireSecretsKey, sealSecret } from "../lib/secret-crypto";
import { generateEd25519KeyPair } from "../lib/ssh-keys";
import { valid } from "../lib/validate";
import { KIB, VALUE_LIMIT } from "../middleware/body-limit";
import { CreateSecretForm, ReadSecretForm, type SecretEntry } from "../schemas/secrets";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const toSecretEntry = (org: OrgAccess, s: SecretRow): SecretEntry => ({
  id: s.id,
  name: s.name,
  orgName: org.name,
  type: s.type,
  visibility: s.visibility,
  ...(s.projectName !== null ? { projectName: s.projectName } : {}),
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

const noStore = { "Cache-Control": "no-store" };

/** Mounted at /api/v1/org/:orgName/secret. */
export const secretsRouter = new Hono<AppEnv>()
  .post("/", valid("form", CreateSecretForm), async (c) => {
    const form = c.req.valid("form");
    const secretsKey = requireSecretsKey(c.env.SECRETS_KEY);

    // The plaintext to seal, by type; a KEY_PAIR without files gets a fresh Ed25519 pair.
    let plaintext: Uint8Array;
    let publicKey: string | null = null;
    if (form.type === "DATA") {
      if (form.data === undefined) throw invalidFormField("data", "is required for type DATA");
      plaintext = await formBytes("data", form.data);
    } else if (form.type === "USERNAME_PASSWORD") {
      if (form.username === undefined) throw invalidFormField("username", "is required for type USERNAME_PASSWORD");
      if (form.password === undefined) throw invalidFormField("password", "is required for type USERNAME_PASSWORD");
      plaintext = encoder.encode(JSON.stringify({ username: form.username, password: form.password }));
      if (plaintext.byteLength > VALUE_LIMIT) throw new ApiError("PAYLOAD_TOO_LARGE", `Credentials exceed ${VALUE_LIMIT / KIB} KiB`);
    } else if (form.public !== undefined || form.private !== undefined) {
      if (form.public === undefined) throw invalidFormField("public", "is required when 'private' is given");
      if (form.private === undefined) throw invalidFormField("private", "is required when 'public' is given");
      publicKey = decoder.decode(await formBytes("public", form.public)).trim();
      plaintext = await formBytes("private", form.private);
      if (!publicKey) throw invalidFormField("public", "must not be empty");
      if (plaintext.byteLength === 0) throw invalidFormField("private", "must not be empty");
    } else {
      const pair = await generateEd25519KeyPair(form.name);
      publicKey = pair.publicKey;
      plaintext = encoder.encode(pair.privateKey);
    }

    const db = c.get("db");
    const [caller, visibleOrg, [projectRows]] = await batchInOrg(c, () => [
      ...(form.project !== undefined ? [findProject(db, { name: form.project })] : []),
    ]);
    const org = requireOrgAccess(visibleOrg, "create secrets");
    const project = projectRows?.[0];
    if (form.project !== undefined && !project) {
      throw invalidFormField("project", `no project '${form.project}' in organization '${org.name}'`);
    }

    const id = crypto.randomUUID();
    const sealed = await sealSecret(secretsKey, { orgId: org.id, secretId: id }, plaintext, form.storePassword);
    await db
      .insert(secrets)
      .values({
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
      })
      .catch((e) =>
        translateConstraint(e, {
          unique: `Secret '${form.name}' already exists in '${org.name}'`,
          foreignKey: "The organization or project no longer exists",
        }),
      );
    return c.json({ ok: true, id, result: "CREATED", ...(publicKey ? { publicKey } : {}) } as const, 200, noStore);
  })

  .get("/", async (c) => {
    const [, org, [rows]] = await batchInOrg(c, (ref) => [listSecrets(c.get("db"), ref)]);
    return c.json(rows.map((s) => toSecretEntry(org, s)));
  })

  .get("/:secretName", async (c) => {
    const { secretName } = c.req.param();
    const [, org, [rows]] = await batchInOrg(c, () => [findSecret(c.get("db"), secretName)]);
    return c.json(toSecretEntry(org, requireReadableChild(org, rows[0], `Secret '${secretName}'`)));
  })

  .get("/:secretName/public", async (c) => {
    const { secretName } = c.req.param();
    const [, org, [rows]] = await batchInOrg(c, () => [findSecret(c.get("db"), secretName)]);
    const secret = requireReadableChild(org, rows[0], `Secret '${secretName}'`);
    if (secret.type !== "KEY_PAIR" || !secret.publicKey) {
      throw new ApiError("BAD_REQUEST", `Secret '${secret.name}' is not a KEY_PAIR`);
    }
    return c.json({ ok: true, id: secret.id, name: secret.name, publicKey: secret.publicKey });
  })

  .post("/:secretName/data", valid("form", ReadSecretForm), async (c) => {
    const { secretName } = c.req.param();
    const { storePassword } = c.req.valid("form");
    const secretsKey = requireSecretsKey(c.env.SECRETS_KEY);
    const [, visibleOrg, [rows]] = await batchInOrg(c, () => [
      findSecretCiphertext(c.get("db"), secretName),
    ]);
    const secret = requireReadableChild(visibleOrg, rows[0], `Secret '${secretName}'`);
    const org = requireOrgAccess(visibleOrg, "read secret data");
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
    const [, visibleOrg, [rows]] = await batchInOrg(c, () => [findSecret(db, secretName)]);
    const secret = requireReadableChild(visibleOrg, rows[0], `Secret '${secretName}'`);
    requireOrgAccess(visibleOrg, "delete secrets");
    // Repositories that used it keep existing without a secret (ON DELETE SET NULL).
    await db.delete(secrets).where(eq(secrets.id, secret.id));
    return c.json({ ok: true, result: "DELETED" } as const);
  });
