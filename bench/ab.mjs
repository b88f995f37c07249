#!/usr/bin/env node
// `npm run bench:ab -- "<case>" <label>=<worker.js> [<label>=<worker.js> ...]`: throughput of
// several builds side by side, to try a change in a minute before a full `npm run bench`.
// Each worker gets its own workerd and in-memory D1 (seeded as for the benchmark); short autocannon
// runs alternate between them, and ratios are against the last one listed. Build a variant with
//   npx wrangler deploy --dry-run --minify --outdir bench/.tmp/v/<label>
// e.g. npm run bench:ab -- "get org" new=bench/.tmp/v/new/index.js raw=bench/raw-worker/index.js
// Cases are those of bench/lib/workers.mjs. ROUNDS (default 6) and SECONDS (default 1.5) per run.
import path from "node:path";
import { seedOrgs } from "./lib/seed.mjs";
import { load, serve, throughputCases } from "./lib/workers.mjs";

const [caseName, ...specs] = process.argv.slice(2);
const cases = throughputCases();
if (!cases[caseName] || specs.length === 0 || specs.some((s) => !s.includes("="))) {
  console.error(`usage: npm run bench:ab -- "<case>" <label>=<worker.js> ...\ncases: ${Object.keys(cases).join(", ")}`);
  process.exit(2);
}
const rounds = Number(process.env.ROUNDS ?? 6);
const seconds = Number(process.env.SECONDS ?? 1.5);
const { path: target, ...opts } = cases[caseName];

const workers = [];
try {
  for (const spec of specs) {
    const [label, script] = spec.split("=");
    const worker = await serve(path.resolve(script));
    workers.push({ label, ...worker, rps: [] });
    await seedOrgs(worker.db, 200, "load", 1);
  }
  for (const w of workers) await load(w.url + target, opts, 1); // warm-up, discarded
  for (let r = 0; r < rounds; r++) {
    for (const w of r % 2 ? [...workers].reverse() : workers) {
      const result = await load(w.url + target, opts, seconds);
      w.rps.push(result.requests.total / result.duration);
    }
  }
  const total = (w) => w.rps.reduce((a, b) => a + b, 0);
  const reference = workers[workers.length - 1];
  for (const w of workers) {
    const sorted = [...w.rps].sort((a, b) => a - b);
    console.log(
      `${w.label.padEnd(12)} mean ${(total(w) / rounds).toFixed(0)} rps, runs ${sorted[0].toFixed(0)}-${sorted[rounds - 1].toFixed(0)}, ratio to ${reference.label} ${(total(w) / total(reference)).toFixed(3)}`,
    );
  }
} finally {
  for (const w of workers) await w.mf.dispose();
}
