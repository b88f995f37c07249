#!/usr/bin/env node
// `npm run dev`: make sure .dev.vars holds the local secrets, migrate the local D1, serve on 127.0.0.1:8787.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, appendFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const devVars = path.join(root, ".dev.vars");
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const port = process.env.PORT ?? "8787";
// DEV_PERSIST_TO: keep the local D1 (and other local state) in this directory instead of
// .wrangler/state, for both the migrations and `wrangler dev` (the browser test uses a fresh one).
const persistTo = process.env.DEV_PERSIST_TO ? ["--persist-to", process.env.DEV_PERSIST_TO] : [];

/** Variables `npm run dev` generates when missing; existing values are never changed. */
const GENERATED = ["ADMIN_API_KEY", "SECRETS_KEY"];

function readVars(file) {
  const vars = {};
  for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

if (!existsSync(devVars)) writeFileSync(devVars, "# Local secrets for `wrangler dev` (never commit this file)\n", { mode: 0o600 });
const vars = readVars(devVars);
for (const name of GENERATED) {
  if (vars[name]) continue;
  vars[name] = randomBytes(32).toString("base64url");
  appendFileSync(devVars, `${name}=${vars[name]}\n`);
  console.log(`Generated ${name} into .dev.vars`);
}
console.log(`\nAdmin API key (from .dev.vars): ${vars.ADMIN_API_KEY}`);
console.log(`  curl -H "Authorization: ${vars.ADMIN_API_KEY}" http://127.0.0.1:${port}/api/v1/org\n`);

const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", ...persistTo], { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = spawn(wrangler, ["dev", "--ip", "127.0.0.1", "--port", port, ...persistTo, ...process.argv.slice(2)], { cwd: root, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
