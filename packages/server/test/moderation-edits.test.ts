import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/**
 * An edit writes into the channel as a send does: a ban or a freeze that
 * stops a member's sends stops their edits too (otherwise a banned user
 * could rewrite what they had said, and a frozen channel would still move).
 */
describe.each(storeKinds)('edits under bans and freezes on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let moderator: string;
  const token = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const edit = (auth: { token: string }, id: string, text: string) => call<{ message: { text: string } }>(t.baseUrl, `/api/messages/${id}`, { ...auth, method: 'PATCH', body: { text } });
  const textOf = async (id: string) => (await call<{ message: { text: string } }>(t.baseUrl, `/api/messages/${id}`, { apiKey: chat.apiKey })).body.message.text;

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob']);
    ({ token: moderator } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'mod', role: 'moderator' }));
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id: 'room', members: ['alice', 'bob', 'mod'] });
  });
  afterAll(() => t.close());

  it('refuses a banned user’s edit with 403 user_banned and leaves the message as it was', async () => {
    const said = await send(t, token('bob'), 'room', { text: 'first words' });
    expect((await call(t.baseUrl, '/api/moderation/bans', { apiKey: chat.apiKey, body: { userId: 'bob', channelId: 'room' } })).status).toBe(201);
    expectError(await edit(token('bob'), said.id, 'rewritten'), 'user_banned', 403);
    expect(await textOf(said.id)).toBe('first words');
    expect((await call(t.baseUrl, '/api/moderation/bans/bob?channelId=room', { apiKey: chat.apiKey, method: 'DELETE' })).status).toBe(200);
    expect((await edit(token('bob'), said.id, 'rewritten')).status).toBe(200);
  });

  it('refuses a member’s edit in a frozen channel with 403 channel_frozen, and lets a moderator edit theirs', async () => {
    const members = await send(t, token('alice'), 'room', { text: 'before the freeze' });
    const mods = await send(t, { token: moderator }, 'room', { text: 'moderator speaking' });
    expect((await call(t.baseUrl, '/api/channels/room', { apiKey: chat.apiKey, method: 'PATCH', body: { frozen: true } })).status).toBe(200);
    expectError(await edit(token('alice'), members.id, 'sneaked in'), 'channel_frozen', 403);
    expect(await textOf(members.id)).toBe('before the freeze');
    const edited = await edit({ token: moderator }, mods.id, 'moderator, corrected');
    expect(edited.status).toBe(200);
    expect(edited.body.message.text).toBe('moderator, corrected');
  });
});
