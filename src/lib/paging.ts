/**
 * `Link: <...>; rel="next"` when the query fetched one row more than the page (that row proves
 * there is a next page); every other query parameter is kept. A request paging by cursor
 * (`after`) gets a next link with the page's last name as the cursor; otherwise the next offset.
 */
export function nextPageLink(
  requestUrl: string,
  page: { offset: number; limit: number; fetched: number; lastName?: string },
): string | undefined {
  if (page.fetched <= page.limit) return undefined;
  const url = new URL(requestUrl);
  if (url.searchParams.has("after") && page.lastName !== undefined) {
    // The cursor alone says where the next page starts: an offset kept beside it would skip rows.
    url.searchParams.set("after", page.lastName);
    url.searchParams.delete("offset");
  } else {
    url.searchParams.set("offset", String(page.offset + page.limit));
  }
  url.searchParams.set("limit", String(page.limit));
  return `<${url.pathname}${url.search}>; rel="next"`;
}
