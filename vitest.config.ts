import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));

// wrangler reads .dev.vars (made by `npm run dev`) for each test file and says so once per file; the
// bindings below override both of its secrets, so that line is noise here. Warnings and errors still show.
process.env.WRANGLER_LOG ??= "warn";

export default defineConfig({
  plugins: [
    cloudflareTest({
      // The app with D1 round trips counted (test/worker.ts); production's entry is src/index.ts.
      main: "./test/worker.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
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
  },
});
