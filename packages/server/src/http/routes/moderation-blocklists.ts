import { BlocklistParams, BlocklistResponse, BlocklistsResponse, CreateBlocklistBody, UpdateBlocklistBody } from '@chatsdk/protocol/schemas';
import { createBlocklist, deleteBlocklist, getBlocklist, listBlocklists, updateBlocklist } from '../../domain/moderation/blocklists.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['moderation'];
// The key, app moderators and admins (checked in the domain, `requireAppModerator`).
const config = { access: 'any' } as const;

/** Moderation routes: blocklists (create, list, change, delete). */
export function blocklistRoutes(app: TypedApp, ctx: ServerContext): void {
  app.post(
    '/api/moderation/blocklists',
    {
      config,
      schema: {
        tags,
        summary: 'Add a blocklist: words (case- and accent-insensitive, on word boundaries) and RE2 patterns, in block, flag or mask mode',
        security: security.any,
        body: CreateBlocklistBody,
        response: { 201: BlocklistResponse, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(201).send({ blocklist: await createBlocklist(ctx.store, actorOf(request), request.body) }),
  );

  app.get(
    '/api/moderation/blocklists',
    { config, schema: { tags, summary: "The app's blocklists, by name", security: security.any, response: { 200: BlocklistsResponse, ...errorResponses } } },
    async (request) => ({ blocklists: await listBlocklists(ctx.store, actorOf(request)) }),
  );

  app.get(
    '/api/moderation/blocklists/:name',
    {
      config,
      schema: { tags, summary: 'One blocklist', security: security.any, params: BlocklistParams, response: { 200: BlocklistResponse, ...errorResponses } },
    },
    async (request) => ({ blocklist: await getBlocklist(ctx.store, actorOf(request), request.params.name) }),
  );

  app.patch(
    '/api/moderation/blocklists/:name',
    {
      config,
      schema: {
        tags,
        summary: 'Change a blocklist: each field given replaces the old one (words are not merged)',
        security: security.any,
        params: BlocklistParams,
        body: UpdateBlocklistBody,
        response: { 200: BlocklistResponse, ...errorResponses },
      },
    },
    async (request) => ({ blocklist: await updateBlocklist(ctx.store, actorOf(request), request.params.name, request.body) }),
  );

  app.delete(
    '/api/moderation/blocklists/:name',
    {
      config,
      schema: {
        tags,
        summary: "Delete a blocklist; its name leaves every channel's blocklists",
        security: security.any,
        params: BlocklistParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteBlocklist(ctx.store, actorOf(request), request.params.name);
      return reply.code(204).send(null);
    },
  );
}
