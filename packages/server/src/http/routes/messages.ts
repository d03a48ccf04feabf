import { ChannelParams, MessageResponse, SendMessageBody } from '@chatsdk/protocol/schemas';
import { sendMessage } from '../../domain/send-message.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['messages'];

/** Sending messages. */
export function messageRoutes(app: TypedApp, ctx: ServerContext): void {
  app.post(
    '/api/channels/:id/messages',
    {
      config: { access: 'any' },
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
      const { message, created } = await sendMessage(ctx, actorOf(request), request.params.id, request.body);
      return reply.code(created ? 201 : 200).send({ message });
    },
  );
}
