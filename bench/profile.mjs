#!/usr/bin/env node
// `npm run bench:profile -- [script] [path]`: a CPU profile of one endpoint under load, per request,
// by function and by area (the worker's own code, the D1 client, the runtime). This is how the hot
// path was tuned (see bench/RESULTS.md). Build the plain bundle first:
//   npx wrangler deploy --dry-run --no-minify --outdir bench/.tmp/bundle-plain
// Defaults: that bundle, GET /api/v1/org/load-000042. Node 20 needs --experimental-websocket (the
// npm script passes it).
import path from "node:path";
import { seedOrgs } from "./lib/seed.mjs";
import { load, root, serve } from "./lib/workers.mjs";
const [script, target] = [process.argv[2] ?? "bench/.tmp/bundle-plain/index.js", process.argv[3] ?? "/api/v1/org/load-000042"];
const { mf, url, db } = await serve(path.resolve(root, script), { inspectorPort: 9333 });
await seedOrgs(db, 200, "load", 1);
const targets = await (await fetch("http://127.0.0.1:9333/json")).json();
const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
await new Promise((r) => ws.addEventListener("open", r));
let id = 0; const pending = new Map();
ws.addEventListener("message", (e) => { const m = JSON.parse(e.data); if (m.id && pending.has(m.id)) { pending.get(m.id)(m.result); pending.delete(m.id); } });
const send = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
await load(url + target, {}, 1);
await send("Profiler.enable"); await send("Profiler.setSamplingInterval", { interval: 50 }); await send("Profiler.start");
const r = await load(url + target, {}, 4);
const { profile } = await send("Profiler.stop");
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map(); profile.samples.forEach((s, i) => counts.set(s, (counts.get(s) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const cat = new Map(); const fn = new Map(); let busy = 0;
for (const [nid, us] of counts) { const n = byId.get(nid); const u = n.callFrame.url; const name = n.callFrame.functionName;
  if (name === "(idle)") continue; busy += us;
  const c = u.includes("index.js") ? "worker code" : u.includes("d1-api") ? "d1 client" : "runtime/native"; cat.set(c, (cat.get(c) ?? 0) + us);
  const k = `${name || "(anon)"} ${u.split("/").pop()}:${n.callFrame.lineNumber}`; fn.set(k, (fn.get(k) ?? 0) + us); }
const reqs = r.requests.total;
console.log("rps", r.requests.average, "busy us/request", (busy / reqs).toFixed(1));
for (const [k, us] of cat) console.log(k.padEnd(16), (us / reqs).toFixed(1), "us/request");
for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log("  ", (us / reqs).toFixed(2).padStart(6), k);
// Inclusive time of the worker's own functions (a function's time including what it calls).
const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const [nid, us] of counts) { if (byId.get(nid).callFrame.functionName === "(idle)") continue; const seen = new Set();
  for (let cur = nid; cur !== undefined; cur = parent.get(cur)) { const f = byId.get(cur).callFrame; if (!f.url.includes("index.js")) continue;
    const k = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}`; if (seen.has(k)) continue; seen.add(k); incl.set(k, (incl.get(k) ?? 0) + us); } }
console.log("worker functions, inclusive:");
for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log("  ", (us / reqs).toFixed(2).padStart(6), k);
ws.close(); await mf.dispose();
