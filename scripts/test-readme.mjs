#!/usr/bin/env node
// `npm run test:readme`: run the README's API examples, in order, as a newcomer pastes them.
//
// Starts `npm run dev` (scripts/dev.mjs) on a free 127.0.0.1 port with a fresh local D1 in a temp dir
// (PORT, DEV_PERSIST_TO), waits for the admin key line it prints, then runs every ```sh block of the
// README's "## API" section (down to the next "## " heading) in ONE bash session started in the
// repository (PORT set, TMPDIR a temp dir), so variables, `cd` and files carry from one command to the
// next; the README itself reads the key from .dev.vars, as a user does. A command is a line plus its
// `\` continuation lines. Each command passes when:
//   - it exits 0;
//   - every HTTP answer it got (through `curl`) is 2xx;
//   - if the README shows an answer, the body of its last `curl` matches it.
// The answer shown is a comment that starts with `{` or `[`: either the line right after the command
// (`# {"ok":true}`) or the end of its last line (`curl ... # {"ok":true}`). It must be one line of JSON,
// compared with the real answer as JSON:
//   - `"..."` matches any value; a string containing `...` matches any text in its place ("ssh-ed25519 ...");
//   - objects: the same keys in the same order (order is significant: it is what curl prints, and
//     answers keep one order, ok -> result -> the rest); a last key `"...": "..."` allows more keys
//     after the ones shown (those must still come in the order shown);
//   - arrays: element by element; a last element `"..."` allows any further elements.
// Other comments are prose. Ends with a line `N passed, N failed` (N = commands); exits 1 on any failure.
// The server is stopped by its process group id, never by name. `--verbose` prints every answer.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const README = path.join(root, "README.md");
const COMMAND_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 120_000;
const verbose = process.argv.includes("--verbose");

