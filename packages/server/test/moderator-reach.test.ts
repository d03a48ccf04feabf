import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/**
 * The decision, as Stream makes it for moderators of a channel type: an
 * app-wide moderator or admin (the role the customer's backend gives) reads
 * every channel of the app, direct messages included, because reviewing a
 * report needs the conversation. A channel-level moderator reaches only that
 * channel, and other users never read a DM they are not in.
 */
describe.each(storeKinds)('who reads a direct conversation on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let moderator: string;
  let dm: string;

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol']);
    ({ token: moderator } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'mod', role: 'moderator' }));
    dm = (await createChannel(t, { token: chat.users.alice?.token }, { type: 'messaging', members: ['alice', 'bob'], distinct: true })).channel.id;
    await send(t, { token: chat.users.alice?.token }, dm, { text: 'just between us' });
  });
  afterAll(() => t.close());

  it('an app moderator reads it; another user cannot even see it', async () => {
    const read = await call<{ messages: Array<{ text: string }> }>(t.baseUrl, `/api/channels/${dm}/messages`, { token: moderator });
    expect(read.status).toBe(200);
    expect(read.body.messages.map((m) => m.text)).toEqual(['just between us']);
    expectError(await call(t.baseUrl, `/api/channels/${dm}/messages`, { token: chat.users.carol?.token }), 'channel_not_found', 404);
    expectError(await call(t.baseUrl, `/api/channels/${dm}`, { token: chat.users.carol?.token }), 'channel_not_found', 404);
  });

  it('an app moderator does not write in it without joining', async () => {
    const reply = await call(t.baseUrl, `/api/channels/${dm}/messages`, { token: moderator, body: { text: 'moderator here' } });
    expectError(reply, 'forbidden', 403);
  });
});
