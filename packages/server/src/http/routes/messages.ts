import {
  ChannelParams,
  DeleteMessageQuery,
  MessageParams,
  MessageResponse,
  SendMessageBody,
  UpdateMessageBody,
} from '@chatsdk/protocol/schemas';
import { deleteMessage } from '../../domain/messages/message-deletes.js';
import { updateMessage } from '../../domain/messages/message-edits.js';
import { getMessage } from '../../domain/messages/message-history.js';
import { sendMessage } from '../../domain/messages/send-message.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['messages'];
const config = { access: 'any' } as const;

/** Messages: send, read one, edit, delete. */
export function messageRoutes(app: TypedApp, ctx: ServerContext): void {
  app.post(
    '/api/channels/:id/messages',
    {
      config,
      schema: {
        tags,
        summary: 'Send a message; a client-chosen id makes it idempotent (201 created, 200 for a resend)',
        security: security.any,
        params: ChannelParams,
        body: SendMessageBody,
        response: { 200: MessageResponse, 201: MessageResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const caller = actorOf(request);
      const { message, created, shadowed } = await sendMessage(ctx, caller, request.params.id, request.body);
      // A resend answers the original, whose previews were queued when it was created.
      // A shadowed message is nobody else's news: a preview would announce it (as message.updated).
      if (created && caller.app.linkPreviews && request.body.skipLinkPreviews !== true && shadowed !== true) {
        ctx.previews.schedule({ appId: caller.app.id, channelId: message.channelId, messageId: message.id }, message, request.log);
      }
      return reply.code(created ? 201 : 200).send({ message });
    },
  );

  app.get(
    '/api/messages/:id',
    {
      config,
      schema: { tags, summary: 'One message (a tombstone when deleted), for readers of its channel', security: security.any, params: MessageParams, response: { 200: MessageResponse, ...errorResponses } },
    },
    async (request) => ({ message: await getMessage(ctx, actorOf(request), request.params.id) }),
  );

  app.patch(
    '/api/messages/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Edit text, attachments or custom data (the author, or the server); sets editedAt',
        security: security.any,
        params: MessageParams,
        body: UpdateMessageBody,
        response: { 200: MessageResponse, ...errorResponses },
      },
    },
    async (request) => ({ message: await updateMessage(ctx, actorOf(request), request.params.id, request.body) }),
  );

  app.delete(
    '/api/messages/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a message: soft by its author or a moderator (200, the tombstone), ?hard=true by the server (204)',
        security: security.any,
        params: MessageParams,
        querystring: DeleteMessageQuery,
        response: { 200: MessageResponse, 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const message = await deleteMessage(ctx, actorOf(request), request.params.id, request.query.hard ?? false);
      return message ? reply.code(200).send({ message }) : reply.code(204).send(null);
    },
  );
}