/** The commands of the ```sh blocks of the "## API" section, each with the answer it shows (if any). */
function extractCommands(markdown) {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => /^## API\s*$/.test(l));
  if (start < 0) throw new Error('README has no "## API" section');
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;

  const commands = [];
  let inBlock = false;
  let current = null; // the command being read (continuation lines)
  let last = null; // the last complete command of this block, which an answer line belongs to
  for (let i = start + 1; i < end; i++) {
    const line = lines[i];
    if (!inBlock) {
      if (/^```sh\s*$/.test(line)) (inBlock = true), (last = null);
      continue;
    }
    if (/^```\s*$/.test(line)) {
      if (current) throw new Error(`README line ${current.line}: a command ends with \\ at the end of its block`);
      inBlock = false;
      continue;
    }
    if (current) {
      current.text += `\n${line}`;
      if (!line.endsWith("\\")) finish(current, line), (last = current), (current = null);
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === "") {
      last = null;
      continue;
    }
    if (trimmed.startsWith("#")) {
      const comment = trimmed.replace(/^#\s*/, "");
      if (!/^[[{]/.test(comment)) continue; // prose
      if (!last) throw new Error(`README line ${i + 1}: an answer shown with no command right above it`);
      if (last.answer !== undefined) throw new Error(`README line ${i + 1}: a second answer for the command of line ${last.line}`);
      last.answer = parseAnswer(comment, i + 1);
      continue;
    }
    current = { line: i + 1, text: line };
    commands.push(current);
    if (!line.endsWith("\\")) finish(current, line), (last = current), (current = null);
  }
  return commands;

  function finish(command, lastLine) {
    const comment = trailingComment(lastLine);
    if (comment !== undefined && /^[[{]/.test(comment)) command.answer = parseAnswer(comment, command.line);
  }
}

/** The text of a `#` comment that ends a shell line (outside quotes), if any. */
function trailingComment(line) {
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"') i++;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "\\") i++;
    else if (ch === "#" && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(i + 1).trim();
  }
  return undefined;
}

function parseAnswer(text, lineNumber) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`README line ${lineNumber}: the answer shown is not JSON (${e.message}): ${text}`);
  }
}

const ANY = "...";
const isObject = (x) => typeof x === "object" && x !== null && !Array.isArray(x);

/** Why `actual` does not match the answer shown (undefined when it does); see the header for the rules. */
function mismatch(shown, actual, at = "answer") {
  if (shown === ANY) return undefined;
  if (typeof shown === "string" && shown.includes(ANY)) {
    const pattern = new RegExp(`^${shown.split(ANY).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
    return typeof actual === "string" && pattern.test(actual) ? undefined : `${at}: ${JSON.stringify(actual)} is not ${JSON.stringify(shown)}`;
  }
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual)) return `${at}: ${JSON.stringify(actual)} is not an array`;
    const open = shown.at(-1) === ANY;
    const items = open ? shown.slice(0, -1) : shown;
    if (open ? actual.length < items.length : actual.length !== items.length)
      return `${at}: ${actual.length} elements, ${open ? "at least " : ""}${items.length} shown`;
    for (let i = 0; i < items.length; i++) {
      const why = mismatch(items[i], actual[i], `${at}[${i}]`);
      if (why) return why;
    }
    return undefined;
  }
  if (isObject(shown)) {
    if (!isObject(actual)) return `${at}: ${JSON.stringify(actual)} is not an object`;
    const open = Object.keys(shown).at(-1) === ANY && shown[ANY] === ANY;
    const keys = Object.keys(shown).filter((k) => !(open && k === ANY));
    const actualKeys = Object.keys(actual).filter((k) => !open || keys.includes(k));
    if (actualKeys.join() !== keys.join() || actualKeys.length !== keys.length)
      return `${at}: keys ${JSON.stringify(Object.keys(actual))}, shown ${JSON.stringify(keys)}${open ? " (and more)" : ""}`;
    for (const key of keys) {
      const why = mismatch(shown[key], actual[key], `${at}.${key}`);
      if (why) return why;
    }
    return undefined;
  }
  return Object.is(shown, actual) ? undefined : `${at}: ${JSON.stringify(actual)} is not ${JSON.stringify(shown)}`;
}

/** A port nothing listens on now, on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Lines of a child's output as they come; `wait(test)` resolves with the first line that passes. */
function lineReader(stream, onLine) {
  let buffer = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      onLine(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  });
}

/** Resolves after `ms` without keeping the process alive. */
const after = (ms, value) => new Promise((resolve) => setTimeout(resolve, ms, value).unref());

const oneLine = (text, max = 110) => {
  const flat = text.replace(/\\\n\s*/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
};
const indent = (text, max = 1500) => (text.length > max ? `${text.slice(0, max)}...` : text).replace(/^/gm, "      ");

async function main() {
  const commands = extractCommands(readFileSync(README, "utf8"));
  if (commands.length === 0) throw new Error('no ```sh commands in the README\'s "## API" section');

  const work = mkdtempSync(path.join(tmpdir(), "test-readme-"));
  const scratch = path.join(work, "scratch");
  mkdirSync(scratch);
  const [port, inspectorPort] = [await freePort(), await freePort()];

  // `npm run dev` in its own process group (detached = setsid), with fresh local state.
  const devLog = [];
  const dev = spawn("npm", ["run", "dev", "--", "--inspector-port", String(inspectorPort)], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DEV_PERSIST_TO: path.join(work, "state") },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let devExited = false;
  dev.on("exit", () => (devExited = true));
  const keySeen = new Promise((resolve) => {
    const onLine = (line) => {
      devLog.push(line);
      if (/^Admin API key \(from \.dev\.vars\): \S+$/.test(line)) resolve();
    };
    lineReader(dev.stdout, onLine);
    lineReader(dev.stderr, onLine);
  });

  let bash;
  /** Sends a signal to the server's whole process group; false once no process of it is left. */
  const signalServer = (signal) => {
    try {
      process.kill(-dev.pid, signal);
      return true;
    } catch {
      return false;
    }
  };
  const stopAll = async () => {
    if (bash && bash.exitCode === null) bash.kill("SIGTERM");
    signalServer("SIGTERM");
    for (let i = 0; i < 40 && signalServer(0); i++) await sleep(250);
    signalServer("SIGKILL");
    rmSync(work, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"])
    process.on(signal, () => stopAll().then(() => process.exit(1)));

  let passed = 0;
  let failed = 0;
  try {
    const started = await Promise.race([
      keySeen.then(() => true),
      after(START_TIMEOUT_MS, false),
      new Promise((resolve) => dev.on("exit", () => resolve(false))),
    ]);
    if (!started) throw new Error(`npm run dev did not print the admin key:\n${indent(devLog.slice(-30).join("\n"), 4000)}`);
    // npm run dev prints the key once the Worker answers; check that it does.
    for (let i = 0; ; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/api/v1/server/ping`).then((r) => r.ok, () => false);
      if (up) break;
      if (i > 120 || devExited) throw new Error("the dev server never answered /api/v1/server/ping");
      await sleep(250);
    }
    console.log(`README: ${commands.length} commands against npm run dev on 127.0.0.1:${port} (fresh state in ${work})`);

    // One bash session for the whole README. `curl` is wrapped to keep each answer's status line and body.
    bash = spawn("bash", ["--noprofile", "--norc"], {
      cwd: root,
      env: { ...process.env, PORT: String(port), TMPDIR: scratch },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const pending = new Map();
    bash.on("exit", () => {
      for (const resolve of pending.values()) resolve(null);
    });
    lineReader(bash.stdout, (line) => {
      const m = /^__readme_done__ (\d+) (\d+)$/.exec(line);
      if (m && pending.has(Number(m[1]))) pending.get(Number(m[1]))(Number(m[2]));
    });
    lineReader(bash.stderr, () => {});
    const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
    bash.stdin.write(
      [
        "curl() {",
        '  local f; f="$__readme_calls/$(date +%s%N)-$BASHPID"',
        '  command curl -D "$f.head" "$@" | tee "$f.body"',
        '  return "${PIPESTATUS[0]}"',
        "}",
        "",
      ].join("\n"),
    );

    for (const [n, command] of commands.entries()) {
      const dir = path.join(work, "commands", String(n));
      mkdirSync(path.join(dir, "calls"), { recursive: true });
      writeFileSync(path.join(dir, "command.sh"), `${command.text}\n`);
      const done = new Promise((resolve) => pending.set(n, resolve));
      const startedAt = Date.now();
      bash.stdin.write(
        `__readme_calls=${q(path.join(dir, "calls"))}; source ${q(path.join(dir, "command.sh"))} </dev/null >${q(path.join(dir, "out"))} 2>${q(path.join(dir, "err"))}; echo "__readme_done__ ${n} $?"\n`,
      );
      const rc = await Promise.race([done, after(COMMAND_TIMEOUT_MS, "timeout")]);
      pending.delete(n);

      const problems = [];
      const read = (file) => (existsSync(path.join(dir, file)) ? readFileSync(path.join(dir, file), "utf8") : "");
      if (rc === "timeout") problems.push(`no end after ${COMMAND_TIMEOUT_MS / 1000} s`);
      else if (rc === null) problems.push("the bash session ended");
      else if (rc !== 0) problems.push(`exit status ${rc}`);
      const calls = readdirSync(path.join(dir, "calls"))
        .filter((f) => f.endsWith(".head"))
        .sort()
        .map((f) => {
          const statuses = [...readFileSync(path.join(dir, "calls", f), "utf8").matchAll(/^HTTP\/\S+ (\d{3})/gm)];
          const body = readFileSync(path.join(dir, "calls", f.replace(/\.head$/, ".body")), "utf8");
          return { status: statuses.length ? Number(statuses.at(-1)[1]) : undefined, body };
        });
      for (const call of calls) {
        if (call.status === undefined) problems.push("no HTTP answer");
        else if (call.status < 200 || call.status > 299) problems.push(`HTTP ${call.status}: ${call.body}`);
      }
      if (command.answer !== undefined && !problems.length) {
        const body = calls.at(-1)?.body;
        let actual;
        try {
          actual = JSON.parse(body ?? "");
        } catch {
          problems.push(`the answer is not JSON: ${JSON.stringify(body ?? "(no curl)")}`);
        }
        if (actual !== undefined) {
          const why = mismatch(command.answer, actual);
          if (why) problems.push(`answer differs from README line ${command.line}'s: ${why}\n      got: ${body}`);
        }
      }

      const label = `README:${command.line} ${verbose ? `(${Date.now() - startedAt} ms) ` : ""}${oneLine(command.text)}`;
      if (problems.length) {
        failed++;
        console.log(`FAIL ${label}`);
        for (const p of problems) console.log(indent(p));
        const err = read("err").trim();
        if (err) console.log(indent(`stderr: ${err}`));
      } else {
        passed++;
        console.log(`ok   ${label}`);
        if (verbose) for (const call of calls) console.log(indent(`HTTP ${call.status}: ${call.body}`, 4000));
      }
      if (rc === null || rc === "timeout") {
        failed += commands.length - n - 1; // the session is gone: the rest cannot run
        break;
      }
    }
    bash.stdin.end();
  } catch (e) {
    console.error(`test-readme: ${e.message}`);
    failed++;
  } finally {
    await stopAll();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

await main();
