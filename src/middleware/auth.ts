import { createMiddleware } from "hono/factory";
import { requireCaller } from "../lib/access";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";
import { sha256, toHex } from "../lib/crypto";

/**
 * Reads the presented API key (the `Credential` of env.ts). The Worker's ADMIN_API_KEY is recognised
 * here without touching D1; any other key is only hashed: it is looked up in the same D1 batch as
 * the request's own queries (lib/access.ts), so authentication costs no round trip of its own.
 */
const MAX_KEY_LENGTH = 512;

export function parseAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const key = parseAuthorization(c.req.header("Authorization"));
  if (!key || key.length > MAX_KEY_LENGTH) {
    throw new ApiError("UNAUTHORIZED", "An API key is required in the Authorization header");
  }
  // One digest of the presented key serves both checks: compared in constant time with the admin
  // key's digest (computed once per isolate), and as the hash the key table is searched by.
  const digest = await sha256(key);
  const adminDigest = await adminKeyDigest(c.env.ADMIN_API_KEY);
  if (adminDigest && crypto.subtle.timingSafeEqual(digest, adminDigest)) {
    c.set("credential", { kind: "admin" });
  } else {
    c.set("credential", { kind: "key", keyHash: toHex(digest) });
  }
  await next();
  // A request refused before its key was looked up (bad body, bad query, too large, no such route,
  // a rule checked before any read): an unknown key must still be told 401 first, so it learns
  // nothing else about the API. This error path spends the one round trip of the key lookup.
  if (c.res.status >= 400 && c.res.status !== 401 && !c.get("caller") && c.get("db")) {
    await requireCaller(c).catch((err: unknown) => {
      // Any other failure of the lookup itself leaves the request's own answer in place.
      if (err instanceof ApiError && err.code === "UNAUTHORIZED") throw err;
    });
  }
});

/** The presented value is the Worker's ADMIN_API_KEY (compared as digests, in constant time). */
export async function isAdminKey(adminKey: string | undefined, key: string): Promise<boolean> {
  const adminDigest = await adminKeyDigest(adminKey);
  return adminDigest !== undefined && crypto.subtle.timingSafeEqual(await sha256(key), adminDigest);
}

let cachedAdminDigest: { key: string; digest: Promise<ArrayBuffer> } | undefined;
function adminKeyDigest(adminKey: string | undefined): Promise<ArrayBuffer> | undefined {
  if (!adminKey) return undefined;
  if (cachedAdminDigest?.key !== adminKey) cachedAdminDigest = { key: adminKey, digest: sha256(adminKey) };
  return cachedAdminDigest.digest;
}
