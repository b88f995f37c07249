import type { Context } from "hono";

/**
 * The page to answer, from rows fetched with one row more than the page (that row proves there is a
 * next page). When there is one, sets `Link: <...>; rel="next"`, keeping every other query
 * parameter: a request paging by cursor (`after`) gets the page's last row as the next cursor
 * (`cursorOf`), any other the next offset.
 */
export function pageOf<T>(c: Context, q: { offset: number; limit: number }, fetched: T[], cursorOf?: (row: T) => string): T[] {
  const page = fetched.slice(0, q.limit);
  if (fetched.length <= q.limit) return page;
  const url = new URL(c.req.url);
  const last = page[page.length - 1];
  if (url.searchParams.has("after") && cursorOf && last !== undefined) {
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
