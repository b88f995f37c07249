// Serving workers and loading them, shared by bench/run.mjs and bench/ab.mjs.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { Miniflare } from "miniflare";
import { BENCH_KEY, applyMigrations, seedCaller, seededOrgId } from "./seed.mjs";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const ADMIN_API_KEY = "bench-admin-key-not-a-secret-0123456789";
const SECRETS_KEY = "bench-secrets-key-not-a-secret-0123456789";
const wranglerConfig = readFileSync(path.join(root, "wrangler.jsonc"), "utf8");
const compatibilityDate = /"compatibility_date"\s*:\s*"([^"]+)"/.exec(wranglerConfig)[1];

export const auth = { Authorization: `Bearer ${BENCH_KEY}` };

/**
 * A worker served by workerd (the runtime `wrangler dev` uses) on 127.0.0.1, with its own in-memory
 * D1, migrated and with the bench caller seeded, configured as in production. `inspectorPort`
 * opens the V8 inspector (bench/profile.mjs).
 */
export async function serve(scriptPath, { inspectorPort } = {}) {
  const before = new Set(workerdProcesses());
  const mf = new Miniflare({
    ...(inspectorPort ? { inspectorPort } : {}),
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath,
    compatibilityDate,
    compatibilityFlags: ["nodejs_compat"],
    d1Databases: { DB: "bench-db" },
    d1Persist: false,
    bindings: { ADMIN_API_KEY, SECRETS_KEY },
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const db = await mf.getD1Database("DB");
  await applyMigrations(db, path.join(root, "migrations"));
  await seedCaller(db);
  // The workerd process miniflare started for this worker: its CPU time is what a request costs here.
  const pid = workerdProcesses().find((p) => !before.has(p));
  return { mf, url, db, pid };
}

/** Pids of workerd processes started by this process (Linux /proc). */
function workerdProcesses() {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [comm, rest] = [stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), stat.slice(stat.lastIndexOf(")") + 2).split(" ")];
      if (comm === "workerd" && Number(rest[1]) === process.pid) pids.push(Number(entry));
    } catch {} // the process ended meanwhile
  }
  return pids;
}

/** CPU time (user + system) a process has used so far, in microseconds (Linux /proc; 0 if unknown). */
export function cpuMicros(pid) {
  if (!pid) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
}

/** autocannon at 8 connections for `seconds`; any non-2xx answer or error fails the run. */
export async function load(url, opts, seconds) {
  const result = await autocannon({ url, connections: 8, duration: seconds, ...opts, headers: { ...auth, ...opts.headers } });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

/** The throughput cases, against a worker seeded with `seedOrgs(db, 200, "load", 1)`. */
export function throughputCases() {
  let created = 0;
  return {
    ping: { path: "/api/v1/server/ping" },
    "list orgs (limit 50)": { path: "/api/v1/org?limit=50" },
    "get org": { path: "/api/v1/org/load-000042" },
    "create org": {
      path: "/api/v1/org",
      method: "POST",
      headers: { "Content-Type": "application/json" },
      // autocannon applies setupRequest only inside `requests`
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `created-${process.pid}-${++created}`, meta: { n: created } }) }) }],
    },
    "update org": {
      path: "/api/v1/org",
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id: seededOrgId(1, 7), meta: { updated: true } }),
    },
  };
}
