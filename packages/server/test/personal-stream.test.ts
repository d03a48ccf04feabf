import {
  type AddedToChannelEvent,
  type CreateTokenResponse,
  type NotificationMarkReadEvent,
  type NotificationMessageNewEvent,
  personalChannel,
  type UserEvent,
} from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { collect, connectWithPersonal, next } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const is =
  <T extends UserEvent['type']>(type: T, channelId?: string) =>
  (event: UserEvent): boolean =>
    event.type === type && (channelId === undefined || ('channelId' in event && event.channelId === channelId));

describe.each(storeKinds)('personal streams on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const ws: Record<string, CreateTokenResponse> = {};
  const clients: Centrifuge[] = [];
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });

  const connect = (user: string) => connectWithPersonal(t, ws[user]?.wsToken ?? '', user, clients);

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['ana', 'ben', 'cid', 'dan']);
    for (const id of ['ana', 'ben', 'cid', 'dan']) ws[id] = await issueTokens(t.baseUrl, chat.apiKey, { userId: id });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => t.close());

  it('subscribes every connection to its user stream at connect, and refuses it to anyone else', async () => {
    const { client, serverSide } = await connect('ben');
    expect(serverSide).toMatchObject({ channel: personalChannel('ben'), recoverable: false });
    // Another user's stream is not a channel anyone can subscribe to.
    const sub = client.newSubscription(personalChannel('ana'));
    sub.subscribe();
    const refused = await next<{ code: number }>(sub, 'unsubscribed');
    expect(refused.code).toBe(103);
  });

  it('tells a user they were added to a channel, with the channel as their list shows it', async () => {
    const { personal } = await connect('ben');
    await createChannel(t, u('ana'), { type: 'messaging', id: 'added', name: 'Added', members: ['ben'] });
    const event = (await personal.until(is('notification.added_to_channel', 'added'))) as AddedToChannelEvent;
    expect(event.state.channel).toMatchObject({ id: 'added', name: 'Added' });
    expect(event.state.membership).toMatchObject({ role: 'member', unreadCount: 0 });
    expect(event.member.userId).toBe('ben');
  });

  it('notifies new messages of unwatched channels with unread totals; a watching connection and the sender get none', async () => {
    await createChannel(t, u('ana'), { type: 'messaging', id: 'quiet', members: ['cid'] });
    await createChannel(t, u('ana'), { type: 'messaging', id: 'other', members: ['cid'] });
    const away = await connect('cid');
    const watching = await connect('cid');
    const sender = await connect('ana');
    const sub = watching.client.newSubscription('quiet');
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');

    await send(t, u('ana'), 'other', { text: 'elsewhere' });
    await send(t, u('ana'), 'quiet', { text: 'one' });
    const second = await send(t, u('ana'), 'quiet', { text: 'two, @cid', mentionedUsers: ['cid'] });
    const last = (await away.personal.until(
      (e) => e.type === 'notification.message_new' && e.message.id === second.id,
    )) as NotificationMessageNewEvent;
    expect(last).toMatchObject({ channelId: 'quiet', unreadCount: 2, totalUnreadCount: 3, unreadChannels: 2, unreadMentions: 1, totalUnreadMentions: 1 });
    expect(last.message.text).toBe('two, @cid');
    const news = away.personal.items.filter(is('notification.message_new')) as NotificationMessageNewEvent[];
    expect(news.map((e) => e.message.text)).toEqual(['elsewhere', 'one', 'two, @cid']);

    // The watching connection hears it on the channel, and only there (its personal stream did get 'other').
    await got.until(2);
    await watching.personal.until((e) => e.type === 'notification.message_new' && e.channelId === 'other');
    expect(watching.personal.items.filter(is('notification.message_new', 'quiet'))).toEqual([]);
    expect(sender.personal.items.filter(is('notification.message_new'))).toEqual([]);
  });

  it("tells all of a reader's connections that they read a channel, with the totals after it", async () => {
    await createChannel(t, u('ana'), { type: 'messaging', id: 'readme', members: ['dan'] });
    await send(t, u('ana'), 'readme', { text: 'read me' });
    const one = await connect('dan');
    const two = await connect('dan');
    const reply = await call(t.baseUrl, '/api/channels/readme/read', { token: u('dan').token, body: {} });
    expect(reply.status).toBe(200);
    for (const connection of [one, two]) {
      const event = (await connection.personal.until(is('notification.mark_read', 'readme'))) as NotificationMarkReadEvent;
      expect(event).toMatchObject({ unreadCount: 0, read: { userId: 'dan', lastReadSeq: 1 } });
    }
  });

  it('tells a user they were removed, and stops notifying them of that channel', async () => {
    await createChannel(t, u('ana'), { type: 'messaging', id: 'leaving', members: ['ben'] });
    await createChannel(t, u('ana'), { type: 'messaging', id: 'staying', members: ['ben'] });
    const { personal } = await connect('ben');
    const removed = await call(t.baseUrl, '/api/channels/leaving/members/ben', { method: 'DELETE', token: u('ana').token });
    expect(removed.status).toBe(204);
    await personal.until(is('notification.removed_from_channel', 'leaving'));
    await send(t, u('ana'), 'leaving', { text: 'not for ben' });
    await send(t, u('ana'), 'staying', { text: 'for ben' });
    await personal.until(is('notification.message_new', 'staying'));
    expect(personal.items.filter(is('notification.message_new', 'leaving'))).toEqual([]);
  });

  it("tells members that one of their channels was deleted", async () => {
    await createChannel(t, u('ana'), { type: 'messaging', id: 'doomed', members: ['ben'] });
    const { personal } = await connect('ben');
    const deleted = await call(t.baseUrl, '/api/channels/doomed', { method: 'DELETE', token: u('ana').token });
    expect(deleted.status).toBe(204);
    await personal.until(is('notification.channel_deleted', 'doomed'));
  });
});
