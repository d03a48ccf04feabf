import {
  AddMembersBody,
  ChannelParams,
  ListMembersQuery,
  MemberParams,
  MemberResponse,
  MembersPage,
  MembersResponse,
  MembershipResponse,
  UpdateMemberBody,
  UpdateMembershipBody,
} from '@chatsdk/protocol/schemas';
import { addMembers, listMembers, removeMember, setMemberRole, updateMembership } from '../../domain/channels/members.js';
import { actorOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

const tags = ['members'];
const config = { access: 'any' } as const;

/** Channel members and the caller's own membership settings. */
export function memberRoutes(app: TypedApp, ctx: ServerContext): void {
  app.get(
    '/api/channels/:id/members',
    {
      config,
      schema: { tags, summary: 'Members of a channel, in pages ordered by user id', security: security.any, params: ChannelParams, querystring: ListMembersQuery, response: { 200: MembersPage, ...errorResponses } },
    },
    async (request) => listMembers(ctx, actorOf(request), request.params.id, request.query),
  );

  app.post(
    '/api/channels/:id/members',
    {
      config,
      schema: {
        tags,
        summary: 'Add members (moderators and above), or join an open channel yourself',
        security: security.any,
        params: ChannelParams,
        body: AddMembersBody,
        response: { 200: MembersResponse, ...errorResponses },
      },
    },
    async (request) => ({ members: await addMembers(ctx, actorOf(request), request.params.id, request.body) }),
  );

  app.patch(
    '/api/channels/:id/members/:userId',
    {
      config,
      schema: { tags, summary: "Change a member's role, never above your own", security: security.any, params: MemberParams, body: UpdateMemberBody, response: { 200: MemberResponse, ...errorResponses } },
    },
    async (request) => ({ member: await setMemberRole(ctx, actorOf(request), request.params.id, request.params.userId, request.body.role) }),
  );

  app.delete(
    '/api/channels/:id/members/:userId',
    {
      config,
      schema: { tags, summary: 'Remove a member (moderators, over lower roles), or leave (your own id)', security: security.any, params: MemberParams, response: { 204: { type: 'null' }, ...errorResponses } },
    },
    async (request, reply) => {
      await removeMember(ctx, actorOf(request), request.params.id, request.params.userId);
      return reply.code(204).send(null);
    },
  );

  app.patch(
    '/api/channels/:id/membership',
    {
      config: { access: 'user' },
      schema: { tags, summary: 'Your own settings for a channel: muted, pinned, archived', security: security.user, params: ChannelParams, body: UpdateMembershipBody, response: { 200: MembershipResponse, ...errorResponses } },
    },
    async (request) => ({ membership: await updateMembership(ctx, actorOf(request), request.params.id, request.body) }),
  );
}
