import {
  ChannelParams,
  ChannelResponse,
  ChannelsPage,
  CreateChannelBody,
  ListChannelsQuery,
  UpdateChannelBody,
} from '@chatsdk/protocol/schemas';
import { listChannels } from '../../domain/channels/channel-list.js';
import { createChannel, deleteChannel, getChannel, truncateChannel, updateChannel } from '../../domain/channels/channels.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['channels'];
const config = { access: 'any' } as const;

/** Channels: create (or find the distinct one), read, change, delete, truncate. */
export function channelRoutes(app: TypedApp, ctx: ServerContext): void {
  app.post(
    '/api/channels',
    {
      config,
      schema: {
        tags,
        summary: 'Create a channel; with distinct: true, the one channel of this type for exactly these members',
        security: security.any,
        body: CreateChannelBody,
        response: { 200: ChannelResponse, 201: ChannelResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { state, created } = await createChannel(ctx, actorOf(request), request.body);
      return reply.code(created ? 201 : 200).send(state);
    },
  );

  app.get(
    '/api/channels',
    {
      config,
      schema: {
        tags,
        summary: "The caller's channels (joined=false: listed channels not joined) with filters, sorted, in keyset pages",
        security: security.any,
        querystring: ListChannelsQuery,
        response: { 200: ChannelsPage, ...errorResponses },
      },
    },
    async (request) => {
      const { type, q, member, joined, hasUnread, archived, sort, limit, cursor, ...rest } = request.query as typeof request.query &
        Record<string, string>;
      const custom = Object.entries(rest)
        .filter(([key]) => key.startsWith('custom.'))
        .map(([key, value]): [string, string] => [key.slice('custom.'.length), String(value)]);
      return listChannels(ctx, actorOf(request), {
        ...(type !== undefined ? { type } : {}),
        ...(q !== undefined ? { q } : {}),
        ...(member !== undefined ? { member } : {}),
        ...(joined !== undefined ? { joined } : {}),
        ...(hasUnread !== undefined ? { hasUnread } : {}),
        ...(archived !== undefined ? { archived } : {}),
        ...(sort !== undefined ? { sort } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
        custom,
      });
    },
  );

  app.get(
    '/api/channels/:id',
    { config, schema: { tags, summary: 'A channel with its last message and your membership', security: security.any, params: ChannelParams, response: { 200: ChannelResponse, ...errorResponses } } },
    async (request) => getChannel(ctx, actorOf(request), request.params.id),
  );

  app.patch(
    '/api/channels/:id',
    {
      config,
      schema: { tags, summary: 'Change name, image or custom data (owners and admins), or freeze, slow mode and blocklists (moderators and above)', security: security.any, params: ChannelParams, body: UpdateChannelBody, response: { 200: ChannelResponse, ...errorResponses } },
    },
    async (request) => updateChannel(ctx, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/channels/:id',
    { config, schema: { tags, summary: 'Delete a channel (its owner or the server)', security: security.any, params: ChannelParams, response: { 204: { type: 'null' }, ...errorResponses } } },
    async (request, reply) => {
      await deleteChannel(ctx, actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/channels/:id/truncate',
    { config, schema: { tags, summary: 'Remove every message of the channel (admins and the server)', security: security.any, params: ChannelParams, response: { 200: ChannelResponse, ...errorResponses } } },
    async (request) => truncateChannel(ctx, actorOf(request), request.params.id),
  );
}
