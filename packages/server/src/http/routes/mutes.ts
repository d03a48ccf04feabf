import type { FastifyRequest } from 'fastify';
import { MutesResponse, UserParams } from '@chatsdk/protocol/schemas';
import { listMutes, muteUser, unmuteUser } from '../../domain/moderation/mutes.js';
import { userActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['mutes'];
// Muting is one user's choice about another: only a user's own token speaks for it.
const config = { access: 'user' } as const;

/** The app and user a mute list belongs to: the caller's own. */
function muter(request: FastifyRequest): [appId: string, userId: string] {
  const { app, user } = userActor(request);
  return [app.id, user.id];
}

/** Muting users: mute, unmute, and the caller's mutes. */
export function muteRoutes(app: TypedApp, ctx: ServerContext): void {
  app.post(
    '/api/users/:id/mute',
    {
      config,
      schema: {
        tags,
        summary: "Mute a user: their messages stop counting in your unread counts (they still arrive); answers your mutes",
        security: security.user,
        params: UserParams,
        response: { 200: MutesResponse, ...errorResponses },
      },
    },
    async (request) => ({ mutes: await muteUser(ctx.store, ...muter(request), request.params.id) }),
  );

  app.delete(
    '/api/users/:id/mute',
    {
      config,
      schema: { tags, summary: 'Unmute a user; answers your mutes', security: security.user, params: UserParams, response: { 200: MutesResponse, ...errorResponses } },
    },
    async (request) => ({ mutes: await unmuteUser(ctx.store, ...muter(request), request.params.id) }),
  );

  app.get(
    '/api/users/me/mutes',
    {
      config,
      schema: { tags, summary: 'The users you have muted, newest first', security: security.user, response: { 200: MutesResponse, ...errorResponses } },
    },
    async (request) => ({ mutes: await listMutes(ctx.store, ...muter(request)) }),
  );
}
