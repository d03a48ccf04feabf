/**
 * Request headers as frameworks hand them over: Node's `IncomingHttpHeaders`
 * (Express, Fastify, Koa), a plain record, or the Fetch API's `Headers`
 * (Next.js route handlers, Hono, Deno, Bun).
 */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** One header's value by its lower-case name, whatever the container and the sender's case; the first of a repeated one. */
export function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  // A record's values are strings or arrays, so a `get` function means the Fetch API's Headers.
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}
