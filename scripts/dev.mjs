#!/usr/bin/env node
// `npm run dev`: make sure .dev.vars holds the local secrets, migrate the local D1, serve on 127.0.0.1:8787,
// then print the admin key (last, so it does not scroll away under the migrations' output).
// PORT moves the port; DEV_PERSIST_TO moves the local state (default .wrangler/state), e.g. to a fresh
// temp dir (scripts/test-readme.mjs). Other arguments go to `wrangler dev`.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, appendFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const devVars = path.join(root, ".dev.vars");
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const port = process.env.PORT ?? "8787";
const persist = process.env.DEV_PERSIST_TO ? ["--persist-to", path.resolve(process.env.DEV_PERSIST_TO)] : [];

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

const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", ...persist], {
  cwd: root,
  env,
  stdio: ["ignore", "inherit", "inherit"],
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = spawn(wrangler, ["dev", "--ip", "127.0.0.1", "--port", port, ...persist, ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// The key goes out once the Worker answers, after wrangler's start-up lines and the log line of
// this check (the port alone accepts connections before the Worker is ready).
const base = `http://127.0.0.1:${port}`;
for (let waited = 0; waited < 60_000 && dev.exitCode === null; waited += 250) {
  const up = await fetch(`${base}/api/v1/server/ping`).then((r) => r.ok, () => false);
  if (up) break;
  await sleep(250);
}
await sleep(300); // wrangler logs that request just after answering it
console.log(`\nAdmin API key (from .dev.vars): ${vars.ADMIN_API_KEY}`);
console.log(`  curl -H "Authorization: ${vars.ADMIN_API_KEY}" ${base}/api/v1/org\n`);
