import { MessageParams, ReactionParams, ReactionResponse, SendReactionBody } from '@chatsdk/protocol/schemas';
import { deleteReaction, sendReaction } from '../../domain/messages/reactions.js';
import { userActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['reactions'];
// A reaction is a user's own: the body names no user, so the server has no one to react as.
const config = { access: 'user' } as const;

/** Reactions on messages: add (or re-score) and remove the caller's own. */
export function reactionRoutes(app: TypedApp, ctx: ServerContext): void {
  app.post(
    '/api/messages/:id/reactions',
    {
      config,
      schema: {
        tags,
        summary: 'React to a message (201), or set the score of your reaction of that type (200); enforceUnique replaces your others',
        security: security.user,
        params: MessageParams,
        body: SendReactionBody,
        response: { 200: ReactionResponse, 201: ReactionResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { created, ...answer } = await sendReaction(ctx, userActor(request), request.params.id, request.body);
      return reply.code(created ? 201 : 200).send(answer);
    },
  );

  app.delete(
    '/api/messages/:id/reactions/:type',
    {
      config,
      schema: {
        tags,
        summary: 'Remove your reaction of this type; answers the message and the removed reaction',
        security: security.user,
        params: ReactionParams,
        response: { 200: ReactionResponse, ...errorResponses },
      },
    },
    async (request) => deleteReaction(ctx, userActor(request), request.params.id, request.params.type),
  );
}
