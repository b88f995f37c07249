#!/usr/bin/env node
// The static assets that are not in the repository: Scalar's API reference script (public/docs.html
// loads it from this server, never from a CDN). wrangler runs this before `wrangler dev` and
// `wrangler deploy` (wrangler.jsonc `build`).
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const target = path.join(root, "public", "scalar");
mkdirSync(target, { recursive: true });
copyFileSync(path.join(root, "node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js"), path.join(target, "standalone.js"));
