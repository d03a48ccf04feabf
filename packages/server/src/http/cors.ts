import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppRecord } from '../domain/auth/apps.js';
import type { Store } from '../store/store.js';
import { sendError } from './errors.js';
import { originAllowed, someAppAllows } from './origins.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The app the credentials named, once known (even when the caller is then refused): whose origins CORS follows. */
    chatApp: AppRecord | null;
  }
}

const METHODS = 'GET, POST, PATCH, PUT, DELETE';
// X-API-Key is deliberately absent: a browser must never carry the app's secret.
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Request-Id';
const EXPOSED_HEADERS = 'X-Request-Id';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/** Whether pages at `origin` may read this answer: the named app decides; without one, any app that allows it. */
async function mayRead(store: Store, request: FastifyRequest, origin: string): Promise<boolean> {
  if (request.chatApp) return originAllowed(request.chatApp, origin);
  try {
    return await someAppAllows(store, origin);
  } catch (error) {
    // The store being down must not turn an error answer into another error; the page just cannot read it.
    request.log.warn({ err: error }, 'could not read allowed origins');
    return false;
  }
}

/** Answers an OPTIONS request: a preflight with 204 (allowing the origin when some app does), anything else 404. */
async function answerPreflight(store: Store, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const origin = request.headers.origin;
  const method = request.headers['access-control-request-method'];
  // OPTIONS is served only as a CORS preflight; anything else is a route that does not exist.
  if (origin === undefined || method === undefined) {
    sendError(request, reply, 'not_found', `no route OPTIONS ${request.url.split('?')[0]}`);
    return;
  }
  addVary(reply, 'Origin');
  if (await mayRead(store, request, origin)) {
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-methods', METHODS);
    reply.header('access-control-allow-headers', ALLOWED_HEADERS);
    reply.header('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
  }
  // A refused preflight is still a 204: the browser refuses the request for want of the headers.
  reply.code(204).send();
}

function addVary(reply: FastifyReply, value: string): void {
  const current = reply.getHeader('vary');
  const list = typeof current === 'string' ? current.split(',').map((v) => v.trim()).filter(Boolean) : [];
  if (!list.some((v) => v.toLowerCase() === value.toLowerCase())) list.push(value);
  reply.header('vary', list.join(', '));
}

/**
 * CORS without credentials mode: the API authenticates with a bearer token,
 * never a cookie, so `Access-Control-Allow-Credentials` is never sent, and the
 * allowed origin is always the caller's own, reflected, never `*`. It is
 * reflected only when the app's `allowedOrigins` let it in; a preflight, which
 * names no app, is allowed when some app would. Register before the auth hook,
 * so a preflight is answered before anyone asks it for credentials.
 */
export function registerCors(app: FastifyInstance, store: Store): void {
  app.decorateRequest('chatApp', null);

  // Callback hooks: every request but a preflight (and, below, every answer to a request without an Origin) passes with one test and no promise.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'OPTIONS') return done();
    answerPreflight(store, request, reply).catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
  });

  // The router must know OPTIONS for the hook above to see it; the hook answers before this handler would.
  app.options('*', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) =>
    sendError(request, reply, 'not_found', `no route OPTIONS ${request.url.split('?')[0]}`),
  );

  app.addHook('onSend', (request, reply, payload, done) => {
    const origin = request.headers.origin;
    if (origin === undefined || request.method === 'OPTIONS') return done(null, payload);
    addVary(reply, 'Origin');
    mayRead(store, request, origin).then(
      (allowed) => {
        if (allowed) {
          reply.header('access-control-allow-origin', origin);
          reply.header('access-control-expose-headers', EXPOSED_HEADERS);
        }
        done(null, payload);
      },
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  });
}
