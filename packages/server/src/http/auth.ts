import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateApiKey } from '../domain/auth/api-keys.js';
import { type Caller, findUserWithApp, type ServerCaller, tokenRefusal, type UserCaller } from '../domain/auth/caller.js';
import { ApiError } from '../errors.js';
import type { ServerContext } from './context.js';
import { originAllowed } from './origins.js';

/** The caller of a request: the app's backend or one of its users. */
export type Actor = Caller;
export type ServerActor = ServerCaller;
export type UserActor = UserCaller;

/** Who may call a route: set as `config.access` on every route. */
export type Access = 'public' | 'server' | 'user' | 'any';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

async function resolveActor(ctx: ServerContext, request: FastifyRequest): Promise<Actor> {
  const apiKey = request.headers['x-api-key'];
  if (apiKey !== undefined) {
    const app = typeof apiKey === 'string' ? await authenticateApiKey(ctx.store, apiKey) : undefined;
    if (!app) throw new ApiError('invalid_api_key', 'the API key is unknown, revoked or expired');
    request.chatApp = app;
    return { kind: 'server', app };
  }
  const authorization = request.headers.authorization;
  if (authorization === undefined) {
    throw new ApiError('unauthorized', 'send Authorization: Bearer <token>, or X-API-Key from your backend');
  }
  const token = BEARER.exec(authorization)?.[1];
  if (!token) throw new ApiError('invalid_token', 'Authorization must be "Bearer <token>"');
  const verified = await ctx.tokens.verify(token, 'rest');
  const found = await findUserWithApp(ctx.store, verified.appId, verified.userId);
  const refusal = found ? tokenRefusal(found.user, verified) : 'gone';
  if (!found || refusal === 'gone') throw new ApiError('invalid_token', 'the user of this token no longer exists');
  const { user, app, appBan } = found;
  // Known from here on, so CORS follows this app's origins even on the refusals below.
  request.chatApp = app;
  if (refusal === 'revoked') throw new ApiError('token_revoked', "this token was issued before the user's tokens were revoked");
  if (refusal === 'before') throw new ApiError('token_revoked', 'this token was issued before this user was created');
  if (!originAllowed(app, request.headers.origin)) {
    throw new ApiError('origin_not_allowed', `origin ${request.headers.origin} is not allowed for this app`);
  }
  return { kind: 'user', app, user, appBan };
}

/**
 * Authenticates every route that declares `config.access`, before its body
 * is parsed: an anonymous caller learns nothing about what it sent.
 */
export function registerAuth(app: FastifyInstance, ctx: ServerContext): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    const actor = await resolveActor(ctx, request);
    if (access === 'server' && actor.kind !== 'server') {
      throw new ApiError('forbidden', "this route takes the app's X-API-Key: call it from your backend");
    }
    if (access === 'user' && actor.kind !== 'user') {
      throw new ApiError('forbidden', "this route acts as a user: send that user's Bearer token");
    }
    request.actor = actor;
  });
}

/** The caller of a route with `access: 'any'`. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new ApiError('unauthorized', 'this route needs credentials');
  return request.actor;
}

/** The caller of a route with `access: 'server'`. */
export function serverActor(request: FastifyRequest): ServerActor {
  const actor = actorOf(request);
  if (actor.kind !== 'server') throw new ApiError('forbidden', "this route takes the app's X-API-Key");
  return actor;
}

/** The caller of a route with `access: 'user'`. */
export function userActor(request: FastifyRequest): UserActor {
  const actor = actorOf(request);
  if (actor.kind !== 'user') throw new ApiError('forbidden', "this route acts as a user: send that user's Bearer token");
  return actor;
}
