// The benchmark's baseline: the same requests as the app answers (ping, list/get/create/update/delete
// org), the same API-key lookup in the same batch, the same SQL, written by hand on env.DB with no
// Hono, Valibot or Drizzle. It validates nothing and is not an API: it only marks the physical limit.
// It also does by hand the per-request work the app's contract demands of every answer (issues 11
// and 13), so that the ratio measures the app's code, not its features: the audit entry of a write
// (the app's SQL), the ETag of a GET (ping's too), one JSON log line with the request's D1 counts.

const ADMIN_ID = "230c5c9c-d9a7-11e6-bcfd-bb681c07b26c";
const encoder = new TextEncoder();

const json = (body, status = 200, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

/** The app's ETag: SHA-1 of the Link header and the body, with the row's version when there is one. */
async function withEtag(request, response) {
  const body = new Uint8Array(await response.clone().arrayBuffer());
  const head = encoder.encode(`${response.headers.get("Link") ?? ""}\n`);
  const tagged = new Uint8Array(head.length + body.length);
  tagged.set(head);
  tagged.set(body, head.length);
  const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-1", tagged))].map((b) => b.toString(16).padStart(2, "0")).join("");
  const version = response.headers.get("X-Version");
  const tag = version ? `"v${version}.${digest}"` : `"${digest}"`;
  if (request.headers.get("If-None-Match") === tag) return new Response(null, { status: 304, headers: { ETag: tag } });
  const out = new Response(response.body, response);
  out.headers.delete("X-Version");
  out.headers.set("ETag", tag);
  return out;
}

/** The app's log line: one JSON object per request. */
function log(request, requestId, path, response, started, d1, callerId) {
  console.log(
    JSON.stringify({
      level: response.status >= 500 ? "error" : "info",
      msg: "request",
      requestId,
      method: request.method,
      route: path.startsWith("/api/v1/org/") ? "/api/v1/org/:orgName" : path,
      status: response.status,
      durationMs: Date.now() - started,
      ...(d1 && { d1 }),
      ...(callerId && { callerId }),
    }),
  );
}

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function credential(request, env) {
  const header = request.headers.get("Authorization") ?? "";
  const key = header.replace(/^Bearer\s+/i, "").trim();
  if (!key) return undefined;
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(key)), crypto.subtle.digest("SHA-256", encoder.encode(env.ADMIN_API_KEY))]);
  if (crypto.subtle.timingSafeEqual(a, b)) return { admin: true };
  return { keyHash: await sha256Hex(key) };
}

/**
 * Runs `work(callerRows, params)` statements with the key lookup in front, in one batch; callerRows
 * is a derived table (caller_id, caller_is_admin) of the caller, as the app's SQL has it.
 */
async function batchAsCaller(env, cred, work) {
  if (cred.admin) {
    const stmts = work("(SELECT ?1 AS caller_id, 1 AS caller_is_admin)", [ADMIN_ID]);
    const results = stmts.length ? await env.DB.batch(stmts) : [];
    env.state.callerId = ADMIN_ID;
    return [{ id: ADMIN_ID, isAdmin: true }, results];
  }
  const now = new Date().toISOString();
  const validKey = `k.key_hash = ?1 AND (k.expires_at IS NULL OR k.expires_at > ?2) AND u.disabled = 0`;
  const callerRows = `(SELECT k.user_id AS caller_id, u.is_admin AS caller_is_admin FROM api_keys k JOIN users u ON u.id = k.user_id WHERE ${validKey})`;
  const lookup = env.DB.prepare(`SELECT u.id, u.username, u.is_admin FROM api_keys k JOIN users u ON u.id = k.user_id WHERE ${validKey} LIMIT 1`).bind(cred.keyHash, now);
  const [found, ...results] = await env.DB.batch([lookup, ...work(callerRows, [cred.keyHash, now])]);
  const row = found.results[0];
  if (!row) return [undefined, []];
  env.state.callerId = row.id;
  return [{ id: row.id, isAdmin: row.is_admin === 1 }, results];
}

const access = (callerRows) => `EXISTS (SELECT 1 FROM ${callerRows} AS caller WHERE caller.caller_is_admin = 1
  OR caller.caller_id = o.owner_id OR EXISTS (SELECT 1 FROM team_members tm WHERE tm.user_id = caller.caller_id AND tm.org_id = o.id))`;

