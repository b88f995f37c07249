// Seeding for the benchmark: the real migrations, then data generated inside SQLite with recursive
// CTEs (one statement inserts thousands of rows), so 100k rows take seconds, not minutes.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const BENCH_USER_ID = "b0000000-0000-4000-8000-000000000001";
export const BENCH_KEY = "bench-issued-api-key-0123456789abcdefghijkl";

const seq = (n) => `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${Number(n)})`;

export async function applyMigrations(db, dir) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    const statements = readFileSync(path.join(dir, file), "utf8")
      .split("--> statement-breakpoint")
      .map((s) => s.trim())
      .filter((s) => s && !/^(--[^\n]*\n?)+$/.test(s));
    await db.batch(statements.map((s) => db.prepare(s)));
  }
}

/** An administrator with an issued API key: every benchmarked request pays the key lookup. */
export async function seedCaller(db) {
  const hash = createHash("sha256").update(BENCH_KEY).digest("hex");
  await db.batch([
    db.prepare(`INSERT INTO users (id, username, type, is_admin) VALUES (?1, 'bench-admin', 'LOCAL', 1)`).bind(BENCH_USER_ID),
    db.prepare(`INSERT INTO api_keys (id, user_id, name, key_hash) VALUES (?1, ?2, 'bench', ?3)`).bind(crypto.randomUUID(), BENCH_USER_ID, hash),
  ]);
}

/** The id seedOrgs gives org number `n` of a series (a UUID, as the API validates ids). */
export const seededOrgId = (series, n) => `${String(series).padStart(8, "0")}-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** `count` orgs named <prefix>-000001..., owned by the bench user, each with its default team. */
export async function seedOrgs(db, count, prefix, series) {
  const id = `printf('%08d-0000-4000-8000-%012d', ${Number(series)}, n)`;
  await db.batch([
    db.prepare(
      `INSERT INTO organizations (id, name, visibility, owner_id, meta)
       ${seq(count)} SELECT ${id}, '${prefix}-' || printf('%06d', n), 'PUBLIC', ?1, '{"n":' || n || '}' FROM seq`,
    ).bind(BENCH_USER_ID),
    db.prepare(`INSERT INTO teams (id, org_id, name) ${seq(count)} SELECT '${prefix}-team-' || n, ${id}, 'default' FROM seq`),
  ]);
}

/**
 * One org with `children` rows spread across every owned table: 10% projects, 30% repositories,
 * 10% secrets, 30% JSON store items (in 10 stores), 5% teams and 15% team memberships.
 */
export async function seedCascadeOrg(db, orgName, children) {
  const n = (share) => Math.max(1, Math.round(children * share));
  const [projects, repos, secrets, items, teams, members] = [n(0.1), n(0.3), n(0.1), n(0.3) - 10, n(0.05), n(0.15)];
  const org = `${orgName}-id`;
  const usersNeeded = Math.min(1000, Math.max(3, Math.ceil(members / teams)));
  await db.batch([
    db.prepare(`INSERT INTO organizations (id, name, owner_id) VALUES (?1, ?2, ?3)`).bind(org, orgName, BENCH_USER_ID),
    db.prepare(
      `INSERT OR IGNORE INTO users (id, username) ${seq(usersNeeded)} SELECT 'cascade-user-' || n, 'cascade-user-' || n FROM seq`,
    ),
    db.prepare(`INSERT INTO projects (id, org_id, name) ${seq(projects)} SELECT ?1 || '-p' || n, ?1, 'project-' || n FROM seq`).bind(org),
    db.prepare(
      `INSERT INTO secrets (id, org_id, name, type, encrypted_by, ciphertext, iv)
       ${seq(secrets)} SELECT ?1 || '-s' || n, ?1, 'secret-' || n, 'DATA', 'SERVER_KEY', randomblob(64), randomblob(12) FROM seq`,
    ).bind(org),
    db.prepare(
      `INSERT INTO repositories (id, project_id, name, url, secret_id)
       ${seq(repos)} SELECT ?1 || '-r' || n, ?1 || '-p' || (1 + n % ${projects}), 'repo-' || n, 'https://git.example/r' || n,
         ?1 || '-s' || (1 + n % ${secrets}) FROM seq`,
    ).bind(org),
    db.prepare(`INSERT INTO json_stores (id, org_id, name) ${seq(10)} SELECT ?1 || '-j' || n, ?1, 'store-' || n FROM seq`).bind(org),
    db.prepare(
      `INSERT INTO json_store_items (store_id, path, data) ${seq(items)} SELECT ?1 || '-j' || (1 + n % 10), 'item/' || n, '{"n":' || n || '}' FROM seq`,
    ).bind(org),
    db.prepare(`INSERT INTO teams (id, org_id, name) ${seq(teams)} SELECT ?1 || '-t' || n, ?1, 'team-' || n FROM seq`).bind(org),
    db.prepare(
      `INSERT INTO team_members (team_id, user_id, role)
       ${seq(members)} SELECT ?1 || '-t' || (1 + (n - 1) % ${teams}), 'cascade-user-' || (1 + (n - 1) / ${teams}), 'MEMBER' FROM seq`,
    ).bind(org),
  ]);
  return projects + repos + secrets + items + 10 + teams + members;
}

/** Rows of every owned table that still belong to the org (0 after a complete cascade). */
export async function remainingRows(db, orgName) {
  const org = `${orgName}-id`;
  const row = await db
    .prepare(
      `SELECT (SELECT count(*) FROM projects WHERE org_id = ?1) + (SELECT count(*) FROM secrets WHERE org_id = ?1)
        + (SELECT count(*) FROM repositories WHERE id LIKE ?1 || '-r%') + (SELECT count(*) FROM json_stores WHERE org_id = ?1)
        + (SELECT count(*) FROM json_store_items WHERE store_id LIKE ?1 || '-j%') + (SELECT count(*) FROM teams WHERE org_id = ?1)
        + (SELECT count(*) FROM team_members WHERE team_id LIKE ?1 || '-t%') + (SELECT count(*) FROM organizations WHERE id = ?1) AS n`,
    )
    .bind(org)
    .first();
  return row.n;
}
