#!/usr/bin/env node
// `npm run test:browser`: the reference page (/docs, Scalar) in a real browser against `npm run dev`.
//
// Starts `npm run dev` on a free port with a fresh local D1 in a temporary directory, drives Debian's
// Chromium (/usr/bin/chromium, `apt-get install -y chromium`) headless with playwright-core (no
// browser download), and checks that the page renders every operation of public/api/openapi.json,
// that "Test Request" with the admin API key entered in the page's Authentication field performs a
// real request that the Worker answers, and that the page loads nothing from any host but this
// server. Screenshots go to test-results/browser/. Installs nothing. Last line: "N passed, N failed".
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// CHROMIUM_PATH: another Chromium-based browser (e.g. the preinstalled Chrome of a CI runner).
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const outDir = path.join(root, "test-results", "browser");
const HOST = "127.0.0.1";
// The machine's network is closed: without the background-networking flags Chromium keeps trying to
// reach Google's hosts (see the machine notes). --no-sandbox: CI runs as root.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SERVER_START_MS = 120_000; // migrations of a fresh D1 + wrangler dev; ~15 s seen on 2 cores
const STEP_MS = 20_000; // one UI step (a click, a locator to appear, a response)
const WATCHDOG_MS = 240_000; // the whole run, whatever hangs

const results = [];
const pageErrors = [];
const consoleErrors = [];
const foreignRequests = [];
let dev; // the `npm run dev` process (leader of its own process group)
let devLog;
let context;
let tmp;

const t0 = Date.now();
function report(name, ok, detail) {
  results.push({ name, ok });
  const at = `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s]`;
  console.log(`${ok ? "PASS" : "FAIL"} ${at} ${name}${detail ? `\n      ${String(detail).split("\n").join("\n      ")}` : ""}`);
}

/** Runs one check; after a failed step of the UI flow, the later ones fail as "not run". */
let flowBroken = false;
async function check(name, fn, { flow = true } = {}) {
  if (flow && flowBroken) return report(name, false, "not run: an earlier step failed");
  try {
    const detail = await fn();
    report(name, true, detail);
  } catch (err) {
    if (flow) flowBroken = true;
    report(name, false, err?.stack ?? String(err));
    await screenshot(`failure-${results.length}.png`);
  }
}

async function screenshot(file) {
  const page = context?.pages()[0];
  if (!page) return;
  try {
    await page.screenshot({ path: path.join(outDir, file), timeout: 10_000 });
    console.log(`      screenshot: ${path.relative(root, path.join(outDir, file))}`);
  } catch (err) {
    console.log(`      (no screenshot: ${err.message.split("\n")[0]})`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Stops `npm run dev` and everything it started: its whole process group, never by name. */
async function stopDev() {
  if (!dev?.pid) return;
  const pgid = dev.pid;
  dev = undefined;
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-pgid, "SIGTERM");
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 200));
  if (alive()) {
    console.log(`npm run dev (process group ${pgid}) still running 10 s after SIGTERM: SIGKILL`);
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {}
  }
}

