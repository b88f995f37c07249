import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));

// wrangler reads the config and .dev.vars for each test file and says so once per file (which
// secrets it read, that `secrets` in wrangler.jsonc is experimental); the bindings below override
// both secrets, so that is noise here. wrangler's errors still show; `npm run dev` shows its warnings.
process.env.WRANGLER_LOG ??= "error";

export default defineConfig({
  plugins: [
    cloudflareTest({
      // The app with D1 round trips counted (test/worker.ts); production's entry is src/index.ts.
      main: "./test/worker.ts",
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: {
        // the suite's thousands of requests share one key: production's limits (wrangler.jsonc) would
        // refuse them; test/rate-limit.test.ts uses the small TEST_ limiters instead
        ratelimits: {
          IP_RATE_LIMIT: { simple: { limit: 1_000_000, period: 60 } },
          KEY_RATE_LIMIT: { simple: { limit: 1_000_000, period: 60 } },
          TEST_IP_RATE_LIMIT: { simple: { limit: 3, period: 60 } },
          TEST_KEY_RATE_LIMIT: { simple: { limit: 3, period: 60 } },
        },
        bindings: {
          TEST_MIGRATIONS: migrations,
          ADMIN_API_KEY: "test-admin-key-0123456789",
          SECRETS_KEY: "test-secrets-key-0123456789abcdef",
        },
      },
    }),
  ],
  test: {
    setupFiles: ["./test/apply-migrations.ts"],
    // Tests make hundreds of requests each; on a loaded 2-core machine 5 s (the default) is too tight.
    testTimeout: 30_000,
    // Every request logs its line (middleware/log.ts): thousands here. Tests that check it spy on it.
    onConsoleLog: (log) => !log.includes('"msg":"request"'),
  },
});
