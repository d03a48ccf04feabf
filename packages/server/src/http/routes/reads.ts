import { ChannelParams, ListReadsQuery, MarkReadBody, ReadResponse, ReadsPage, UnreadResponse } from '@chatsdk/protocol/schemas';
import { listReads, markRead, unreadSummary } from '../../domain/reads/reads.js';
import { actorOf, userActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['reads'];

/** Read state: marking read, read receipts, unread totals. */
export function readRoutes(app: TypedApp, ctx: ServerContext): void {
  app.post(
    '/api/channels/:id/read',
    {
      // No body at all means `{}`: read up to the newest message.
      config: { access: 'user', optionalBody: true },
      schema: {
        tags,
        summary: 'Mark the channel read up to a message (default: the newest); a read position never moves back',
        security: security.user,
        params: ChannelParams,
        body: MarkReadBody,
        response: { 200: ReadResponse, ...errorResponses },
      },
    },
    async (request) => markRead(ctx, userActor(request), request.params.id, request.body),
  );

  app.get(
    '/api/channels/:id/read',
    {
      config: { access: 'any' },
      schema: {
        tags,
        summary: "Every member's read position (read receipts), by user id; empty for types without read events",
        security: security.any,
        params: ChannelParams,
        querystring: ListReadsQuery,
        response: { 200: ReadsPage, ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      return listReads(ctx, actorOf(request), request.params.id, { limit: limit ?? 25, ...(cursor ? { cursor } : {}) });
    },
  );

  // Three segments under /api/users/me: no clash with /api/users/:id, and the router prefers the static `me`.
  app.get(
    '/api/users/me/unread',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Your unread messages and mentions: totals and per channel (channels with either)',
        security: security.user,
        response: { 200: UnreadResponse, ...errorResponses },
      },
    },
    async (request) => unreadSummary(ctx, userActor(request)),
  );
}
