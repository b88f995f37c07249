declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    ADMIN_API_KEY: string;
    SECRETS_KEY: string;
    AUDIT_RETENTION_DAYS: string;
  }
  interface GlobalProps {
    mainModule: typeof import("./worker");
  }
}
