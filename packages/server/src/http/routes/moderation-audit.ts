import { AuditPage, DeleteUserMessagesBody, DeleteUserMessagesResponse, ListAuditQuery, UserId } from '@chatsdk/protocol/schemas';
import { Type } from 'typebox';
import { listAudit } from '../../domain/audit/audit-log.js';
import { requireAppModerator } from '../../domain/moderation/app-moderators.js';
import { deleteUserMessages } from '../../domain/review/bulk-deletes.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['moderation'];
// Users with a moderating role and the app's backend alike: each handler checks how far the caller reaches.
const config = { access: 'any' } as const;

/** Path parameters naming the user whose messages go. */
const UserMessagesParams = Type.Object({ userId: UserId });

/** Moderation routes: the moderation audit log and bulk deletes of a user's messages. */
export function auditRoutes(app: TypedApp, ctx: ServerContext): void {
  app.get(
    '/api/moderation/audit',
    {
      config,
      schema: {
        tags,
        summary: 'Every moderation action (who, what, target, reason, when), newest first: app moderators and admins, or the API key',
        security: security.any,
        querystring: ListAuditQuery,
        response: { 200: AuditPage, ...errorResponses },
      },
    },
    async (request) => {
      const caller = actorOf(request);
      requireAppModerator(caller);
      return listAudit(ctx.store, caller.app.id, request.query);
    },
  );

  app.post(
    '/api/moderation/users/:userId/delete-messages',
    {
      config,
      schema: {
        tags,
        summary:
          "Delete every message of a user in one channel (its moderators) or the whole app (app moderators, the API key); hard: true erases them (the API key only)",
        security: security.any,
        params: UserMessagesParams,
        body: DeleteUserMessagesBody,
        response: { 200: DeleteUserMessagesResponse, ...errorResponses },
      },
    },
    async (request) => deleteUserMessages(ctx, actorOf(request), request.params.userId, request.body),
  );
}
