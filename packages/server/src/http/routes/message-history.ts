import { ChannelParams, ListMessagesQuery, MessageParams, MessagesPage } from '@chatsdk/protocol/schemas';
import { listChannelMessages, listReplies } from '../../domain/messages/message-history.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['messages'];
const config = { access: 'any' } as const;

/** Paging a channel's timeline and a thread, by message sequence. */
export function messageHistoryRoutes(app: TypedApp, ctx: ServerContext): void {
  app.get(
    '/api/channels/:id/messages',
    {
      config,
      schema: {
        tags,
        summary: 'A page of the channel, newest first: before=N, after=N or around=N (at most one), limit up to 200',
        security: security.any,
        params: ChannelParams,
        querystring: ListMessagesQuery,
        response: { 200: MessagesPage, ...errorResponses },
      },
    },
    async (request) => listChannelMessages(ctx, actorOf(request), request.params.id, request.query),
  );

  app.get(
    '/api/messages/:id/replies',
    {
      config,
      schema: {
        tags,
        summary: "A page of a thread's replies, newest first, paged like a channel",
        security: security.any,
        params: MessageParams,
        querystring: ListMessagesQuery,
        response: { 200: MessagesPage, ...errorResponses },
      },
    },
    async (request) => listReplies(ctx, actorOf(request), request.params.id, request.query),
  );
}
