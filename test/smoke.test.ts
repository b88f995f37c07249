import { describe, expect, it } from "vitest";
import { call, createOrg, createUser } from "./helpers";

describe("smoke", () => {
  it("pings and creates", async () => {
    const ping = await call("GET", "/api/v1/server/ping", { key: null });
    expect(ping.status).toBe(200);
    expect(ping.body).toEqual({ ok: true });
    const org = await createOrg();
    const got = await call("GET", `/api/v1/org/${org.name}`);
    expect(got.status).toBe(200);
    console.log(got.body, got.roundTrips, [...got.headers]);
    const u = await createUser();
    const list = await call("GET", "/api/v1/org", { key: u.key });
    console.log(list.status, list.body, list.roundTrips);
  });
});
