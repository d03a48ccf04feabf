import type { Message, MentionsPage, MessageResponse, PinnedPage } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { expectEvents } from './helpers/events.js';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

type Auth = { token?: string; apiKey?: string };

describe.each(storeKinds)('pins and mentions on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const u = (id: string): Auth => ({ token: chat.users[id]?.token ?? '' });
  const server = (): Auth => ({ apiKey: chat.apiKey });
  const pin = (id: string, auth: Auth, method: 'POST' | 'DELETE' = 'POST') => call<MessageResponse>(t.baseUrl, `/api/messages/${id}/pin`, { ...auth, method });
  const pinned = (channelId: string, auth: Auth, query = '') => call<PinnedPage>(t.baseUrl, `/api/channels/${channelId}/pinned${query}`, auth);
  const mentions = (auth: Auth, query = '') => call<MentionsPage>(t.baseUrl, `/api/mentions${query}`, auth);

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol', 'dave']);
  });
  afterAll(() => t.close());

  describe('pins', () => {
    let channelId: string;
    beforeAll(async () => {
      channelId = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] })).channel.id;
    });

    it('lets any member pin and unpin, with one message.updated each; repeating changes nothing', async () => {
      const sent = await send(t, u('alice'), channelId, { text: 'pin me' });
      const { result } = await expectEvents(t, chat.appId, channelId, ['message.updated'], () => pin(sent.id, u('bob')));
      expect(result.status).toBe(200);
      expect(result.body.message).toMatchObject({ id: sent.id, pinnedBy: 'bob', text: 'pin me', editedAt: null });
      expect(result.body.message.pinnedAt).not.toBeNull();
      const again = await expectEvents(t, chat.appId, channelId, [], () => pin(sent.id, u('alice')));
      expect(again.result.body.message).toEqual(result.body.message);

      const { result: unpinned, events } = await expectEvents(t, chat.appId, channelId, ['message.updated'], () => pin(sent.id, u('alice'), 'DELETE'));
      expect(unpinned.body.message).toMatchObject({ pinnedAt: null, pinnedBy: null });
      const event = events[0]?.event;
      expect(event?.type === 'message.updated' && event.message.pinnedAt).toBeNull();
      await expectEvents(t, chat.appId, channelId, [], () => pin(sent.id, u('alice'), 'DELETE'));

      const byServer = await pin(sent.id, server());
      expect(byServer.body.message).toMatchObject({ pinnedBy: null });
      expect(byServer.body.message.pinnedAt).not.toBeNull();
    });

    it('refuses non-members: 404 in a members-only channel, 403 for a reader of a public one', async () => {
      const sent = await send(t, u('alice'), channelId, { text: 'members only' });
      await expectEvents(t, chat.appId, channelId, [], async () => {
        expectError(await pin(sent.id, u('carol')), 'message_not_found', 404);
        expectError(await pinned(channelId, u('carol')), 'channel_not_found', 404);
      });
      const square = (await createChannel(t, u('alice'), { type: 'public' })).channel.id;
      const open = await send(t, u('alice'), square, { text: 'public' });
      expect((await pin(open.id, u('alice'))).status).toBe(200);
      await expectEvents(t, chat.appId, square, [], async () => expectError(await pin(open.id, u('carol'), 'DELETE'), 'forbidden', 403));
      expect((await pinned(square, u('carol'))).body.messages.map((m) => m.id)).toEqual([open.id]);
    });

    it('lists pins most recently pinned first, keyset-paged without gap or duplicate', async () => {
      const channel = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob'] })).channel.id;
      const sent: Message[] = [];
      for (let i = 0; i < 7; i++) sent.push(await send(t, u('bob'), channel, { text: `m${i}` }));
      const order = [3, 0, 6, 1, 5];
      for (const i of order) {
        expect((await pin(sent[i]?.id ?? '', u('alice'))).status).toBe(200);
        // Pins a millisecond apart, so "most recently pinned" has one answer.
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const seen: string[] = [];
      let query = '?limit=2';
      for (let pages = 0; pages < 5; pages++) {
        const reply = await pinned(channel, u('bob'), query);
        expect(reply.status).toBe(200);
        seen.push(...reply.body.messages.map((m) => m.text));
        if (reply.body.next === null) break;
        expect(reply.body.messages).toHaveLength(2);
        query = `?limit=2&cursor=${reply.body.next}`;
      }
      expect(seen).toEqual(order.map((i) => `m${i}`).reverse());

      // A deleted message leaves the pins, and a tombstone cannot be pinned again.
      expect((await call(t.baseUrl, `/api/messages/${sent[6]?.id}`, { ...u('bob'), method: 'DELETE' })).status).toBe(200);
      expect((await pinned(channel, u('bob'))).body.messages.map((m) => m.text)).toEqual(['m5', 'm1', 'm0', 'm3']);
      expectError(await pin(sent[6]?.id ?? '', u('bob')), 'validation_failed', 400);

      expectError(await pinned(channel, u('bob'), '?cursor=bm9wZQ'), 'validation_failed', 400);
      expectError(await pinned(channel, u('bob'), '?cursor=AA'), 'validation_failed', 400);
      expectError(await pinned(channel, u('bob'), '?limit=101'), 'validation_failed', 400);
    });
  });

  describe('mentions', () => {
    let general: string;
    let square: string;

    beforeAll(async () => {
      general = (await createChannel(t, u('alice'), { type: 'messaging', members: ['bob', 'dave'] })).channel.id;
      square = (await createChannel(t, u('alice'), { type: 'public', members: ['bob', 'dave'] })).channel.id;
    });

    it('lists the caller’s mentions newest first, paged by cursor, in channels they can read, without deleted messages', async () => {
      const texts: string[] = [];
      for (let i = 0; i < 6; i++) {
        const text = `@bob number ${i}`;
        await send(t, u(i % 2 ? 'alice' : 'dave'), i < 4 ? general : square, { text });
        texts.push(text);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const notMine = await send(t, u('alice'), general, { text: 'hi @dave' });
      const deleted = await send(t, u('alice'), general, { text: '@bob delete me' });
      expect((await call(t.baseUrl, `/api/messages/${deleted.id}`, { ...u('alice'), method: 'DELETE' })).status).toBe(200);

      const seen: Message[] = [];
      let query = '?limit=4';
      for (let pages = 0; pages < 5; pages++) {
        const reply = await mentions(u('bob'), query);
        expect(reply.status).toBe(200);
        seen.push(...reply.body.messages);
        if (reply.body.next === null) break;
        query = `?limit=4&cursor=${reply.body.next}`;
      }
      expect(seen.map((m) => m.text)).toEqual([...texts].reverse());
      expect(seen.every((m) => m.mentionedUsers.includes('bob'))).toBe(true);
      expect((await mentions(u('dave'))).body.messages.map((m) => m.id)).toEqual([notMine.id]);

      // bob leaves both: the members-only channel's mentions go from his list, the public one's stay readable.
      await t.server.context.store.db.deleteFrom('members').where('app_id', '=', chat.appId).where('user_id', '=', 'bob').where('channel_id', 'in', [general, square]).execute();
      expect((await mentions(u('bob'))).body.messages.map((m) => m.text)).toEqual([texts[5], texts[4]]);
    });

    it('is for users only, and refuses a cursor it did not issue', async () => {
      expectError(await mentions(server()), 'forbidden', 403);
      expectError(await mentions(u('bob'), '?cursor=AA'), 'validation_failed', 400);
      expectError(await mentions(u('bob'), '?cursor=MTIzLg'), 'validation_failed', 400);
      expectError(await mentions(u('bob'), '?limit=101'), 'validation_failed', 400);
      expect((await mentions(u('carol'))).body).toEqual({ messages: [], next: null });
    });
  });
});
