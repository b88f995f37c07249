// What the test configuration (vitest.config.ts) binds beyond the Worker's own Env
// (worker-configuration.d.ts, generated from wrangler.jsonc).
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** small limiters for test/rate-limit.test.ts */
    TEST_IP_RATE_LIMIT: RateLimit;
    TEST_KEY_RATE_LIMIT: RateLimit;
  }
}
