import type { FastifyRequest } from 'fastify';
import { BlocksResponse, UserParams } from '@chatsdk/protocol/schemas';
import { blockUser, listBlocks, unblockUser } from '../../domain/users/blocks.js';
import { userActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['blocks'];
// Blocking is one user's choice about another: only a user's own token speaks for it.
const config = { access: 'user' } as const;

/** The app and user a block list belongs to: the caller's own. */
function blocker(request: FastifyRequest): [appId: string, userId: string] {
  const { app, user } = userActor(request);
  return [app.id, user.id];
}

/** Blocking users: block, unblock, and the caller's block list. */
export function blockRoutes(app: TypedApp, ctx: ServerContext): void {
  app.post(
    '/api/users/:id/block',
    {
      config,
      schema: {
        tags,
        summary: 'Block a user: their messages in direct channels with you are refused; answers your block list',
        security: security.user,
        params: UserParams,
        response: { 200: BlocksResponse, ...errorResponses },
      },
    },
    async (request) => ({ blocks: await blockUser(ctx.store, ...blocker(request), request.params.id) }),
  );

  app.delete(
    '/api/users/:id/block',
    {
      config,
      schema: { tags, summary: 'Unblock a user; answers your block list', security: security.user, params: UserParams, response: { 200: BlocksResponse, ...errorResponses } },
    },
    async (request) => ({ blocks: await unblockUser(ctx.store, ...blocker(request), request.params.id) }),
  );

  app.get(
    '/api/users/me/blocks',
    {
      config,
      schema: { tags, summary: 'The users you have blocked, newest first', security: security.user, response: { 200: BlocksResponse, ...errorResponses } },
    },
    async (request) => ({ blocks: await listBlocks(ctx.store, ...blocker(request)) }),
  );
}
