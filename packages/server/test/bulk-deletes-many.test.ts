import type { DeleteUserMessagesResponse, MessageDeletedEvent } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents } from './helpers/events.js';
import { call } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** More than one statement's worth of ids (500) and of event rows (200): the writes are split, the transaction is not. */
const MANY = 1_100;

describe.each(storeKinds)('a bulk delete of more messages than one statement holds on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });

  async function flood(channelId: string, userId: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < MANY; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, MANY - i) }, (_, j) => send(t, { apiKey: chat.apiKey }, channelId, { text: `spam ${i + j}`, userId })));
      ids.push(...batch.map((m) => m.id));
    }
    return ids;
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'sam']);
  });
  afterAll(() => t.close());

  it('soft: every one gets its tombstone and its event, at consecutive offsets, in sequence order', async () => {
    const id = (await createChannel(t, u('alice'), { type: 'messaging', members: ['sam'] })).channel.id;
    await flood(id, 'sam');
    const rows = await t.server.context.store.db.selectFrom('messages').select(['id', 'seq']).where('app_id', '=', chat.appId).where('channel_id', '=', id).orderBy('seq').execute();
    const types = Array.from({ length: MANY }, () => 'message.deleted' as const);
    // expectEvents checks the offsets follow on from the last one, with the channel's counter at the end.
    const { result, events } = await expectEvents(t, chat.appId, id, types, () =>
      call<DeleteUserMessagesResponse>(t.baseUrl, '/api/moderation/users/sam/delete-messages', { apiKey: chat.apiKey, body: { channelId: id } }),
    );
    expect(result.body).toEqual({ deleted: MANY });
    expect(events.map((e) => (e.event as MessageDeletedEvent).message.id)).toEqual(rows.map((r) => r.id));
    const live = await t.server.context.store.db.selectFrom('messages').select('id').where('app_id', '=', chat.appId).where('channel_id', '=', id).where('deleted_at', 'is', null).execute();
    expect(live).toEqual([]);
  }, 120_000);

  it('hard: every row goes, with its event', async () => {
    const id = (await createChannel(t, u('alice'), { type: 'messaging', members: ['sam'] })).channel.id;
    await flood(id, 'sam');
    const types = Array.from({ length: MANY }, () => 'message.deleted' as const);
    const { result } = await expectEvents(t, chat.appId, id, types, () =>
      call<DeleteUserMessagesResponse>(t.baseUrl, '/api/moderation/users/sam/delete-messages', { apiKey: chat.apiKey, body: { channelId: id, hard: true } }),
    );
    expect(result.body).toEqual({ deleted: MANY });
    const left = await t.server.context.store.db.selectFrom('messages').select('id').where('app_id', '=', chat.appId).where('channel_id', '=', id).execute();
    expect(left).toEqual([]);
  }, 120_000);
});
