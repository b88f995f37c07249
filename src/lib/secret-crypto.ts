/**
 * Encryption of stored secrets: AES-256-GCM, a fresh random 96-bit IV per secret, and a key derived
 * with HKDF-SHA-256 from the Worker secret SECRETS_KEY (per organization). With a store password,
 * a PBKDF2-SHA-256 key from that password (random salt per secret) is mixed into the HKDF input as
 * well, so neither SECRETS_KEY alone nor the password alone decrypts the value. The org and secret
 * ids are bound as additional data: a ciphertext copied onto another row does not decrypt.
 */
import { ApiError } from "./errors";

const encoder = new TextEncoder();
const HKDF_SALT = encoder.encode("concord-org-api/secrets/v1");
/** workerd's upper bound for PBKDF2 iterations. */
const PBKDF2_ITERATIONS = 100_000;
export const MIN_SECRETS_KEY_LENGTH = 32;

export interface SealedSecret {
  ciphertext: Uint8Array;
  iv: Uint8Array;
  salt: Uint8Array | null;
  encryptedBy: "SERVER_KEY" | "PASSWORD";
}

/** The Worker's SECRETS_KEY, or a 500 that names the missing configuration. */
export function requireSecretsKey(secretsKey: string | undefined): string {
  if (!secretsKey || secretsKey.length < MIN_SECRETS_KEY_LENGTH) {
    throw new ApiError(
      "INTERNAL",
      `Secret storage is not configured: the SECRETS_KEY Worker secret is ${secretsKey ? `shorter than ${MIN_SECRETS_KEY_LENGTH} characters` : "missing"}`,
    );
  }
  return secretsKey;
}

async function passwordBits(password: string, salt: Uint8Array): Promise<ArrayBuffer> {
  const base = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: PBKDF2_ITERATIONS }, base, 256);
}

async function deriveKey(secretsKey: string, orgId: string, password?: { value: string; salt: Uint8Array }) {
  const serverPart = encoder.encode(secretsKey);
  let ikm: Uint8Array = serverPart;
  if (password) {
    const pwPart = new Uint8Array(await passwordBits(password.value, password.salt));
    ikm = new Uint8Array(serverPart.length + pwPart.length);
    ikm.set(serverPart);
    ikm.set(pwPart, serverPart.length);
  }
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: HKDF_SALT, info: encoder.encode(`org:${orgId}`) },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

const additionalData = (orgId: string, secretId: string) => encoder.encode(`${orgId}/${secretId}`);

export async function sealSecret(
  secretsKey: string,
  ids: { orgId: string; secretId: string },
  plaintext: Uint8Array,
  storePassword?: string,
): Promise<SealedSecret> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const salt = storePassword !== undefined ? crypto.getRandomValues(new Uint8Array(16)) : null;
  const key = await deriveKey(secretsKey, ids.orgId, salt ? { value: storePassword!, salt } : undefined);
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: additionalData(ids.orgId, ids.secretId) }, key, plaintext),
  );
  return { ciphertext, iv, salt, encryptedBy: salt ? "PASSWORD" : "SERVER_KEY" };
}

/**
 * Decrypts, or answers: 400 for a missing or wrong store password; 500 when a value stored without
 * password does not decrypt (SECRETS_KEY changed since it was stored, or the row was tampered with).
 */
export async function openSecret(
  secretsKey: string,
  ids: { orgId: string; secretId: string },
  sealed: { ciphertext: Uint8Array; iv: Uint8Array; salt: Uint8Array | null; encryptedBy: "SERVER_KEY" | "PASSWORD" },
  storePassword: string | undefined,
): Promise<Uint8Array<ArrayBuffer>> {
  if (sealed.encryptedBy === "PASSWORD" && !storePassword) {
    throw new ApiError("BAD_REQUEST", "This secret is protected by a store password: send it as the storePassword field");
  }
  const key = await deriveKey(
    secretsKey,
    ids.orgId,
    sealed.encryptedBy === "PASSWORD" ? { value: storePassword!, salt: sealed.salt ?? new Uint8Array() } : undefined,
  );
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: sealed.iv, additionalData: additionalData(ids.orgId, ids.secretId) },
        key,
        sealed.ciphertext,
      ),
    );
  } catch {
    if (sealed.encryptedBy === "PASSWORD") throw new ApiError("BAD_REQUEST", "Invalid store password");
    throw new ApiError("INTERNAL", "The secret cannot be decrypted with the current SECRETS_KEY");
  }
}
