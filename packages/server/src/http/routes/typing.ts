import { ChannelParams, TypingBody } from '@chatsdk/protocol/schemas';
import { recordTyping } from '../../domain/channels/typing.js';
import { userActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

/** Typing indicators: published to the channel's subscribers, never stored. */
export function typingRoutes(app: TypedApp, ctx: ServerContext): void {
  app.post(
    '/api/channels/:id/typing',
    {
      config: { access: 'user' },
      schema: {
        tags: ['realtime'],
        summary: 'A keystroke ({ typing: true }) or a stop; starts are throttled, a stop follows 7 s of silence',
        security: security.user,
        params: ChannelParams,
        body: TypingBody,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      await recordTyping(ctx, userActor(request), request.params.id, request.body);
      return reply.code(204).send(null);
    },
  );
}