const orgSelect = (callerRows) => `
  SELECT o.id, o.name, o.visibility, o.meta, o.cfg, o.owner_id, u.username, o.version, ${access(callerRows)} AS access
  FROM organizations o LEFT JOIN users u ON u.id = o.owner_id`;

/** The app's audit entry (db/audit.ts): INSERT ... SELECT, written only when \`when\` holds. */
const auditInsert = (userIdSql, object, action, orgIdSql, detailsSql, from, when) =>
  `INSERT INTO audit_log (seq, entry_date, user_id, object, action, org_id, project_id, secret_id, json_store_id, team_id, details)
   SELECT NULL, (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), ${userIdSql}, '${object}', '${action}', ${orgIdSql}, NULL, NULL, NULL, NULL, ${detailsSql} ${from} WHERE ${when}`;

/** The app's \`changes\` (db/audit.ts changesOf) of the sent fields, from the row the entry reads. */
function changesSql(body, firstParam) {
  const sent = [["name", "name", body.name], ["visibility", "visibility", body.visibility], ["meta", "meta", body.meta, true], ["cfg", "cfg", body.cfg, true]]
    .filter(([, , value]) => value !== undefined);
  if (!sent.length) return { sql: "json_object()", params: [] };
  const params = [];
  const pairs = sent.map(([key, column, value, isJson]) => {
    params.push(key, isJson ? JSON.stringify(value) : value);
    const [k, n] = [firstParam + params.length - 2, firstParam + params.length - 1];
    const asJson = (v) => `(CASE WHEN json_valid(${v}) THEN json(${v}) ELSE json_quote(${v}) END)`;
    return isJson
      ? `SELECT ?${k} AS k, ${asJson(`o.${column}`)} AS p, ${asJson(`?${n}`)} AS n`
      : `SELECT ?${k} AS k, json_quote(o.${column}) AS p, json_quote(?${n}) AS n`;
  });
  return {
    sql: `json((SELECT CASE WHEN pv = '{}' AND nv = '{}' THEN json_object()
        WHEN pv = '{}' THEN json_object('new', json(nv)) WHEN nv = '{}' THEN json_object('prev', json(pv))
        ELSE json_object('prev', json(pv), 'new', json(nv)) END
      FROM (SELECT json_group_object(k, json(p)) FILTER (WHERE p <> 'null') AS pv, json_group_object(k, json(n)) FILTER (WHERE n <> 'null') AS nv
        FROM (${pairs.join(" UNION ALL ")}) WHERE p IS NOT n)))`,
    params,
  };
}

const toEntry = (r) => ({
  id: r.id,
  name: r.name,
  visibility: r.visibility,
  ...(r.owner_id && r.username ? { owner: { id: r.owner_id, username: r.username } } : {}),
  ...(r.meta !== null ? { meta: JSON.parse(r.meta) } : {}),
  ...(r.cfg !== null ? { cfg: JSON.parse(r.cfg) } : {}),
});

const unauthorized = () => json({ ok: false, code: "UNAUTHORIZED", message: "Unknown or expired API key" }, 401);
const notFound = () => json({ ok: false, code: "NOT_FOUND", message: "not found" }, 404);

export default {
  // The same answers as the app's, headers included: every response carries X-Request-Id, and one
  // that used D1 carries the session's X-D1-Bookmark.
  async fetch(request, workerEnv) {
    const started = Date.now();
    const requestId = crypto.randomUUID();
    const path = new URL(request.url).pathname;
    if (path === "/api/v1/server/ping") {
      const response = await withEtag(request, json({ ok: true }, 200, { "X-Request-Id": requestId }));
      log(request, requestId, path, response, started, undefined);
      return response;
    }
    // The same D1 access path as the app: a Sessions API session (reads on replicas in production, writes from the primary).
    const session = workerEnv.DB.withSession(request.method === "GET" ? "first-unconstrained" : "first-primary");
    const d1 = { roundTrips: 0, rowsRead: 0, rowsWritten: 0 };
    const state = { callerId: undefined, requestId };
    const DB = {
      prepare: (query) => session.prepare(query),
      batch: async (statements) => {
        d1.roundTrips++;
        const results = await session.batch(statements);
        for (const r of results) {
          d1.rowsRead += r.meta?.rows_read ?? 0;
          d1.rowsWritten += r.meta?.rows_written ?? 0;
        }
        return results;
      },
    };
    let response = await handle(request, { ...workerEnv, DB, state });
    if (request.method === "GET" && response.ok) response = await withEtag(request, response);
    response.headers.set("X-Request-Id", requestId);
    const bookmark = session.getBookmark();
    if (bookmark) response.headers.set("X-D1-Bookmark", bookmark);
    log(request, requestId, path, response, started, d1, state.callerId);
    return response;
  },
};

