import { LIMITS } from '@chatsdk/protocol';
import {
  DeleteUserQuery,
  ListUsersQuery,
  RevokeTokensResponse,
  UpdateMeBody,
  UpsertUsersBody,
  UserParams,
  UserResponse,
  UsersPage,
  UsersResponse,
} from '@chatsdk/protocol/schemas';
import { announceRevocation } from '../../domain/auth/revocations.js';
import { toIso } from '../../domain/common/ids.js';
import {
  deleteUser,
  getUser,
  listUsers,
  revokeUserTokens,
  toWireUser,
  updateUserProfile,
  upsertUsers,
} from '../../domain/users/users.js';
import { ApiError } from '../../errors.js';
import { actorOf, serverActor, userActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['users'];

function noSuchUser(id: string): ApiError {
  return new ApiError('user_not_found', `no user "${id}" in this app`);
}

/** Users: the caller's own profile, lookups and search, and the backend's administration. */
export function userRoutes(app: TypedApp, ctx: ServerContext): void {
  app.get(
    '/api/users/me',
    {
      config: { access: 'user' },
      schema: { tags, summary: 'The calling user', security: security.user, response: { 200: UserResponse, ...errorResponses } },
    },
    async (request) => ({ user: toWireUser(userActor(request).user) }),
  );

  app.patch(
    '/api/users/me',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: "Change the calling user's name or image (custom data and role belong to your backend)",
        security: security.user,
        body: UpdateMeBody,
        response: { 200: UserResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { app: chatApp, user } = userActor(request);
      const updated = await updateUserProfile(ctx.store, chatApp.id, user.id, request.body);
      if (!updated) throw noSuchUser(user.id);
      return { user: toWireUser(updated) };
    },
  );

  app.get(
    '/api/users/:id',
    {
      config: { access: 'any' },
      schema: { tags, summary: 'A user of the app', security: security.any, params: UserParams, response: { 200: UserResponse, ...errorResponses } },
    },
    async (request) => {
      const user = await getUser(ctx.store, actorOf(request).app.id, request.params.id);
      if (!user) throw noSuchUser(request.params.id);
      return { user: toWireUser(user) };
    },
  );

  app.get(
    '/api/users',
    {
      config: { access: 'any' },
      schema: {
        tags,
        summary: 'Users of the app by ids, name or id prefix (q) and custom.<key>=<value>, in pages ordered by id',
        security: security.any,
        querystring: ListUsersQuery,
        response: { 200: UsersPage, ...errorResponses },
      },
    },
    async (request) => {
      const { ids, q, limit, cursor, ...rest } = request.query as typeof request.query & Record<string, string>;
      const idList = ids === undefined ? undefined : ids.split(',').map((id) => id.trim()).filter(Boolean);
      if (idList && idList.length > LIMITS.usersPerBatch) {
        throw new ApiError('validation_failed', `querystring/ids may list at most ${LIMITS.usersPerBatch} ids`);
      }
      const custom = Object.entries(rest)
        .filter(([key]) => key.startsWith('custom.'))
        .map(([key, value]): [string, string] => [key.slice('custom.'.length), String(value)]);
      const page = await listUsers(ctx.store, actorOf(request).app.id, {
        ...(idList ? { ids: idList } : {}),
        ...(q ? { prefix: q } : {}),
        ...(cursor ? { cursor } : {}),
        custom,
        limit: limit ?? 25,
      });
      return { users: page.users.map(toWireUser), next: page.next };
    },
  );

  app.post(
    '/api/users',
    {
      config: { access: 'server' },
      schema: {
        tags,
        summary: 'Create or update up to 100 users at once',
        security: security.server,
        body: UpsertUsersBody,
        response: { 200: UsersResponse, ...errorResponses },
      },
    },
    async (request) => {
      const users = await upsertUsers(ctx.store, serverActor(request).app.id, request.body.users);
      return { users: users.map(toWireUser) };
    },
  );

  app.delete(
    '/api/users/:id',
    {
      config: { access: 'server' },
      schema: {
        tags,
        summary: 'Delete a user: soft by default (upserting restores them), ?hard=true erases the row',
        security: security.server,
        params: UserParams,
        querystring: DeleteUserQuery,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const appId = serverActor(request).app.id;
      const deleted = await deleteUser(ctx.store, appId, request.params.id, request.query.hard ?? false);
      if (!deleted) throw noSuchUser(request.params.id);
      await announceRevocation(ctx.bus, { appId, userId: request.params.id });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/users/:id/revoke-tokens',
    {
      config: { access: 'server' },
      schema: {
        tags,
        summary: 'Refuse every token of this user issued before now',
        security: security.server,
        params: UserParams,
        response: { 200: RevokeTokensResponse, ...errorResponses },
      },
    },
    async (request) => {
      const appId = serverActor(request).app.id;
      const at = await revokeUserTokens(ctx.store, appId, request.params.id);
      if (at === undefined) throw noSuchUser(request.params.id);
      await announceRevocation(ctx.bus, { appId, userId: request.params.id });
      return { userId: request.params.id, revokedBefore: toIso(at) };
    },
  );
}
