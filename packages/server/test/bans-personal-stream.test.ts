import type { Centrifuge } from 'centrifuge';
import type { UserEvent } from '@chatsdk/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { connectWithPersonal } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const newMessageIn = (channelId: string, text: string) => (event: UserEvent) =>
  event.type === 'notification.message_new' && event.channelId === channelId && event.message.text === text;

/**
 * A member banned from a channel stays a member, but hears nothing of it: no
 * `notification.message_new` on their personal stream, whether the ban came
 * while they were connected or before they connected; when it is lifted the
 * channel's news comes back at once, without a reconnect.
 */
describe.each(storeKinds)('a channel ban and the personal stream on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const clients: Centrifuge[] = [];
  const ban = (body: Record<string, unknown>) => call(t.baseUrl, '/api/moderation/bans', { apiKey: chat.apiKey, body });
  const lift = (userId: string, channelId: string) => call(t.baseUrl, `/api/moderation/bans/${userId}?channelId=${channelId}`, { apiKey: chat.apiKey, method: 'DELETE' });
  const alice = () => ({ token: chat.users.alice?.token ?? '' });

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob']);
    for (const id of ['room', 'other']) await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id, members: ['alice', 'bob'] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => t.close());

  it('stops the banned channel’s news at the ban, keeps the others’, and brings it back at the lift', async () => {
    const { wsToken } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'bob' });
    const { personal } = await connectWithPersonal(t, wsToken, 'bob', clients);
    await send(t, alice(), 'room', { text: 'before the ban' });
    await personal.until(newMessageIn('room', 'before the ban'));

    expect((await ban({ userId: 'bob', channelId: 'room' })).status).toBe(201);
    await pause(100);
    await send(t, alice(), 'room', { text: 'while banned' });
    await send(t, alice(), 'other', { text: 'elsewhere' });
    // The other channel's news is the sign the banned one's would have arrived by now.
    await personal.until(newMessageIn('other', 'elsewhere'));
    await pause(200);
    expect(personal.items.some(newMessageIn('room', 'while banned'))).toBe(false);

    expect((await lift('bob', 'room')).status).toBe(200);
    await pause(200);
    await send(t, alice(), 'room', { text: 'after the lift' });
    await personal.until(newMessageIn('room', 'after the lift'));
  });

  it('leaves a channel the user was banned from before connecting out of their personal stream', async () => {
    expect((await ban({ userId: 'bob', channelId: 'other' })).status).toBe(201);
    const { wsToken } = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'bob' });
    const { personal } = await connectWithPersonal(t, wsToken, 'bob', clients);
    await send(t, alice(), 'other', { text: 'not for bob' });
    await send(t, alice(), 'room', { text: 'for bob' });
    await personal.until(newMessageIn('room', 'for bob'));
    await pause(200);
    expect(personal.items.some(newMessageIn('other', 'not for bob'))).toBe(false);
  });
});