async function handle(request, env) {
  const url = new URL(request.url);
  const path = url.pathname;
  const cred = await credential(request, env);
  if (!cred) return unauthorized();

  if (path === "/api/v1/org" && request.method === "GET") {
    const limit = Number(url.searchParams.get("limit") ?? 1000);
    const offset = Number(url.searchParams.get("offset") ?? 0);
    const filter = url.searchParams.get("filter");
    const after = url.searchParams.get("after");
    const [caller, [rows]] = await batchAsCaller(env, cred, (callerRows, params) => {
      const where = [`(o.visibility = 'PUBLIC' OR ${access(callerRows)})`];
      const binds = [...params];
      if (filter) {
        binds.push(filter.toLowerCase());
        where.push(`instr(lower(o.name), ?${binds.length}) > 0`);
      }
      if (after) {
        binds.push(after);
        where.push(`lower(o.name) > lower(?${binds.length})`);
      }
      binds.push(limit + 1, offset);
      const sql = `${orgSelect(callerRows)} WHERE ${where.join(" AND ")} ORDER BY lower(o.name) LIMIT ?${binds.length - 1} OFFSET ?${binds.length}`;
      return [env.DB.prepare(sql).bind(...binds)];
    });
    if (!caller) return unauthorized();
    const headers = {};
    if (rows.results.length > limit) {
      const next = new URL(url);
      next.searchParams.set("offset", String(offset + limit));
      headers.Link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    return json(rows.results.slice(0, limit).map(toEntry), 200, headers);
  }

  const named = /^\/api\/v1\/org\/([^/]+)$/.exec(path);
  if (named && request.method === "GET") {
    const name = decodeURIComponent(named[1]);
    const [caller, [rows]] = await batchAsCaller(env, cred, (callerRows, params) => [
      env.DB.prepare(`${orgSelect(callerRows)} WHERE lower(o.name) = lower(?${params.length + 1}) LIMIT 1`).bind(...params, name),
    ]);
    if (!caller) return unauthorized();
    const org = rows.results[0];
    if (!org || (org.visibility !== "PUBLIC" && !org.access)) return notFound();
    return json(toEntry(org), 200, { "X-Version": String(org.version) });
  }

  if (named && request.method === "DELETE") {
    const name = decodeURIComponent(named[1]);
    if ((url.searchParams.get("confirmation") ?? "").toLowerCase() !== "yes") {
      return json({ ok: false, code: "BAD_REQUEST", message: "Operation must be confirmed" }, 400);
    }
    const [caller, [deleted]] = await batchAsCaller(env, cred, (callerRows, params) => [
      env.DB.prepare(`DELETE FROM organizations WHERE lower(name) = lower(?${params.length + 1})
        AND EXISTS (SELECT 1 FROM ${callerRows} AS caller WHERE caller.caller_is_admin = 1) RETURNING id`).bind(...params, name),
    ]);
    if (!caller) return unauthorized();
    if (!caller.isAdmin) return json({ ok: false, code: "FORBIDDEN", message: "admins only" }, 403);
    if (!deleted.results[0]) return notFound();
    return json({ ok: true, result: "DELETED" });
  }

  if (path === "/api/v1/org" && request.method === "POST") {
    const body = await request.json();
    const [caller, [found]] = await batchAsCaller(env, cred, (callerRows, params) => [
      body.id
        ? env.DB.prepare(`${orgSelect(callerRows)} WHERE o.id = ?${params.length + 1} LIMIT 1`).bind(...params, body.id)
        : env.DB.prepare(`${orgSelect(callerRows)} WHERE lower(o.name) = lower(?${params.length + 1}) LIMIT 1`).bind(...params, body.name),
    ]);
    if (!caller) return unauthorized();
    const existing = found.results[0];
    const meta = body.meta === undefined ? null : JSON.stringify(body.meta);
    const cfg = body.cfg === undefined ? null : JSON.stringify(body.cfg);
    if (body.id !== undefined || !caller.isAdmin) {
      if (!existing) return notFound();
      const details = JSON.stringify({ orgId: existing.id, requestId: env.state.requestId, actionSource: { type: "API_REQUEST" } });
      const changes = changesSql(body, 5);
      const [, updated] = await env.DB.batch([
        env.DB.prepare(
          auditInsert("?1", "ORGANIZATION", "UPDATE", "?2", `json_set(?3, '$.name', o.name, '$.changes', ${changes.sql})`, "FROM organizations o", "o.id = ?4"),
        ).bind(caller.id, existing.id, details, existing.id, ...changes.params),
        env.DB.prepare(
          `UPDATE organizations SET name = coalesce(?2, name), visibility = coalesce(?3, visibility), meta = coalesce(?4, meta),
             cfg = coalesce(?5, cfg), updated_at = (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) WHERE id = ?1 RETURNING id`,
        ).bind(existing.id, body.id !== undefined ? (body.name ?? null) : null, body.visibility ?? null, meta, cfg),
      ]);
      if (!updated.results[0]) return notFound();
      return json({ ok: true, result: "UPDATED", id: existing.id });
    }
    const id = crypto.randomUUID();
    const teamId = crypto.randomUUID();
    const requestDetails = { requestId: env.state.requestId, actionSource: { type: "API_REQUEST" } };
    const created = { id, name: body.name, visibility: body.visibility ?? "PUBLIC", ownerId: caller.id, ...(body.meta !== undefined && { meta: body.meta }), ...(body.cfg !== undefined && { cfg: body.cfg }) };
    const changes = changesSql(body, 5);
    const results = await env.DB.batch([
      env.DB.prepare(`INSERT INTO organizations (id, name, visibility, owner_id, meta, cfg) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING`)
        .bind(id, body.name, body.visibility ?? "PUBLIC", caller.id, meta, cfg),
      env.DB.prepare(auditInsert("?1", "ORGANIZATION", "CREATE", "?2", "?3", "", "EXISTS (SELECT 1 FROM organizations WHERE id = ?2)"))
        .bind(caller.id, id, JSON.stringify({ orgId: id, name: body.name, changes: { new: created }, ...requestDetails })),
      env.DB.prepare(
        auditInsert("?1", "ORGANIZATION", "UPDATE", "o.id", `json_set(?2, '$.orgId', o.id, '$.name', o.name, '$.changes', ${changes.sql})`,
          "FROM organizations o", "lower(o.name) = lower(?3) AND o.id <> ?4"),
      ).bind(caller.id, JSON.stringify(requestDetails), body.name, id, ...changes.params),
      env.DB.prepare(`INSERT INTO teams (id, org_id, name, description, created_at, updated_at)
          SELECT ?1, id, 'default', 'Default team', (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) FROM organizations WHERE id = ?2`).bind(teamId, id),
      env.DB.prepare(`INSERT INTO team_members (team_id, user_id, org_id, role, created_at)
          SELECT id, ?2, org_id, 'OWNER', (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) FROM teams WHERE id = ?1 AND ?2 IS NOT NULL`).bind(teamId, caller.id),
      env.DB.prepare(`UPDATE organizations SET visibility = coalesce(?3, visibility), meta = coalesce(?4, meta), cfg = coalesce(?5, cfg),
          updated_at = (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) WHERE lower(name) = lower(?1) AND id <> ?2`).bind(body.name, id, body.visibility ?? null, meta, cfg),
      env.DB.prepare(`SELECT id FROM organizations WHERE lower(name) = lower(?1) LIMIT 1`).bind(body.name),
    ]);
    const holder = results[6].results[0];
    return json({ ok: true, result: holder.id === id ? "CREATED" : "UPDATED", id: holder.id });
  }

  return notFound();
}
