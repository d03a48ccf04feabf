import { BlocksResponse, UserParams } from '@chatsdk/protocol/schemas';
import { blockUser, listBlocks, unblockUser } from '../../domain/blocks.js';
import { userActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['blocks'];
// Blocking is one user's choice about another: only a user's own token speaks for it.
const config = { access: 'user' } as const;

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
    async (request) => ({ blocks: await blockUser(ctx.store, userActor(request), request.params.id) }),
  );

  app.delete(
    '/api/users/:id/block',
    {
      config,
      schema: { tags, summary: 'Unblock a user; answers your block list', security: security.user, params: UserParams, response: { 200: BlocksResponse, ...errorResponses } },
    },
    async (request) => ({ blocks: await unblockUser(ctx.store, userActor(request), request.params.id) }),
  );

  app.get(
    '/api/users/me/blocks',
    {
      config,
      schema: { tags, summary: 'The users you have blocked, newest first', security: security.user, response: { 200: BlocksResponse, ...errorResponses } },
    },
    async (request) => ({ blocks: await listBlocks(ctx.store, userActor(request)) }),
  );
}
