import { ListMentionsQuery, MentionsPage } from '@chatsdk/protocol/schemas';
import { listMentions } from '../../domain/messages/mentions.js';
import { userActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

/** The calling user's mentions. */
export function mentionRoutes(app: TypedApp, ctx: ServerContext): void {
  app.get(
    '/api/mentions',
    {
      // The server has no "me": whose mentions would it list?
      config: { access: 'user' },
      schema: {
        tags: ['messages'],
        summary: 'Messages that mention you, newest first, in channels you can still read',
        security: security.user,
        querystring: ListMentionsQuery,
        response: { 200: MentionsPage, ...errorResponses },
      },
    },
    async (request) => listMentions(ctx.store.db, userActor(request), request.query),
  );
}
