import type { ErrorBody, UserResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRecord } from '../src/domain/auth/apps.js';
import { Hs256Key } from '../src/domain/auth/hs256.js';
import { AUDIENCE } from '../src/domain/auth/tokens.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { protocolSocket } from './helpers/protocol-socket.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** A user erased and created again under the same id is a new user: no token of the old one may speak for them. */
describe.each(storeKinds)('tokens of an erased user on %s', (kind) => {
  let t: TestServer;
  let apiKey: string;
  let app: AppRecord;

  beforeAll(async () => {
    t = await startTestServer(kind);
    ({ apiKey, app } = await t.createApp('Recreated'));
  });
  afterAll(() => t.close());

  const me = (token: string) => call<UserResponse>(t.baseUrl, '/api/users/me', { token });
  /** The connect reply to a wsToken, on a bare socket. */
  const connectWith = async (wsToken: string) => {
    const socket = protocolSocket(t.baseUrl);
    await socket.send({ id: 1, connect: { token: wsToken } });
    const reply = await socket.reply(1);
    socket.ws.close();
    return reply;
  };

  it('refuses the old token and wsToken, revoked or not, after DELETE ?hard=true and a new POST /tokens for the id', async () => {
    for (const revokeFirst of [true, false]) {
      const userId = revokeFirst ? 'revoked-then-erased' : 'erased';
      const old = await issueTokens(t.baseUrl, apiKey, { userId });
      expect((await me(old.token)).status).toBe(200);
      if (revokeFirst) {
        expect((await call(t.baseUrl, `/api/users/${userId}/revoke-tokens`, { method: 'POST', apiKey })).status).toBe(200);
      }
      expect((await call(t.baseUrl, `/api/users/${userId}?hard=true`, { method: 'DELETE', apiKey })).status).toBeLessThan(300);
      const fresh = await issueTokens(t.baseUrl, apiKey, { userId });

      const refused = await me(old.token);
      expectError(refused, 'token_revoked', 401);
      expect((refused.body as unknown as ErrorBody).error.message).toMatch(/before this user was created/);
      // The socket answers as for an expired token: the client asks its backend for a new one.
      expect(await connectWith(old.wsToken)).toMatchObject({ id: 1, error: { code: 109 } });

      expect((await me(fresh.token)).body.user.id).toBe(userId);
      expect(await connectWith(fresh.wsToken)).toMatchObject({ id: 1, connect: { client: expect.any(String) } });
    }
  });

  it('judges a token dated to the second only (no ims) by its whole second', async () => {
    await issueTokens(t.baseUrl, apiKey, { userId: 'seconds' });
    const key = new Hs256Key(app.jwtSecret);
    const at = (second: number) => key.sign({ sub: 'seconds', app: app.id, aud: AUDIENCE.rest, iat: second, exp: second + 3600 });
    const thisSecond = Math.floor(Date.now() / 1000);
    // Issued in the second the user was created, or after: it may well be later than the row.
    expect((await me(at(thisSecond))).status).toBe(200);
    // A second wholly before the row belongs to an earlier user of the id.
    expectError(await me(at(thisSecond - 5)), 'token_revoked', 401);
  });
});
