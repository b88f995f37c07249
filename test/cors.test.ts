/**
 * CORS (middleware/cors.ts): off unless CORS_ORIGINS names origins; then the named origins get
 * CORS headers, a preflight is answered without an API key, and other origins get none.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/index";
import { ADMIN_KEY, call } from "./helpers";

const CONSOLE = "https://console.example.com";

/** The real app with CORS_ORIGINS set as a deployment would set it. */
async function send(request: Request, origins = `${CONSOLE}, https://other.example.com`) {
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, CORS_ORIGINS: origins }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("CORS", () => {
  it("is off by default: no CORS headers", async () => {
    const res = await call("GET", "/api/v1/org?limit=1", { headers: { Origin: CONSOLE } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("answers a preflight from an allowed origin without an API key", async () => {
    const res = await send(
      new Request("http://api.test/api/v1/org", {
        method: "OPTIONS",
        headers: { Origin: CONSOLE, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type, if-match, x-d1-bookmark" },
      }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(CONSOLE);
    const allowed = res.headers.get("Access-Control-Allow-Headers")!.toLowerCase();
    for (const h of ["authorization", "content-type", "if-none-match", "if-match", "x-d1-bookmark"]) expect(allowed).toContain(h);
    expect(res.headers.get("Access-Control-Allow-Methods")).toContain("DELETE");
  });

  it("an allowed origin's request gets its origin back and the exposed headers", async () => {
    const res = await send(new Request("http://api.test/api/v1/org?limit=1", { headers: { Origin: CONSOLE, Authorization: ADMIN_KEY } }));
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(CONSOLE);
    const exposed = res.headers.get("Access-Control-Expose-Headers")!.toLowerCase();
    for (const h of ["x-request-id", "link", "etag", "x-d1-bookmark"]) expect(exposed).toContain(h);
    // an error answer carries them too, so the browser lets the page read it
    const refused = await send(new Request("http://api.test/api/v1/org", { headers: { Origin: CONSOLE } }));
    expect(refused.status).toBe(401);
    expect(refused.headers.get("Access-Control-Allow-Origin")).toBe(CONSOLE);
  });

  it("another origin gets no CORS headers", async () => {
    const res = await send(new Request("http://api.test/api/v1/org?limit=1", { headers: { Origin: "https://evil.example", Authorization: ADMIN_KEY } }));
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const preflight = await send(new Request("http://api.test/api/v1/org", { method: "OPTIONS", headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET" } }));
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("a 304 keeps the CORS headers, so the page can read it", async () => {
    const headers = { Origin: CONSOLE, Authorization: ADMIN_KEY };
    const first = await send(new Request("http://api.test/api/v1/org?limit=1", { headers }));
    const etag = first.headers.get("ETag")!;
    const again = await send(new Request("http://api.test/api/v1/org?limit=1", { headers: { ...headers, "If-None-Match": etag } }));
    expect(again.status).toBe(304);
    expect(again.headers.get("Access-Control-Allow-Origin")).toBe(CONSOLE);
    expect(again.headers.get("Access-Control-Expose-Headers")!.toLowerCase()).toContain("etag");
  });
});
