/**
 * `Link: <...>; rel="next"` when the query fetched one row more than the page (that row proves
 * there is a next page); every other query parameter is kept.
 */
export function nextPageLink(requestUrl: string, offset: number, limit: number, fetched: number): string | undefined {
  if (fetched <= limit) return undefined;
  const url = new URL(requestUrl);
  url.searchParams.set("offset", String(offset + limit));
  url.searchParams.set("limit", String(limit));
  return `<${url.pathname}${url.search}>; rel="next"`;
}