function devLogTail(lines = 40) {
  try {
    return readFileSync(devLog, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function waitForServer(base) {
  const deadline = Date.now() + SERVER_START_MS;
  let exited;
  dev.once("exit", (code, signal) => (exited = `exited early (code ${code}, signal ${signal})`));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`npm run dev ${exited}`);
    try {
      // The Worker, and the static assets the page needs (public/scalar/ is copied by wrangler's build).
      const answers = await Promise.all(
        ["/api/v1/server/ping", "/docs", "/scalar/standalone.js", "/api/openapi.json"].map((p) =>
          fetch(`${base}${p}`, { signal: AbortSignal.timeout(5_000) }).then(async (r) => (await r.arrayBuffer(), r.status)),
        ),
      );
      if (answers.every((s) => s === 200)) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`npm run dev did not answer on ${base} within ${SERVER_START_MS / 1000} s`);
}

function readAdminKey() {
  const file = path.join(root, ".dev.vars");
  const match = /^\s*ADMIN_API_KEY\s*=\s*"?(.*?)"?\s*$/m.exec(readFileSync(file, "utf8"));
  assert(match?.[1], `.dev.vars has no ADMIN_API_KEY (npm run dev should have generated it)`);
  return match[1];
}

async function main() {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    report(
      "Chromium is installed",
      false,
      `${CHROMIUM} not found: install Debian's package first (apt-get install -y chromium). This test downloads no browser.`,
    );
    return;
  }
  const docPath = path.join(root, "public", "api", "openapi.json");
  assert(existsSync(docPath), `${docPath} is missing: run npm run openapi`);
  const doc = JSON.parse(readFileSync(docPath, "utf8"));
  const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];
  const operations = Object.entries(doc.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m, path: p, summary: item[m].summary, tag: item[m].tags?.[0] })),
  );
  assert(operations.length > 0, "openapi.json lists no operations");

  rmSync(outDir, { recursive: true, force: true }); // this run's screenshots only
  mkdirSync(outDir, { recursive: true });
  tmp = mkdtempSync(path.join(tmpdir(), "concord-browser-test-"));
  devLog = path.join(outDir, "dev.log");
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const base = `http://${HOST}:${port}`;

  // `npm run dev` with a fresh local D1 (DEV_PERSIST_TO, scripts/dev.mjs), in its own process group.
  const logFd = openSync(devLog, "w");
  dev = spawn("npm", ["run", "dev", "--", "--inspector-port", String(inspectorPort)], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DEV_PERSIST_TO: path.join(tmp, "state") },
    stdio: ["ignore", logFd, logFd],
    detached: true,
  });
  const started = Date.now();
  await check("npm run dev answers (fresh local D1)", async () => {
    await waitForServer(base);
    return `${base} after ${((Date.now() - started) / 1000).toFixed(1)} s (log: ${path.relative(root, devLog)})`;
  });
  if (flowBroken) {
    console.log(`--- last lines of ${path.relative(root, devLog)} ---\n${devLogTail()}`);
    return;
  }

  // Something of this run's own for "Test Request" to find: the key matters (GET /api/v1/org lists
  // what the caller may see; without a key it answers 401).
  const key = readAdminKey();
  const target = operations.find((o) => o.method === "get" && o.path === "/api/v1/org");
  assert(target, "openapi.json has no GET /api/v1/org");
  const orgName = `browser-test-${randomBytes(4).toString("hex")}`;
  await check(`setup: POST /api/v1/org creates ${orgName} (fetch from Node, admin key)`, async () => {
    const res = await fetch(`${base}/api/v1/org`, {
      method: "POST",
      headers: { Authorization: key, "Content-Type": "application/json" },
      body: JSON.stringify({ name: orgName }),
    });
    const body = await res.text();
    assert(res.ok, `answered ${res.status}: ${body}`);
  });

  context = await chromium.launchPersistentContext(path.join(tmp, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
    timeout: 60_000,
  });
  // The page must be self-hosted: anything for another host is refused and recorded.
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.host === `${HOST}:${port}`) return route.continue();
    foreignRequests.push(`${route.request().method()} ${route.request().url()}`);
    return route.abort("blockedbyclient");
  });
  context.on("websocket", (ws) => foreignRequests.push(`websocket ${ws.url()}`));
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_MS);
  page.on("pageerror", (err) => pageErrors.push(err.stack ?? err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push({ text: msg.text(), url: msg.location()?.url });
  });
  page.on("websocket", (ws) => {
    if (!ws.url().startsWith(`ws://${HOST}:${port}/`)) foreignRequests.push(`websocket ${ws.url()}`);
  });

  await check("GET / redirects to /docs, which loads /api/openapi.json and renders the document's title", async () => {
    const docResponse = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/openapi.json", { timeout: 30_000 });
    await page.goto(`${base}/`, { waitUntil: "load", timeout: 30_000 });
    assert(new URL(page.url()).pathname === "/docs", `landed on ${page.url()}`);
    const res = await docResponse;
    assert(res.status() === 200, `/api/openapi.json answered ${res.status()}`);
    await page.getByRole("heading", { name: doc.info.title, exact: true }).first().waitFor({ timeout: 30_000 });
  });
  await screenshot("reference.png");

  // The reference's own Authentication field (at the top of the page, by the introduction): where a
  // reader enters a key; the Test Request client below must take it from there.
  await check("the admin key is typed into the page's Authentication field (Value)", async () => {
    const keyInput = page.locator("input").and(page.getByLabel("Value", { exact: true }));
    await keyInput.first().waitFor({ state: "visible" });
    assert((await keyInput.count()) === 1, `${await keyInput.count()} Authentication "Value" inputs on the page`);
    await keyInput.fill(key);
    assert((await keyInput.inputValue()) === key, "the field does not hold the key");
  });

  await check(`the sidebar lists all ${operations.length} operations of openapi.json (by summary)`, async () => {
    for (const tag of [...new Set(operations.map((o) => o.tag))]) {
      const open = page.getByRole("button", { name: `Open Group - ${tag}`, exact: true });
      if (await open.count()) await open.first().click();
      await page.getByRole("button", { name: `Close Group - ${tag}`, exact: true }).first().waitFor();
    }
    const sidebarLinks = page.locator("[data-sidebar-id] a");
    await sidebarLinks.first().waitFor();
    const texts = await sidebarLinks.evaluateAll((links) => links.map((a) => a.textContent.replace(/\s+/g, " ").trim()));
    const missing = operations.filter((o) => !texts.some((t) => t.startsWith(o.summary)));
    assert(missing.length === 0, `not in the sidebar:\n${missing.map((o) => `${o.method.toUpperCase()} ${o.path}: ${o.summary}`).join("\n")}`);
  });

  // The first operation of the first, middle and last tag, then the one "Test Request" sends: each
  // section renders, with its summary as heading and its "Test Request" button. (Every section
  // would cost seconds each on a loaded 2-core machine; the sidebar check above covers them all.)
  const firstOfTag = operations.filter((o, i) => operations.findIndex((p) => p.tag === o.tag) === i);
  const samples = [...new Set([0, Math.floor(firstOfTag.length / 2), firstOfTag.length - 1])].map((i) => firstOfTag[i]);
  for (const op of [...samples.filter((o) => o !== target), target]) {
    await check(`the section of ${op.method.toUpperCase()} ${op.path} renders ("${op.summary}")`, async () => {
      await page.locator("[data-sidebar-id] a").filter({ hasText: op.summary }).first().click();
      await page.getByRole("heading", { name: op.summary, exact: true }).first().waitFor({ state: "visible" });
      await testRequestButton(page, op).waitFor({ state: "visible" });
    });
  }

  const dialog = page.getByRole("dialog");
  const dialogKeyInput = dialog.locator("input").and(dialog.getByLabel("Value", { exact: true }));
  await check(`"Test Request" of ${target.method.toUpperCase()} ${target.path} opens the client, which carries the key typed on the page`, async () => {
    await testRequestButton(page, target).click();
    await dialog.waitFor({ state: "visible" });
    await dialogKeyInput.waitFor({ state: "visible" });
    assert((await dialogKeyInput.inputValue()) === key, "the client's Authentication Value is not the key typed on the page");
  });

  let sent;
  await check(`Send: the browser's GET ${target.path} reaches the Worker with the key and answers 200 listing ${orgName}`, async () => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === target.path && r.request().method() === "GET"),
      dialog.getByRole("button", { name: /^Send\b/ }).first().click(),
    ]);
    sent = response;
    const auth = (await response.request().allHeaders())["authorization"];
    assert(auth === key, `the request carried Authorization ${auth === undefined ? "(none)" : "(another value)"}`);
    const text = await response.text();
    assert(response.status() === 200, `answered ${response.status()}: ${text}`);
    const body = JSON.parse(text);
    assert(Array.isArray(body), `not a JSON array: ${text.slice(0, 300)}`);
    assert(body.some((o) => o.name === orgName), `${orgName} not in ${text.slice(0, 300)}`);
    return `${response.url()} -> ${response.status()}, ${body.length} organizations`;
  });

  await check(`the client shows the response: status 200 and ${orgName} in the body`, async () => {
    await dialog.getByText("200 OK").first().waitFor({ state: "visible" });
    await dialog.getByText(orgName).first().waitFor({ state: "visible" });
    assert(sent, "no response");
  });
  await screenshot("try-it.png");

  await check(`with the key cleared, the same Send answers 401 UNAUTHORIZED (the key is what made it 200)`, async () => {
    await dialogKeyInput.fill("");
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === target.path && r.request().method() === "GET"),
      dialog.getByRole("button", { name: /^Send\b/ }).first().click(),
    ]);
    const text = await response.text();
    assert(response.status() === 401, `answered ${response.status()}: ${text}`);
    assert(JSON.parse(text).code === "UNAUTHORIZED", `body ${text}`);
    await dialog.getByText("401 Unauthorized").first().waitFor({ state: "visible" });
  });
  await screenshot("try-it-no-key.png");

  await check(
    "the page requested nothing from any host but this server (fonts, scripts, telemetry)",
    () => assert(foreignRequests.length === 0, `blocked:\n${foreignRequests.join("\n")}`),
    { flow: false },
  );
  await check(
    "no uncaught errors in the page; no console errors but the expected 401",
    () => {
      const unexpected = consoleErrors.filter((e) => !/status of 401/.test(e.text));
      assert(
        pageErrors.length === 0 && unexpected.length === 0,
        [...pageErrors.map((e) => `page error: ${e}`), ...unexpected.map((e) => `console error: ${e.text} (${e.url ?? "?"})`)].join("\n"),
      );
    },
    { flow: false },
  );
}

