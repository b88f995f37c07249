#!/usr/bin/env node
// `npm run bench [-- --quick]`: D1 round trips per endpoint, app vs hand-written baseline under load,
// cascade delete and listing at scale, D1 rows read/written per request at scale, bundle size.
// Everything runs here, in one run, on loopback; figures are ratios measured side by side. Writes bench/results.json and bench/RESULTS.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { runEndpointScenario } from "./endpoint-scenario.js";
import { measureRows, rowsReport, rowsSummaryLine } from "./lib/rows.mjs";
import { remainingRows, seedCascadeOrg, seedOrgs } from "./lib/seed.mjs";
import { auth, cpuMicros, load, root, serve, throughputCases } from "./lib/workers.mjs";

const tmp = path.join(root, "bench", ".tmp");
const quick = process.argv.includes("--quick");
/** `--only=throughput,cascade` runs just those sections (for iterating; a full report needs all). */
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
const wanted = (section) => !only || only.includes(section);
const settings = quick
  ? { loadSeconds: 3, rounds: 2, cascadeSizes: [1_000, 10_000], cascadeRepeats: 2, listSizes: [100, 10_000, 100_000], listSamples: 9 }
  : { loadSeconds: 12, rounds: 6, cascadeSizes: [1_000, 10_000, 100_000], cascadeRepeats: 3, listSizes: [100, 10_000, 100_000], listSamples: 25 };
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const log = (...args) => console.error("[bench]", ...args);
const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** `wrangler deploy --dry-run --minify` of `config`'s worker, or of `entry` with that config. */
function build(config, outdir, entry) {
  rmSync(outdir, { recursive: true, force: true });
  const args = ["deploy", "--dry-run", "--minify", "--outdir", outdir, "-c", config, ...(entry ? [entry] : [])];
  execFileSync(path.join(root, "node_modules", ".bin", "wrangler"), args, {
    cwd: root,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  // Named after the entry: index.js for src/index.ts, worker.js for test/worker.ts.
  return path.join(outdir, `${path.basename(entry ?? "index.ts", ".ts")}.js`);
}

async function timeRequest(url, init = {}) {
  const started = performance.now();
  const res = await fetch(url, { ...init, headers: { ...auth, ...init.headers } });
  const body = await res.text();
  const ms = performance.now() - started;
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url}: ${res.status} ${body.slice(0, 200)}`);
  return ms;
}

// 1. Round trips per endpoint ------------------------------------------------------------------
async function measureRoundTrips(app) {
  return runEndpointScenario(`bench-${Date.now()}`, async (step) => {
    const init = { method: step.method, headers: { ...auth } };
    if (step.form) {
      const form = new FormData();
      for (const [k, v] of Object.entries(step.form)) form.set(k, v);
      init.body = form;
    } else if (step.json !== undefined) {
      init.body = JSON.stringify(step.json);
      init.headers["Content-Type"] = "application/json";
    }
    const res = await fetch(`${app.url}${step.path}`, init);
    const text = await res.text();
    const header = res.headers.get("X-D1-Round-Trips");
    let body = text;
    try {
      body = JSON.parse(text);
    } catch {}
    // The unauthenticated server routes open no D1 session at all.
    return { status: res.status, body, roundTrips: header === null ? 0 : Number(header) };
  });
}

// 2. Throughput: app vs raw baseline -------------------------------------------------------------
async function measureThroughput(app, raw) {
  await seedOrgs(app.db, 200, "load", 1);
  await seedOrgs(raw.db, 200, "load", 1);
  const cases = throughputCases();
  const out = {};
  for (const [name, c] of Object.entries(cases)) {
    const { path: p, ...opts } = c;
    const runs = { app: [], raw: [] };
    await load(`${app.url}${p}`, opts, 1); // warm-up, discarded
    await load(`${raw.url}${p}`, opts, 1);
    // Alternate app and raw so drift on this shared machine hits both alike.
    for (let r = 0; r < settings.rounds; r++) {
      for (const side of r % 2 ? ["raw", "app"] : ["app", "raw"]) {
        const target = side === "app" ? app : raw;
        const cpuBefore = cpuMicros(target.pid);
        const run = await load(`${target.url}${p}`, opts, settings.loadSeconds / settings.rounds);
        runs[side].push({ ...run, cpuMicros: cpuMicros(target.pid) - cpuBefore });
      }
    }
    const summary = (rs) => ({
      rps: round(rs.reduce((n, r) => n + r.requests.total, 0) / rs.reduce((n, r) => n + r.duration, 0), 0),
      p50Ms: round(median(rs.map((r) => r.latency.p50))),
      p99Ms: round(median(rs.map((r) => r.latency.p99))),
      // workerd's CPU (the Worker and, locally, D1's SQLite) per request, over all rounds.
      cpuUsPerRequest: round(rs.reduce((n, r) => n + r.cpuMicros, 0) / rs.reduce((n, r) => n + r.requests.total, 0), 0),
    });
    out[name] = { app: summary(runs.app), raw: summary(runs.raw) };
    out[name].ratio = round(out[name].app.rps / out[name].raw.rps, 3);
    out[name].cpuRatio = round(out[name].app.cpuUsPerRequest / out[name].raw.cpuUsPerRequest, 3);
    log(`throughput ${name}: app ${out[name].app.rps} rps ${out[name].app.cpuUsPerRequest} µs CPU/request, raw ${out[name].raw.rps} rps ${out[name].raw.cpuUsPerRequest} µs, ratio ${out[name].ratio}`);
  }
  return out;
}

// 3. Cascade delete at scale ---------------------------------------------------------------------
async function measureCascade(app, raw) {
  const out = [];
  for (const size of settings.cascadeSizes) {
    const times = { app: [], raw: [] };
    let children = 0;
    // Small deletes take a few ms, where one hiccup of this shared machine moves a median of 3: 15 samples.
    const repeats = size <= 10_000 ? settings.cascadeRepeats * 5 : settings.cascadeRepeats;
    for (let i = 0; i < repeats; i++) {
      for (const side of i % 2 ? ["raw", "app"] : ["app", "raw"]) {
        const target = side === "app" ? app : raw;
        const name = `cascade-${size}-${i}`;
        children = await seedCascadeOrg(target.db, name, size);
        times[side].push(await timeRequest(`${target.url}/api/v1/org/${name}?confirmation=yes`, { method: "DELETE" }));
        const left = await remainingRows(target.db, name);
        if (left !== 0) throw new Error(`${side}: ${left} rows of ${name} survived its deletion`);
      }
    }
    const appMs = median(times.app);
    const rawMs = median(times.raw);
    const row = { children, appMs: round(appMs, 1), rawMs: round(rawMs, 1), ratio: round(appMs / rawMs, 3), appUsPerChild: round((appMs * 1000) / children, 2) };
    log(`cascade ${children} children: app ${row.appMs} ms, raw ${row.rawMs} ms, ratio ${row.ratio}`);
    out.push(row);
  }
  return out;
}

// 4. Listing at scale ----------------------------------------------------------------------------
async function measureListing(app) {
  const out = [];
  let seeded = 0;
  for (const orgs of settings.listSizes) {
    await app.db.prepare(`DELETE FROM organizations WHERE name LIKE 'list-%'`).run();
    await seedOrgs(app.db, orgs, "list", 2);
    seeded = orgs;
    const sample = async (query) => {
      const url = `${app.url}/api/v1/org?${query}`;
      for (let i = 0; i < 3; i++) await timeRequest(url);
      const ms = [];
      for (let i = 0; i < settings.listSamples; i++) ms.push(await timeRequest(url));
      return round(median(ms));
    };
    const deepOffset = Math.max(0, seeded - 100);
    const deepCursor = `list-${String(deepOffset).padStart(6, "0")}`;
    const row = {
      orgs,
      firstPageMs: await sample("filter=list-&limit=100"),
      deepPageMs: await sample(`filter=list-&limit=100&offset=${deepOffset}`),
      deepCursorMs: await sample(`filter=list-&limit=100&after=${deepCursor}`),
      filterMs: await sample("filter=list-0012&limit=100"),
      unfilteredFirstPageMs: await sample("limit=100"),
      unfilteredDeepCursorMs: await sample(`limit=100&after=${deepCursor}`),
    };
    log(`list ${orgs}: ${JSON.stringify(row)}`);
    out.push(row);
  }
  return out;
}

// 6. Bundle size ---------------------------------------------------------------------------------
function measureBundle() {
  const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
  const appGzipBytes = gz(build(path.join(root, "wrangler.jsonc"), path.join(tmp, "bundle-app")));
  const minimalGzipBytes = gz(build(path.join(root, "bench", "minimal", "wrangler.toml"), path.join(tmp, "bundle-minimal")));
  return { appGzipBytes, minimalGzipBytes, ratio: round(appGzipBytes / minimalGzipBytes, 3) };
}

function report(results) {
  const lines = [];
  lines.push(`# Benchmark results`, "");
  lines.push(`${results.meta.mode} run, ${results.meta.date}, Node ${results.meta.node}, ${results.meta.cpus} cores, workerd via miniflare ${results.meta.miniflare}.`);
  lines.push(`Times are wall-clock on loopback with local D1 (in-process SQLite); compare ratios, not absolutes.`, "");
  lines.push(`## D1 round trips per request (target: reads 1, writes <= 2)`, "", `| endpoint | round trips |`, `| --- | --- |`);
  for (const [route, n] of Object.entries(results.roundTrips)) lines.push(`| \`${route}\` | ${n} |`);
  lines.push("", `## Throughput, app vs hand-written baseline (target: ratio >= 0.8)`, "");
  lines.push(`CPU: workerd's process time per request (the Worker, and locally D1's SQLite), app / raw.`, "");
  lines.push(
    `| case | app rps | app p50 ms | app p99 ms | app CPU µs/req | raw rps | raw p50 ms | raw p99 ms | raw CPU µs/req | ratio | CPU ratio |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
  );
  for (const [name, r] of Object.entries(results.throughput)) {
    lines.push(
      `| ${name} | ${r.app.rps} | ${r.app.p50Ms} | ${r.app.p99Ms} | ${r.app.cpuUsPerRequest} | ${r.raw.rps} | ${r.raw.p50Ms} | ${r.raw.p99Ms} | ${r.raw.cpuUsPerRequest} | ${r.ratio} | ${r.cpuRatio} |`,
    );
  }
  lines.push("", `## Cascade delete (target: ratio <= 1.2, time per child flat)`, "");
  lines.push(`| children | app ms | raw ms | ratio | app µs per child |`, `| --- | --- | --- | --- | --- |`);
  for (const r of results.cascadeDelete) lines.push(`| ${r.children} | ${r.appMs} | ${r.rawMs} | ${r.ratio} | ${r.appUsPerChild} |`);
  lines.push("", `## Listing orgs, limit 100 (target: first page within 2x from 100 to 100k orgs)`, "");
  lines.push(`| orgs | first page ms | deep page (offset) ms | deep page (after=) ms | filtered ms | unfiltered first ms | unfiltered deep (after=) ms |`, `| --- | --- | --- | --- | --- | --- | --- |`);
  for (const r of results.listScaling) {
    lines.push(`| ${r.orgs} | ${r.firstPageMs} | ${r.deepPageMs} | ${r.deepCursorMs} | ${r.filterMs} | ${r.unfilteredFirstPageMs} | ${r.unfilteredDeepCursorMs} |`);
  }
  lines.push("", ...rowsReport(results.rows));
  const b = results.bundle;
  lines.push(`## Bundle (target: ratio <= 1.6)`, "", `| app gzip bytes | minimal Hono+Drizzle+Valibot gzip bytes | ratio |`, `| --- | --- | --- |`);
  lines.push(`| ${b.appGzipBytes} | ${b.minimalGzipBytes} | ${b.ratio} |`, "");
  return lines.join("\n");
}

async function main() {
  mkdirSync(tmp, { recursive: true });
  log(`${quick ? "quick" : "full"} run`);
  const bundle = measureBundle();
  log(`bundle: ${JSON.stringify(bundle)}`);
  const appScript = path.join(tmp, "bundle-app", "index.js");
  const app = await serve(appScript);
  const raw = await serve(path.join(root, "bench", "raw-worker", "index.js"));
  try {
    // The app as the tests run it: D1 calls counted per request (test/worker.ts).
    const countedScript =
      wanted("roundtrips") || wanted("rows")
        ? build(path.join(root, "wrangler.jsonc"), path.join(tmp, "bundle-counted"), path.join(root, "test", "worker.ts"))
        : undefined;
    let roundTrips = {};
    if (wanted("roundtrips")) {
      const counted = await serve(countedScript);
      roundTrips = await measureRoundTrips(counted).finally(() => counted.mf.dispose());
    }
    const throughput = wanted("throughput") ? await measureThroughput(app, raw) : {};
    const cascadeDelete = wanted("cascade") ? await measureCascade(app, raw) : [];
    // A fresh instance, so rows left by the load and cascade runs do not skew the scans.
    let listScaling = [];
    if (wanted("list")) {
      const lister = await serve(appScript);
      listScaling = await measureListing(lister).finally(() => lister.mf.dispose());
    }
    // 5. D1 rows read/written per request, on a fresh instance seeded at scale.
    let rows = { seed: {}, cases: [], summary: {} };
    if (wanted("rows")) {
      const counted = await serve(countedScript);
      try {
        rows = await measureRows(counted, log);
      } finally {
        await counted.mf.dispose();
      }
      log(rowsSummaryLine(rows));
    }
    const results = {
      meta: {
        mode: quick ? "quick" : "full",
        date: new Date().toISOString(),
        node: process.version,
        cpus: (await import("node:os")).cpus().length,
        miniflare: JSON.parse(readFileSync(path.join(root, "node_modules", "miniflare", "package.json"), "utf8")).version,
      },
      roundTrips,
      throughput,
      cascadeDelete,
      listScaling,
      rows,
      bundle,
    };
    const md = report(results);
    if (!only) {
      writeFileSync(path.join(root, "bench", "results.json"), JSON.stringify(results, null, 2) + "\n");
      // The hand-written "## Reading" section of the previous file is kept (and should be re-read).
      const resultsMd = path.join(root, "bench", "RESULTS.md");
      let reading = "";
      try {
        const previous = readFileSync(resultsMd, "utf8");
        const at = previous.indexOf("\n## Reading");
        if (at >= 0) reading = previous.slice(at);
      } catch {}
      writeFileSync(resultsMd, md + reading);
    }
    console.log(md);
  } finally {
    await app.mf.dispose();
    await raw.mf.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
