/**
 * Rate limits (middleware/rate-limit.ts) with the Workers Rate Limiting binding, run by miniflare
 * with small limits (vitest.config.ts TEST_ limiters: 3 per 60 s): per client IP before
 * authentication, per API key after it; over a limit 429 RATE_LIMITED with Retry-After.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/index";
import { addressKey } from "../src/middleware/rate-limit";
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
    // an address of its own each run (the limiter's window outlives a quick rerun)
    const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 3; i++) expect((await send("/api/v1/org?limit=1", { "CF-Connecting-IP": ip, Authorization: "no-such-key-0123456789" })).status).toBe(401);
    const refused = await send("/api/v1/org?limit=1", { "CF-Connecting-IP": ip, Authorization: ADMIN_KEY });
    expectError(refused, 429, "RATE_LIMITED");
    expect(refused.headers.get("Retry-After")).toBe("60");
    // refused before the key was looked up: the answer does not depend on the key
    expect(refused.body.message).toMatch(/from this address/);
    expect((await send("/api/v1/org?limit=1", { "CF-Connecting-IP": "192.0.2.1", Authorization: ADMIN_KEY })).status).toBe(200);
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

  it("an IPv6 client is limited by its /64 network, so rotating addresses inside it does not help", async () => {
    expect(addressKey("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:DB8:0001:0002::7")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("198.51.100.7")).toBe("198.51.100.7");
    const net = `2001:db8:${Math.floor(Math.random() * 65535).toString(16)}:1`;
    // unknown keys: each its own key bucket, so only the address limit can refuse
    const key = () => `no-such-key-${crypto.randomUUID()}`;
    for (let i = 1; i <= 3; i++) expect((await send("/api/v1/org?limit=1", { "CF-Connecting-IP": `${net}::${i}`, Authorization: key() })).status).toBe(401);
    const refused = await send("/api/v1/org?limit=1", { "CF-Connecting-IP": `${net}:0:0:0:99`, Authorization: key() });
    expectError(refused, 429, "RATE_LIMITED");
    expect(refused.body.message).toMatch(/from this address/);
  });
});
