import { FlagBody, FlagParams, FlagResponse, FlagsPage, ListFlagsQuery, MessageParams, ReviewFlagBody, ReviewFlagResponse, UserParams } from '@chatsdk/protocol/schemas';
import { requireAppModerator } from '../../domain/moderation/app-moderators.js';
import { listFlags } from '../../domain/review/flag-queue.js';
import { flagMessage, flagUser } from '../../domain/review/report-flags.js';
import { reviewFlag } from '../../domain/review/review-flag.js';
import { actorOf, userActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['moderation'];

/** Moderation routes: flags (a user's report of a message or a user) and the review queue. */
export function flagRoutes(app: TypedApp, ctx: ServerContext): void {
  // A report is a user's own word: the server moderates directly instead (bans, deletes).
  const reporter = { access: 'user' } as const;
  const reviewer = { access: 'any' } as const;

  app.post(
    '/api/messages/:id/flag',
    {
      config: reporter,
      schema: {
        tags,
        summary: "Report a message of a channel you can read, for moderators to review: once per user (201 first, 200 again); not your own",
        security: security.user,
        params: MessageParams,
        body: FlagBody,
        response: { 200: FlagResponse, 201: FlagResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await flagMessage(ctx, userActor(request), request.params.id, request.body);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.post(
    '/api/users/:id/flag',
    {
      config: reporter,
      schema: {
        tags,
        summary: 'Report a user of your app, for moderators to review: once per user (201 first, 200 again); not yourself',
        security: security.user,
        params: UserParams,
        body: FlagBody,
        response: { 200: FlagResponse, 201: FlagResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await flagUser(ctx, userActor(request), request.params.id, request.body);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.get(
    '/api/moderation/flags',
    {
      config: reviewer,
      schema: {
        tags,
        summary: 'The review queue, for app moderators and the key: pending flags oldest first (default), or reviewed ones newest first',
        security: security.any,
        querystring: ListFlagsQuery,
        response: { 200: FlagsPage, ...errorResponses },
      },
    },
    async (request) => {
      const caller = actorOf(request);
      requireAppModerator(caller);
      return listFlags(ctx.store, caller.app.id, request.query);
    },
  );

  app.post(
    '/api/moderation/flags/:id/review',
    {
      config: reviewer,
      schema: {
        tags,
        summary: "Review a flag: dismiss (un-hides), delete_message (hard: the key only), ban_user or shadow_ban_user (timeoutMinutes, channelOnly); answers the flag",
        security: security.any,
        params: FlagParams,
        body: ReviewFlagBody,
        response: { 200: ReviewFlagResponse, ...errorResponses },
      },
    },
    async (request) => ({ flag: await reviewFlag(ctx, actorOf(request), request.params.id, request.body) }),
  );
}
