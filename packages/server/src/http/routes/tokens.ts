import { CreateTokenBody, CreateTokenResponse } from '@chatsdk/protocol/schemas';
import { issueTimeFor } from '../../domain/auth/caller.js';
import { toWireUser, upsertUsers } from '../../domain/users/users.js';
import { serverActor } from '../auth.js';
import type { ServerContext } from '../context.js';
import { setNoStore } from '../response-headers.js';
import { errorResponses, security, type TypedApp } from '../typed.js';

/** `POST /tokens` (and `/api/tokens`): the customer's backend upserts a user and gets their tokens. */
export function tokenRoutes(app: TypedApp, ctx: ServerContext): void {
  for (const url of ['/api/tokens', '/tokens']) {
    app.post(
      url,
      {
        config: { access: 'server' },
        schema: {
          tags: ['tokens'],
          summary: 'Upsert a user and issue their REST token and WebSocket wsToken',
          security: security.server,
          body: CreateTokenBody,
          response: { 200: CreateTokenResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { app: chatApp } = serverActor(request);
        const { userId, expiresIn, ...fields } = request.body;
        const [user] = await upsertUsers(ctx.store, chatApp.id, [{ id: userId, ...fields }]);
        if (!user) throw new Error('upsert returned no user');
        // A caller may shorten the app's lifetime, never extend it.
        const ttl = Math.min(expiresIn ?? chatApp.tokenTtlSeconds, chatApp.tokenTtlSeconds);
        const { token, wsToken } = ctx.tokens.issue(chatApp, user.id, ttl, issueTimeFor(user));
        setNoStore(reply);
        return { token, wsToken, user: toWireUser(user), expiresIn: ttl };
      },
    );
  }
}
