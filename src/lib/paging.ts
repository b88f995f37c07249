import type { Context } from "hono";

/**
 * The page to answer, from rows fetched with one row more than the page (that row proves there is a
 * next page). When there is one, sets `Link: <...>; rel="next"`, keeping every other query
 * parameter. The next page is by cursor (`after` = the page's last row, `cursorOf`): it visits
 * every row once whatever is written between pages, and costs what the first page costs. Only a
 * page asked by a nonzero `offset` without a cursor (Concord's paging) goes on by offset, as asked.
 */
export function pageOf<T>(c: Context, q: { offset: number; limit: number }, fetched: T[], cursorOf: (row: T) => string): T[] {
  const page = fetched.slice(0, q.limit);
  const last = page.at(-1);
  if (fetched.length <= q.limit || last === undefined) return page;
  const url = new URL(c.req.url);
  if (url.searchParams.has("after") || q.offset === 0) {
    // The cursor alone says where the next page starts: an offset kept beside it would skip rows.
    url.searchParams.set("after", cursorOf(last));
    url.searchParams.delete("offset");
  } else {
    url.searchParams.set("offset", String(q.offset + q.limit));
  }
  url.searchParams.set("limit", String(q.limit));
  c.header("Link", `<${url.pathname}${url.search}>; rel="next"`);
  return page;
}
