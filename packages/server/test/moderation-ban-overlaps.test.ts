import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError, issueTokens } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/**
 * Where two moderation rules meet: a user banned in two ways is held by the
 * stricter, and a shadowed message cannot be brought into view by quoting it.
 */
describe.each(storeKinds)('bans that overlap, and quotes of shadowed messages, on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let moderator: string;
  const token = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const ban = (body: Record<string, unknown>) => call(t.baseUrl, '/api/moderation/bans', { apiKey: chat.apiKey, body });

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'troll', 'lurker']);
    ({ token: moderator } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'mod', role: 'moderator' }));
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id: 'room', members: ['alice', 'bob', 'troll', 'lurker', 'mod'], createdBy: 'alice' });
  });
  afterAll(() => t.close());

  it('refuses the sends of a user shadow-banned from the channel and banned from the app', async () => {
    expect((await ban({ userId: 'lurker', channelId: 'room', shadow: true })).status).toBe(201);
    // Shadowed only: the send answers as usual.
    expect((await send(t, token('lurker'), 'room', { text: 'only I see this' })).text).toBe('only I see this');
    expect((await ban({ userId: 'lurker' })).status).toBe(201);
    const { token: fresh } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'lurker' });
    const refused = await call(t.baseUrl, '/api/channels/room/messages', { token: fresh, body: { text: 'and now?' } });
    expectError(refused, 'user_banned', 403);
  });

  it('refuses a quote of a shadowed message by anyone but its author, moderators included', async () => {
    expect((await ban({ userId: 'troll', shadow: true })).status).toBe(201);
    const hidden = await send(t, token('troll'), 'room', { text: 'a secret insult' });
    const quote = (auth: { token: string }) =>
      call<{ message: { quotedMessage: { text: string } | null } }>(t.baseUrl, '/api/channels/room/messages', {
        ...auth,
        body: { text: 'look at this', quotedMessageId: hidden.id },
      });
    expectError(await quote({ token: moderator }), 'validation_failed', 400);
    expectError(await quote(token('bob')), 'validation_failed', 400);
    // Its author may: the quote is shadowed as well, so it shows to no one else either.
    const own = await quote(token('troll'));
    expect(own.status).toBe(201);
    expect(own.body.message.quotedMessage?.text).toBe('a secret insult');
    // (alice owns the channel, so she moderates it and sees shadowed messages: bob is a plain member.)
    const seen = await call<{ messages: Array<{ text: string }> }>(t.baseUrl, '/api/channels/room/messages', token('bob'));
    expect(seen.body.messages.map((m) => m.text), JSON.stringify(seen.body.messages)).not.toContain('look at this');
  });
});
