import { LIMITS } from '@chatsdk/protocol';
import { PresenceQuery, PresenceResponse } from '@chatsdk/protocol/schemas';
import { toIso } from '../../domain/common/ids.js';
import { listUsers } from '../../domain/users/users.js';
import { ApiError } from '../../errors.js';
import { userPresenceKey } from '../../presence/index.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

/** Who is online: what a member list or a DM header shows beside a name. */
export function presenceRoutes(app: TypedApp, ctx: ServerContext): void {
  app.get(
    '/api/users/presence',
    {
      config: { access: 'any' },
      schema: {
        tags: ['users'],
        summary: 'Whether users are online (have a live connection on any server process) and when they were last active',
        security: security.any,
        querystring: PresenceQuery,
        response: { 200: PresenceResponse, ...errorResponses },
      },
    },
    async (request) => {
      const ids = [...new Set(request.query.ids.split(',').map((id) => id.trim()).filter(Boolean))];
      if (ids.length > LIMITS.usersPerBatch) {
        throw new ApiError('validation_failed', `querystring/ids may list at most ${LIMITS.usersPerBatch} ids`);
      }
      const appId = actorOf(request).app.id;
      // Unknown and deleted users are left out, as in GET /api/users?ids=.
      const { users } = await listUsers(ctx.store, appId, { ids, custom: [], limit: LIMITS.usersPerBatch });
      const online = await ctx.presence.nonEmpty(users.map((user) => userPresenceKey(appId, user.id)));
      return {
        users: users.map((user, i) => ({
          userId: user.id,
          online: online[i] ?? false,
          lastActiveAt: user.lastActiveAt === null ? null : toIso(user.lastActiveAt),
        })),
      };
    },
  );
}
