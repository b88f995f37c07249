/**
 * The Worker as the tests and the benchmark's counted run see it: the app (src/index.ts), with every
 * D1 call of a request counted. A response to a request that opened a D1 session carries
 * X-D1-Round-Trips, X-D1-Bound-Limits, X-D1-Rows-Read and X-D1-Rows-Written (see D1Stats).
 * Production runs src/index.ts, which counts the same calls for its log line only (middleware/db.ts):
 * counted here independently, the two agree (test/request-log.test.ts).
 */
import { app } from "../src/index";
import type { Bindings } from "../src/env";
import { countCalls, newD1Stats } from "../src/db/d1-stats";

export default {
  async fetch(request, env, ctx) {
    const stats = newD1Stats();
    let opened = false;
    const DB = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === "withSession") {
          return (constraint?: string) => {
            opened = true;
            return countCalls(target.withSession(constraint), stats);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const response = await app.fetch(request, { ...env, DB }, ctx);
    if (!opened) return response;
    const counted = new Response(response.body, response);
    counted.headers.set("X-D1-Round-Trips", String(stats.roundTrips));
    counted.headers.set("X-D1-Bound-Limits", String(stats.boundLimits));
    // A call without meta makes the sums incomplete: say so rather than under-report.
    counted.headers.set("X-D1-Rows-Read", stats.unmeasured ? "unmeasured" : String(stats.rowsRead));
    counted.headers.set("X-D1-Rows-Written", stats.unmeasured ? "unmeasured" : String(stats.rowsWritten));
    return counted;
  },
} satisfies ExportedHandler<Bindings>;
