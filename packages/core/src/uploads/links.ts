/**
 * When a file link of the server expires, in ms since the epoch: its `exp`
 * query parameter (seconds). Undefined for a link without one (a link preview,
 * a URL from elsewhere). Read by hand: React Native's `URL` parses no query.
 */
export function linkExpiresAt(url: string): number | undefined {
  const match = /[?&]exp=(\d{1,12})(?:&|#|$)/.exec(url);
  return match?.[1] ? Number(match[1]) * 1000 : undefined;
}
