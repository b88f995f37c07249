// Audit log retention: the Cron Trigger's `scheduled` handler deletes entries older than
// AUDIT_RETENTION_DAYS, oldest first, in chunks of bounded size and a bounded number per run.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { pruneAuditLog } from "../src/lib/retention";
import { count, rows } from "./helpers";

const DAY = 86_400_000;

/** Entries written `ages` days before `now`, tagged so that this test counts only its own. */
async function seed(tag: string, now: Date, ages: number[]) {
  await env.DB.batch(
    ages.map((age, i) =>
      env.DB.prepare(`INSERT INTO audit_log (entry_date, user_id, object, action, details) VALUES (?, NULL, 'USER', 'UPDATE', ?)`).bind(
        new Date(now.getTime() - age * DAY + i).toISOString(),
        JSON.stringify({ tag, age }),
      ),
    ),
  );
}
const ages = async (tag: string) =>
  (await rows<{ details: string }>(`SELECT details FROM audit_log WHERE json_extract(details, '$.tag') = ? ORDER BY seq`, tag)).map(
    (r) => (JSON.parse(r.details) as { age: number }).age,
  );

describe("audit log retention", () => {
  it("deletes what is older than AUDIT_RETENTION_DAYS, oldest first, at most chunk x chunks per run", async () => {
    const now = new Date("2027-06-01T12:00:00Z");
    const tag = crypto.randomUUID();
    await seed(tag, now, [...Array.from({ length: 25 }, (_, i) => 200 - i), 91, 89, 10, 0]);
    const first = await pruneAuditLog({ ...env, AUDIT_RETENTION_DAYS: "90" }, now, { chunk: 10, chunks: 2 });
    expect(first).toEqual({ cutoff: new Date(now.getTime() - 90 * DAY).toISOString(), deleted: 20, done: false });
    // the oldest 20 went first
    expect(await ages(tag)).toEqual([180, 179, 178, 177, 176, 91, 89, 10, 0]);
    const second = await pruneAuditLog({ ...env, AUDIT_RETENTION_DAYS: "90" }, now, { chunk: 10, chunks: 2 });
    expect(second.deleted).toBeGreaterThanOrEqual(6);
    expect(second.done).toBe(true);
    expect(await ages(tag)).toEqual([89, 10, 0]);
  });

  it("the Cron Trigger's scheduled handler runs it with the configured days; a bad setting deletes nothing", async () => {
    const now = new Date();
    const tag = crypto.randomUUID();
    await seed(tag, now, [40, 31, 29, 1]);
    const ctx = createExecutionContext();
    const logged = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await worker.scheduled(createScheduledController({ scheduledTime: now.getTime(), cron: "23 * * * *" }), { ...env, AUDIT_RETENTION_DAYS: "30" }, ctx);
      await waitOnExecutionContext(ctx);
      // One JSON line per run, for the operator.
      expect(logged).toHaveBeenCalledOnce();
      const line = JSON.parse(String(logged.mock.calls[0]![0]));
      expect(line).toEqual({ level: "info", job: "audit-retention", cron: "23 * * * *", cutoff: new Date(now.getTime() - 30 * DAY).toISOString(), deleted: expect.any(Number), done: true });
      expect(line.deleted).toBeGreaterThanOrEqual(2);
    } finally {
      logged.mockRestore();
    }
    expect(await ages(tag)).toEqual([29, 1]);

    const before = await count(`SELECT 1 FROM audit_log`);
    for (const bad of ["soon", "1e3", "0x10", "0", "1000000000"]) {
      await expect(pruneAuditLog({ ...env, AUDIT_RETENTION_DAYS: bad }, now), bad).rejects.toThrow(/AUDIT_RETENTION_DAYS/);
    }
    expect(await count(`SELECT 1 FROM audit_log`)).toBe(before);
    expect(env.AUDIT_RETENTION_DAYS).toBe("90"); // wrangler.jsonc's default
  });
});
