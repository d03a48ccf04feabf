import type { Message, MessageResponse } from '@chatsdk/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApp } from '../src/domain/auth/apps.js';
import { findUserWithApp } from '../src/domain/auth/caller.js';
import { commitStats } from '../src/domain/events/events.js';
import { sharedCommits } from '../src/domain/events/shared-commits.js';
import { deferSend, takeNextSlot } from '../src/domain/messages/deferred-sends.js';
import { sendMessage } from '../src/domain/messages/send-message.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('group commit on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const senders = ['ann', 'ben', 'cat', 'dan'];
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const db = () => t.server.context.store.db;
  const post = (channelId: string, auth: { token: string }, body: object) =>
    call<MessageResponse>(t.baseUrl, `/api/channels/${channelId}/messages`, { ...auth, body });

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, senders);
  });
  afterAll(() => t.close());

  it('commits concurrent sends in one transaction, with contiguous sequences and offsets', async () => {
    await createChannel(t, u('ann'), { type: 'messaging', id: 'shared', members: senders });
    const ctx = t.server.context;
    const app = await getApp(ctx.store, chat.appId);
    if (!app) throw new Error('no app');
    const callers = await Promise.all(
      senders.map(async (id) => {
        const found = await findUserWithApp(ctx.store, chat.appId, id);
        if (!found) throw new Error(`no user ${id}`);
        return { kind: 'user' as const, app, user: found.user };
      }),
    );
    const before = { ...commitStats(ctx.store) };
    // Sixty sends started in one turn of the event loop, as a busy server reads them from its sockets.
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) => sendMessage(ctx, callers[i % 4] ?? callers[0]!, 'shared', { text: `m${i}` })),
    );
    const after = commitStats(ctx.store);
    expect(after.units - before.units).toBe(60);
    // Their access checks run first, in parallel on PostgreSQL's pool, so they reach the batcher a few at a time.
    expect(after.commits - before.commits).toBeLessThanOrEqual(kind === 'sqlite' ? 1 : 8);

    const seqs = replies.map((r) => r.message.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const events = await db()
      .selectFrom('channel_events')
      .select(['stream_offset', 'type', 'payload'])
      .where('app_id', '=', chat.appId)
      .where('channel_id', '=', 'shared')
      .orderBy('stream_offset')
      .execute();
    expect(events.map((e) => e.stream_offset)).toEqual(events.map((_, i) => i + 1));
    const sent = events.filter((e) => e.type === 'message.new').map((e) => (JSON.parse(e.payload) as { message: Message }).message);
    // Offsets follow sequence order: a subscriber replaying the stream sees messages in channel order.
    expect(sent.map((m) => m.seq)).toEqual(seqs);
    expect(new Set(sent.map((m) => m.id))).toEqual(new Set(replies.map((r) => r.message.id)));
    const channel = await db().selectFrom('channels').select(['last_message_seq', 'last_offset']).where('id', '=', 'shared').executeTakeFirstOrThrow();
    expect(channel).toEqual({ last_message_seq: 60, last_offset: events.length });

    if (kind === 'postgres') {
      // The store's own word: rows written by one transaction share its id (xmin).
      const { rows } = await sql<{ transactions: number }>`select count(distinct xmin::text)::int as transactions from messages where channel_id = 'shared'`.execute(db());
      expect(rows[0]?.transactions).toBe(after.commits - before.commits);
    }
  });

  it('answers each send on its own when one in the batch fails, and commits the others', async () => {
    await createChannel(t, u('ann'), { type: 'messaging', id: 'mixed', members: senders });
    const parent = await send(t, u('ann'), 'mixed', { text: 'parent' });
    const bodies = Array.from({ length: 40 }, (_, i) => {
      if (i % 10 === 3) return { text: `bad ${i}`, parentId: 'msg_nope' };
      if (i % 10 === 6) return { text: `reply ${i}`, parentId: parent.id };
      if (i === 20 || i === 24) return { id: 'twice', text: 'same body' };
      return { text: `ok ${i}` };
    });
    const replies = await Promise.all(bodies.map((body, i) => post('mixed', u(senders[i % 4] ?? 'ann'), body)));
    replies.forEach((reply, i) => {
      if (i % 10 === 3) {
        expect(reply.status).toBe(400);
        expect((reply.body as unknown as { error: { code: string } }).error.code).toBe('validation_failed');
      } else {
        expect([200, 201]).toContain(reply.status);
      }
    });
    // The two sends of one client id give one message; the loser answers like a resend.
    expect(replies[20]?.body.message.id).toBe('twice');
    expect(replies[24]?.body.message.id).toBe('twice');
    expect(replies.filter((r) => r.status === 201)).toHaveLength(40 - 4 - 1);

    const stored = await db().selectFrom('messages').select(['seq', 'parent_id']).where('channel_id', '=', 'mixed').orderBy('seq').execute();
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(stored).toHaveLength(1 + 40 - 4 - 1);
    const thread = await db().selectFrom('messages').select('reply_count').where('id', '=', parent.id).executeTakeFirstOrThrow();
    expect(thread.reply_count).toBe(4);
  });

  it('refuses a whole deferred batch, writing nothing, when a sender stopped being a member before it commits', async () => {
    await createChannel(t, u('ann'), { type: 'messaging', id: 'confirm', members: ['ben'] });
    const store = t.server.context.store;
    const channel = () => db().selectFrom('channels').select(['last_message_seq', 'last_offset']).where('id', '=', 'confirm').executeTakeFirstOrThrow();
    const before = await channel();
    // Two sends deferred in one transaction, as a batch holds them; cat was never a member (as if removed
    // after the check that ran before the batch).
    const attempt = sharedCommits(store).run('confirm', async (trx) => {
      for (const sender of ['ben', 'cat']) {
        const slot = await takeNextSlot(trx, chat.appId, 'confirm');
        const now = Date.now();
        const row = {
          app_id: chat.appId, id: `msg_confirm_${sender}`, channel_id: 'confirm', seq: slot.seq, user_id: sender, text: 'late',
          attachments: '[]', mentioned_users: '[]', quoted_message_id: null, parent_id: null, show_in_channel: 1, reply_count: 0,
          last_reply_at: null, thread_participants: '[]', custom: '{}', silent: 0, pinned_at: null, pinned_by: null,
          reaction_counts: '{}', reaction_scores: '{}', latest_reactions: '[]', body_hash: 'x', created_at: now, updated_at: now,
          edited_at: null, deleted_at: null, shadowed: 0, hidden: 0,
        };
        const event = { app_id: chat.appId, channel_id: 'confirm', stream_offset: slot.offset, type: 'message.new', payload: '{}', created_at: now };
        deferSend(trx, row, event, { userId: sender, seq: slot.seq, messageId: row.id, at: now }, true);
      }
    });
    await expect(attempt).rejects.toMatchObject({ code: 'forbidden' });
    expect(await channel()).toEqual(before);
    const written = await db().selectFrom('messages').select('id').where('channel_id', '=', 'confirm').where('text', '=', 'late').execute();
    expect(written).toEqual([]);
  });
});
