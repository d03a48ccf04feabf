import { BanBody, BanParams, BanResponse, BansPage, LiftBanQuery, ListBansQuery } from '@chatsdk/protocol/schemas';
import { banUser, liftBan } from '../../domain/moderation/ban-admin.js';
import { listBans } from '../../domain/moderation/ban-list.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['moderation'];
// The key, app moderators and admins for app bans; a channel's moderators for its own (checked in the domain).
const config = { access: 'any' } as const;

/** Moderation routes: bans (ban, lift, list). */
export function banRoutes(app: TypedApp, ctx: ServerContext): void {
  app.post(
    '/api/moderation/bans',
    {
      config,
      schema: {
        tags,
        summary: 'Ban a user from the app, or from one channel with channelId; banning again replaces the ban (200), a new ban is 201',
        security: security.any,
        body: BanBody,
        response: { 200: BanResponse, 201: BanResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { ban, replaced } = await banUser(ctx, actorOf(request), request.body);
      return reply.code(replaced ? 200 : 201).send({ ban });
    },
  );

  app.delete(
    '/api/moderation/bans/:userId',
    {
      config,
      schema: {
        tags,
        summary: 'Lift a ban (app-wide, or from channelId); answers the ban that was lifted',
        security: security.any,
        params: BanParams,
        querystring: LiftBanQuery,
        response: { 200: BanResponse, ...errorResponses },
      },
    },
    async (request) => ({ ban: await liftBan(ctx, actorOf(request), request.params.userId, request.query.channelId) }),
  );

  app.get(
    '/api/moderation/bans',
    {
      config,
      schema: {
        tags,
        summary: "Bans in force, newest first: the app's (app-wide and per channel), or one channel's with channelId",
        security: security.any,
        querystring: ListBansQuery,
        response: { 200: BansPage, ...errorResponses },
      },
    },
    async (request) => listBans(ctx, actorOf(request), request.query),
  );
}
