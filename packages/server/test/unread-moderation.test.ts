import type { ChannelsPage, ChannelState, CreateTokenResponse, NotificationMessageNewEvent, UnreadResponse } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { CompiledQuery, type KyselyPlugin, type RootOperationNode, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unreadCountsAt } from '../src/domain/reads/unread.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { connectWithPersonal } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('unread counts under moderation on %s', (kind) => {
  let t: TestServer;
  const clients: Centrifuge[] = [];

  beforeAll(async () => {
    t = await startTestServer(kind);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => t.close());

  const tokenOf = (chat: ChatApp, id: string) => ({ token: chat.users[id]?.token ?? '' });
  const summaryOf = async (chat: ChatApp, as: string): Promise<UnreadResponse> => {
    const reply = await call<UnreadResponse>(t.baseUrl, '/api/users/me/unread', tokenOf(chat, as));
    expect(reply.status).toBe(200);
    return reply.body;
  };
  const stateCount = async (chat: ChatApp, as: string, channelId: string) =>
    (await call<ChannelState>(t.baseUrl, `/api/channels/${channelId}`, tokenOf(chat, as))).body.membership?.unreadCount;
  const listCount = async (chat: ChatApp, as: string, channelId: string) =>
    (await call<ChannelsPage>(t.baseUrl, '/api/channels', tokenOf(chat, as))).body.channels.find((c) => c.channel.id === channelId)?.membership?.unreadCount;
  const muteChannel = async (chat: ChatApp, as: string, channelId: string) => {
    const reply = await call(t.baseUrl, `/api/channels/${channelId}/membership`, { ...tokenOf(chat, as), method: 'PATCH', body: { muted: true } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  };

  it('keeps a muted channel out of me/unread (list and totals, mentions too) while the channel itself still shows its count', async () => {
    const chat = await chatApp(t, ['alice', 'bob']);
    for (const id of ['loud', 'hushed']) await createChannel(t, tokenOf(chat, 'alice'), { type: 'messaging', id, members: ['bob'] });
    await send(t, tokenOf(chat, 'alice'), 'loud', { text: 'one' });
    await send(t, tokenOf(chat, 'alice'), 'hushed', { text: 'two' });
    await send(t, tokenOf(chat, 'alice'), 'hushed', { text: 'three @bob', mentionedUsers: ['bob'] });
    expect(await summaryOf(chat, 'bob')).toMatchObject({ total: 3, totalMentions: 1 });

    await muteChannel(chat, 'bob', 'hushed');
    const summary = await summaryOf(chat, 'bob');
    expect(summary).toMatchObject({ total: 1, totalMentions: 0 });
    expect(summary.channels.map((c) => c.channelId)).toEqual(['loud']);
    expect(await stateCount(chat, 'bob', 'hushed')).toBe(2);
    expect(await listCount(chat, 'bob', 'hushed')).toBe(2);
  });

  it("leaves a muted channel out of the personal stream's totals, and gives its own notification its own count", async () => {
    const chat = await chatApp(t, ['alice', 'bob']);
    const ws: CreateTokenResponse = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'bob' });
    for (const id of ['loud', 'hushed']) await createChannel(t, tokenOf(chat, 'alice'), { type: 'messaging', id, members: ['bob'] });
    await muteChannel(chat, 'bob', 'hushed');
    const { personal } = await connectWithPersonal(t, ws.wsToken, 'bob', clients);
    await send(t, tokenOf(chat, 'alice'), 'hushed', { text: 'quiet one' });
    const loud = await send(t, tokenOf(chat, 'alice'), 'loud', { text: 'loud one' });
    const hushedNews = (await personal.until((e) => e.type === 'notification.message_new' && e.channelId === 'hushed')) as NotificationMessageNewEvent;
    expect(hushedNews).toMatchObject({ unreadCount: 1, totalUnreadCount: 0, unreadChannels: 0 });
    const loudNews = (await personal.until((e) => e.type === 'notification.message_new' && e.message.id === loud.id)) as NotificationMessageNewEvent;
    expect(loudNews).toMatchObject({ unreadCount: 1, totalUnreadCount: 1, unreadChannels: 1 });
  });

  it("keeps a shadow-banned user's messages out of everyone else's unread, moderators' too", async () => {
    const chat = await chatApp(t, ['alice', 'bob', 'troll']);
    const mod = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'mod', role: 'moderator' });
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id: 'room', members: ['alice', 'bob', 'troll', 'mod'] });
    const ban = await call(t.baseUrl, '/api/moderation/bans', { apiKey: chat.apiKey, body: { userId: 'troll', shadow: true } });
    expect(ban.status, JSON.stringify(ban.body)).toBe(201);
    const shadowed = await send(t, tokenOf(chat, 'troll'), 'room', { text: 'nobody hears this' });
    // Stored shadowed, and the author's answer does not say so.
    expect(shadowed.shadowed).toBeUndefined();
    expect((await t.server.context.store.db.selectFrom('messages').select('shadowed').where('id', '=', shadowed.id).executeTakeFirstOrThrow()).shadowed).toBe(1);
    await send(t, tokenOf(chat, 'alice'), 'room', { text: 'heard' });
    expect(await stateCount(chat, 'bob', 'room')).toBe(1);
    expect((await summaryOf(chat, 'bob')).total).toBe(1);
    expect((await call<UnreadResponse>(t.baseUrl, '/api/users/me/unread', { token: mod.token })).body.total).toBe(1);
  });

  it('keeps a message hidden for review out of unread, and counts it again once a dismissal shows it', async () => {
    const chat = await chatApp(t, ['alice', 'bob', 'carol']);
    await call(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { autoHideAfterFlags: 1 } });
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id: 'room', members: ['alice', 'bob', 'carol'] });
    const message = await send(t, tokenOf(chat, 'alice'), 'room', { text: 'reported' });
    expect(await stateCount(chat, 'bob', 'room')).toBe(1);
    const flag = await call<{ flag: { id: string } }>(t.baseUrl, `/api/messages/${message.id}/flag`, { ...tokenOf(chat, 'carol'), body: {} });
    expect(await stateCount(chat, 'bob', 'room')).toBe(0);
    expect((await summaryOf(chat, 'bob')).total).toBe(0);
    await call(t.baseUrl, `/api/moderation/flags/${flag.body.flag.id}/review`, { apiKey: chat.apiKey, body: { action: 'dismiss' } });
    expect(await stateCount(chat, 'bob', 'room')).toBe(1);
  });

  /** The statement unreadCountsAt runs, compiled, caught on its way to the store. */
  async function unreadStatement(appId: string, userId: string): Promise<CompiledQuery> {
    let node: RootOperationNode | undefined;
    const catcher: KyselyPlugin = {
      transformQuery: (args) => (node ??= args.node),
      transformResult: async (args) => args.result,
    };
    const db = t.server.context.store.db;
    await unreadCountsAt(db.withPlugin(catcher), appId, userId);
    if (!node) throw new Error('no statement ran');
    return db.getExecutor().compileQuery(node, { queryId: 'unread' });
  }

  it('counts in one statement that reaches messages through the sequence index, never a scan of them', async () => {
    const chat = await chatApp(t, ['alice', 'bob', 'carol']);
    await createChannel(t, { apiKey: chat.apiKey }, { type: 'messaging', id: 'big', members: ['alice', 'bob', 'carol'] });
    await call(t.baseUrl, '/api/users/carol/mute', { ...tokenOf(chat, 'bob'), method: 'POST' });
    const db = t.server.context.store.db;
    const MESSAGES = 5_000;
    const rows = Array.from({ length: MESSAGES }, (_, i) => ({
      app_id: chat.appId,
      id: `m${i + 1}`,
      channel_id: 'big',
      seq: i + 1,
      // Every other one by carol, whom bob muted: the count must take the mute's probe too.
      user_id: i % 2 ? 'alice' : 'carol',
      text: `message ${i}`,
      attachments: '[]',
      mentioned_users: '[]',
      quoted_message_id: null,
      parent_id: null,
      show_in_channel: 1,
      reply_count: 0,
      last_reply_at: null,
      thread_participants: '[]',
      custom: '{}',
      silent: 0,
      pinned_at: null,
      pinned_by: null,
      reaction_counts: '{}',
      reaction_scores: '{}',
      latest_reactions: '[]',
      body_hash: 'h',
      created_at: i,
      updated_at: i,
      edited_at: null,
      deleted_at: null,
    }));
    for (let i = 0; i < rows.length; i += 500) await db.insertInto('messages').values(rows.slice(i, i + 500)).execute();
    await db.updateTable('channels').set({ last_message_seq: MESSAGES }).where('app_id', '=', chat.appId).where('id', '=', 'big').execute();
    await db.updateTable('members').set({ last_read_seq: MESSAGES - 10 }).where('app_id', '=', chat.appId).where('user_id', '=', 'bob').execute();
    expect((await unreadCountsAt(db, chat.appId, 'bob')).get('big')?.count).toBe(5);

    const statement = await unreadStatement(chat.appId, 'bob');
    if (kind === 'postgres') {
      await sql`analyze messages`.execute(db);
      const plan = await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${statement.sql}`, [...statement.parameters]));
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      // A read position is not known when the plan is made: an index range either way (plain or bitmap).
      expect(text, text).toMatch(/Index (Only )?Scan using messages_channel_seq on messages|Bitmap Index Scan on messages_channel_seq/);
      expect(text, text).toMatch(/Index Cond: .*channel_id = members\.channel_id.*seq > members\.last_read_seq/);
      expect(text, text).not.toMatch(/Seq Scan on messages/);
    } else {
      const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${statement.sql}`, [...statement.parameters]));
      const text = plan.rows.map((r) => r.detail).join('\n');
      // From the user's memberships to each channel's range past the read position, never the app's
      // messages first (which a `not exists` on the mutes made SQLite choose).
      expect(text.split('\n')[0], text).toMatch(/^SEARCH members USING INDEX members_user/);
      expect(text, text).toMatch(/SEARCH messages USING INDEX messages_channel_seq \(app_id=\? AND channel_id=\? AND seq>\?\)/);
      expect(text, text).toMatch(/SEARCH user_mutes USING COVERING INDEX \S+ \(app_id=\? AND muter_id=\? AND muted_id=\?\)/);
      expect(text, text).not.toMatch(/SCAN messages\b/);
    }
  });
});