/** Scalar's "Test Request" button of an operation; its accessible name ends with "(get /path)". */
function testRequestButton(page, op) {
  return page.getByRole("button", { name: `Test Request (${op.method} ${op.path})`, exact: true }).first();
}

async function cleanup() {
  if (!context && !dev && !tmp) return;
  const stopping = Date.now();
  try {
    await context?.close();
  } catch {}
  await stopDev();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  console.log(`(browser and npm run dev stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s)`);
}

const watchdog = setTimeout(async () => {
  report(`the run finishes within ${WATCHDOG_MS / 1000} s`, false, "watchdog: stopping");
  await cleanup();
  finish();
}, WATCHDOG_MS);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    report(`interrupted by ${signal}`, false);
    await cleanup();
    finish();
  });
}
// Last resort, synchronous: never leave `npm run dev` behind.
process.on("exit", () => {
  if (dev?.pid) {
    try {
      process.kill(-dev.pid, "SIGKILL");
    } catch {}
  }
});

function finish() {
  clearTimeout(watchdog);
  const failed = results.filter((r) => !r.ok).length;
  if (failed && consoleErrors.length) {
    console.log(`--- console errors of the page ---\n${consoleErrors.map((e) => `${e.text} (${e.url ?? "?"})`).join("\n")}`);
  }
  if (failed && devLog) console.log(`(npm run dev's output: ${path.relative(root, devLog)})`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed || results.length === 0 ? 1 : 0);
}

try {
  await main();
} catch (err) {
  report("test script", false, err?.stack ?? String(err));
}
await cleanup();
finish();
