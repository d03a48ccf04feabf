import type { FastifyReply } from 'fastify';

/**
 * Headers every answer carries, whoever sends it (route, error handler,
 * router, shutdown): the request id, and `nosniff` so that no browser
 * reads a JSON body, or an error echoing input, as HTML or script.
 */
export const BASE_HEADERS = { 'x-content-type-options': 'nosniff' } as const;

/** Sets the headers every answer carries. */
export function setBaseHeaders(reply: FastifyReply, requestId: string): void {
  reply.header('x-request-id', requestId);
  for (const [name, value] of Object.entries(BASE_HEADERS)) reply.header(name, value);
}

/** Marks an answer that shows a secret (tokens, a new API key): no cache, shared or private, may keep it. */
export function setNoStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}
