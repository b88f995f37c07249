/**
 * Rate limits (middleware/rate-limit.ts) with the Workers Rate Limiting binding, run by miniflare
 * with small limits (vitest.config.ts TEST_ limiters: 3 per 60 s): per client IP before
 * authentication, per API key after it; over a limit 429 RATE_LIMITED with Retry-After.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/index";
import { ADMIN_KEY, createUser, expectError, type ApiResponse } from "./helpers";

/** The real app with the small limiters bound as production binds its own. */
async function send(path: string, headers: Record<string, string>): Promise<ApiResponse> {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://api.test${path}`, { headers }),
    { ...env, IP_RATE_LIMIT: env.TEST_IP_RATE_LIMIT, KEY_RATE_LIMIT: env.TEST_KEY_RATE_LIMIT },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : text, roundTrips: NaN, boundLimits: NaN, rowsRead: NaN, rowsWritten: NaN };
}

describe("rate limits", () => {
  it("per client IP, before authentication: the 4th request in a minute from one address is 429, another address is not", async () => {
    const ip = "203.0.113.7";
    for (let i = 0; i < 3; i++) expect((await send("/api/v1/org?limit=1", { "CF-Connecting-IP": ip, Authorization: "no-such-key-0123456789" })).status).toBe(401);
    const refused = await send("/api/v1/org?limit=1", { "CF-Connecting-IP": ip, Authorization: ADMIN_KEY });
    expectError(refused, 429, "RATE_LIMITED");
    expect(refused.headers.get("Retry-After")).toBe("60");
    // refused before the key was looked up: the answer does not depend on the key
    expect(refused.body.message).toMatch(/from this address/);
    expect((await send("/api/v1/org?limit=1", { "CF-Connecting-IP": "203.0.113.8", Authorization: ADMIN_KEY })).status).toBe(200);
  });

  it("per API key, after authentication: one key's 4th request is 429 from any address, another key's is not", async () => {
    const [a, b] = [await createUser(), await createUser()];
    for (let i = 0; i < 3; i++) expect((await send("/api/v1/org?limit=1", { "CF-Connecting-IP": `198.51.100.${i}`, Authorization: a.key })).status).toBe(200);
    const refused = await send("/api/v1/org?limit=1", { "CF-Connecting-IP": "198.51.100.9", Authorization: a.key });
    expectError(refused, 429, "RATE_LIMITED");
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(refused.body.message).toMatch(/with this API key/);
    expect((await send("/api/v1/org?limit=1", { "CF-Connecting-IP": "198.51.100.10", Authorization: b.key })).status).toBe(200);
  });
});
