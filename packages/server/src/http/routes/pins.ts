import { ChannelParams, MessageParams, MessageResponse, PinnedPage, PinnedQuery } from '@chatsdk/protocol/schemas';
import { listPinned, setPinned } from '../../domain/messages/pins.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['messages'];
const config = { access: 'any' } as const;

/** Pinned messages: pin, unpin, list. */
export function pinRoutes(app: TypedApp, ctx: ServerContext): void {
  const pinSchema = (summary: string) => ({ tags, summary, security: security.any, params: MessageParams, response: { 200: MessageResponse, ...errorResponses } });

  app.post(
    '/api/messages/:id/pin',
    { config, schema: pinSchema('Pin a message (members of its channel and the server)') },
    async (request) => ({ message: await setPinned(ctx, actorOf(request), request.params.id, true) }),
  );

  app.delete(
    '/api/messages/:id/pin',
    { config, schema: pinSchema('Unpin a message (members of its channel and the server)') },
    async (request) => ({ message: await setPinned(ctx, actorOf(request), request.params.id, false) }),
  );

  app.get(
    '/api/channels/:id/pinned',
    {
      config,
      schema: {
        tags,
        summary: "The channel's pinned messages, most recently pinned first",
        security: security.any,
        params: ChannelParams,
        querystring: PinnedQuery,
        response: { 200: PinnedPage, ...errorResponses },
      },
    },
    async (request) => listPinned(ctx, actorOf(request), request.params.id, request.query),
  );
}
