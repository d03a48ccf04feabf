import type { ChannelState } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** A `team` channel is listed to everyone of the app, but only its members read it: its last message is theirs. */
describe.each(storeKinds)('a listed members-only channel seen by a non-member on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob']);
    await createChannel(t, { token: chat.users.alice?.token }, { type: 'team', id: 'eng', name: 'Engineering', members: ['alice'] });
    await send(t, { token: chat.users.alice?.token }, 'eng', { text: 'the launch moves to Friday' });
  });
  afterAll(() => t.close());

  it('shows its name and metadata, never its last message', async () => {
    const bob = chat.users.bob?.token;
    const one = await call<ChannelState>(t.baseUrl, '/api/channels/eng', { token: bob });
    expect(one.status).toBe(200);
    expect(one.body.channel.name).toBe('Engineering');
    expect(one.body.lastMessage).toBeNull();
    expect(JSON.stringify(one.body)).not.toContain('launch');

    const list = await call<{ channels: ChannelState[] }>(t.baseUrl, '/api/channels?type=team&joined=false', { token: bob });
    expect(list.status).toBe(200);
    const listed = list.body.channels.find((c) => c.channel.id === 'eng');
    expect(listed?.channel.name).toBe('Engineering');
    expect(listed?.lastMessage).toBeNull();
    expect(JSON.stringify(list.body)).not.toContain('launch');

    expectError(await call(t.baseUrl, '/api/channels/eng/messages', { token: bob }), 'channel_not_found', 404);
  });

  it('shows the last message to its members and to the app', async () => {
    const mine = await call<ChannelState>(t.baseUrl, '/api/channels/eng', { token: chat.users.alice?.token });
    expect(mine.body.lastMessage?.text).toBe('the launch moves to Friday');
    const joined = await call<{ channels: ChannelState[] }>(t.baseUrl, '/api/channels?type=team', { token: chat.users.alice?.token });
    expect(joined.body.channels.find((c) => c.channel.id === 'eng')?.lastMessage?.text).toBe('the launch moves to Friday');
    const server = await call<{ channels: ChannelState[] }>(t.baseUrl, '/api/channels?type=team', { apiKey: chat.apiKey });
    expect(server.body.channels.find((c) => c.channel.id === 'eng')?.lastMessage?.text).toBe('the launch moves to Friday');
  });
});
