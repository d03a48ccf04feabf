import { SearchQuery, SearchResponse } from '@chatsdk/protocol/schemas';
import { searchMessages } from '../../domain/search/search.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

/** Message search. */
export function searchRoutes(app: TypedApp, ctx: ServerContext): void {
  app.get(
    '/api/search',
    {
      config: { access: 'any' },
      schema: {
        tags: ['messages'],
        summary:
          'Live messages holding every word of q (case-insensitive, last word also as a prefix), newest first: a user searches the channels they joined (or the readable channelIds given), the server the whole app (or the channelIds given)',
        security: security.any,
        querystring: SearchQuery,
        response: { 200: SearchResponse, ...errorResponses },
      },
    },
    async (request) => searchMessages(ctx, actorOf(request), request.query),
  );
}
