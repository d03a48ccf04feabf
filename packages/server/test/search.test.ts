import type { Message, MessageResponse, SearchResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('message search on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let other: ChatApp;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const search = (params: Record<string, string | string[] | undefined>, auth: { token?: string; apiKey?: string }) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) for (const v of [value ?? []].flat()) query.append(key, v);
    return call<SearchResponse>(t.baseUrl, `/api/search?${query}`, auth);
  };
  const texts = (reply: { body: SearchResponse }) => reply.body.results.map((m) => m.text);

  /** Messages of `paging`, oldest first: 23 that match "tick", with 5 that do not among them. */
  let ticks: Message[];

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol']);
    other = await chatApp(t, ['alice'], 'Other');
    await createChannel(t, u('alice'), { type: 'messaging', id: 'ours', members: ['bob'] });
    await createChannel(t, u('carol'), { type: 'messaging', id: 'secret', members: [] });
    await createChannel(t, u('alice'), { type: 'messaging', id: 'paging', members: ['bob'] });
    await createChannel(t, u('carol'), { type: 'public', id: 'town', members: [] });
    await createChannel(t, { token: other.users.alice?.token ?? '' }, { type: 'messaging', id: 'ours', members: [] });

    await send(t, u('alice'), 'ours', { text: 'The quarterly Report is ready' });
    await send(t, u('bob'), 'ours', { text: 'report: numbers look good' });
    await send(t, u('bob'), 'ours', { text: 'Reporting is fun, reports are not' });
    await send(t, u('alice'), 'ours', { text: 'Grüße aus München, café 東京 Ελλάδα' });
    await send(t, u('carol'), 'secret', { text: 'secret report nobody else may see' });
    await send(t, u('carol'), 'town', { text: 'town hall report' });
    await send(t, { token: other.users.alice?.token ?? '' }, 'ours', { text: 'report from another app' });
    ticks = [];
    for (let i = 0; i < 28; i++) {
      const text = i % 6 === 5 ? `tock ${i}` : `tick ${i}`;
      ticks.push(await send(t, u(i % 2 ? 'alice' : 'bob'), 'paging', { text }));
    }
  });
  afterAll(() => t.close());

  it('finds every word, case-insensitively, newest first, only in the caller’s channels', async () => {
    const reply = await search({ q: 'REPORT' }, u('bob'));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    // "report" is the last word, so it also matches as a prefix: Reporting, reports.
    expect(texts(reply)).toEqual(['Reporting is fun, reports are not', 'report: numbers look good', 'The quarterly Report is ready']);
    expect(reply.body.next).toBeUndefined();
    expect(reply.body.results[0]?.channelId).toBe('ours');

    expect(texts(await search({ q: 'quarterly report' }, u('bob')))).toEqual(['The quarterly Report is ready']);
    expect(texts(await search({ q: 'report quarterly' }, u('bob')))).toEqual(['The quarterly Report is ready']);
    expect(texts(await search({ q: 'quarterly numbers' }, u('bob')))).toEqual([]);
    expect(texts(await search({ q: 'quart' }, u('bob')))).toEqual(['The quarterly Report is ready']);
    // Only the last word is a prefix.
    expect(texts(await search({ q: 'quart report' }, u('bob')))).toEqual([]);
    expect(texts(await search({ q: 'nothing-like-this' }, u('bob')))).toEqual([]);
  });

  it('answers hydrated messages, as history pages carry them', async () => {
    const reply = await search({ q: 'numbers' }, u('alice'));
    const history = await call<{ messages: Message[] }>(t.baseUrl, '/api/channels/ours/messages', u('alice'));
    const same = history.body.messages.find((m) => m.id === reply.body.results[0]?.id);
    expect(reply.body.results[0]).toEqual(same);
  });

  it('matches unicode words whole and by prefix', async () => {
    expect(texts(await search({ q: 'grüße' }, u('bob')))).toHaveLength(1);
    expect(texts(await search({ q: 'münchen café' }, u('bob')))).toHaveLength(1);
    expect(texts(await search({ q: 'ελλάδα' }, u('bob')))).toHaveLength(1);
    expect(texts(await search({ q: '東京' }, u('bob')))).toHaveLength(1);
    expect(texts(await search({ q: 'Münch' }, u('bob')))).toHaveLength(1);
    // Accents are part of a word: "cafe" is not "café" (both stores fold case only).
    expect(texts(await search({ q: 'cafe' }, u('bob')))).toEqual([]);
  });

  it('never shows a channel the caller has not joined, another app, or a deleted channel', async () => {
    expect(texts(await search({ q: 'secret' }, u('alice')))).toEqual([]);
    expect(texts(await search({ q: 'town' }, u('alice')))).toEqual([]);
    expect(texts(await search({ q: 'another' }, u('alice')))).toEqual([]);
    expect(texts(await search({ q: 'secret' }, u('carol')))).toEqual(['secret report nobody else may see']);
    // A channel one may not read is absent, as everywhere.
    expectError(await search({ q: 'secret', channelId: 'secret' }, u('alice')), 'channel_not_found', 404);
    expectError(await search({ q: 'secret', channelId: 'nope' }, u('alice')), 'channel_not_found', 404);
    // A public channel is readable without joining, when named.
    expect(texts(await search({ q: 'town', channelId: 'town' }, u('alice')))).toEqual(['town hall report']);
  });

  it('drops a deleted channel from its members’ results', async () => {
    await createChannel(t, u('carol'), { type: 'messaging', id: 'doomed', members: [] });
    await send(t, u('carol'), 'doomed', { text: 'doomed walrus' });
    expect(texts(await search({ q: 'walrus' }, u('carol')))).toEqual(['doomed walrus']);
    expect((await call(t.baseUrl, '/api/channels/doomed', { ...u('carol'), method: 'DELETE' })).status).toBeLessThan(300);
    expect(texts(await search({ q: 'walrus' }, u('carol')))).toEqual([]);
    expect(texts(await search({ q: 'walrus' }, { apiKey: chat.apiKey }))).toEqual([]);
  });

  it('narrows to named channels, repeated or as a comma list', async () => {
    expect(texts(await search({ q: 'report', channelId: 'paging' }, u('alice')))).toEqual([]);
    expect(texts(await search({ q: 'report', channelId: ['paging', 'town'] }, u('alice')))).toEqual(['town hall report']);
    expect(texts(await search({ q: 'report', channelId: 'town,ours' }, u('bob')))).toHaveLength(4);
  });

  it('lets the server search the whole app, or named channels', async () => {
    const all = await search({ q: 'report' }, { apiKey: chat.apiKey });
    expect(texts(all)).toEqual([
      'town hall report',
      'secret report nobody else may see',
      'Reporting is fun, reports are not',
      'report: numbers look good',
      'The quarterly Report is ready',
    ]);
    expect(texts(await search({ q: 'report', channelId: 'secret' }, { apiKey: chat.apiKey }))).toEqual(['secret report nobody else may see']);
    expect(texts(await search({ q: 'report' }, { apiKey: other.apiKey }))).toEqual(['report from another app']);
  });

  it('pages newest first with no duplicate or gap', async () => {
    const expected = ticks.filter((m) => m.text.startsWith('tick')).map((m) => m.id).reverse();
    expect(expected).toHaveLength(24);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const reply = await search({ q: 'tick', limit: '5', ...(cursor ? { cursor } : {}) }, u('bob'));
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body.results.length).toBeLessThanOrEqual(5);
      seen.push(...reply.body.results.map((m) => m.id));
      cursor = reply.body.next;
      if (!cursor) break;
      expect(reply.body.results).toHaveLength(5);
    }
    expect(seen).toEqual(expected);
    // A message sent after the first page does not shift the pages after it.
    const first = await search({ q: 'tick', limit: '5' }, u('bob'));
    await send(t, u('bob'), 'paging', { text: 'tick late' });
    const second = await search({ q: 'tick', limit: '5', cursor: first.body.next ?? '' }, u('bob'));
    expect(second.body.results.map((m) => m.id)).toEqual(expected.slice(5, 10));
    expect(texts(await search({ q: 'tick', limit: '1' }, u('bob')))).toEqual(['tick late']);
  });

  it('follows edits and deletes', async () => {
    const sent = await send(t, u('alice'), 'ours', { text: 'pineapple pizza tonight' });
    expect(texts(await search({ q: 'pineapple' }, u('bob')))).toEqual(['pineapple pizza tonight']);
    const edited = await call<MessageResponse>(t.baseUrl, `/api/messages/${sent.id}`, { ...u('alice'), method: 'PATCH', body: { text: 'mango pizza tonight' } });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(texts(await search({ q: 'pineapple' }, u('bob')))).toEqual([]);
    expect(texts(await search({ q: 'mango' }, u('bob')))).toEqual(['mango pizza tonight']);
    expect(texts(await search({ q: 'pizza' }, u('bob')))).toEqual(['mango pizza tonight']);
    const deleted = await call(t.baseUrl, `/api/messages/${sent.id}`, { ...u('alice'), method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(texts(await search({ q: 'mango' }, u('bob')))).toEqual([]);
    expect(texts(await search({ q: 'pizza' }, { apiKey: chat.apiKey }))).toEqual([]);

    const hard = await send(t, u('alice'), 'ours', { text: 'kiwi smoothie' });
    expect(texts(await search({ q: 'kiwi' }, u('bob')))).toEqual(['kiwi smoothie']);
    const gone = await call(t.baseUrl, `/api/messages/${hard.id}?hard=true`, { apiKey: chat.apiKey, method: 'DELETE' });
    expect(gone.status).toBe(204);
    expect(texts(await search({ q: 'kiwi' }, u('bob')))).toEqual([]);
  });

  it('stops finding a channel’s messages once the caller leaves it', async () => {
    await createChannel(t, u('alice'), { type: 'messaging', id: 'leaving', members: ['bob'] });
    await send(t, u('alice'), 'leaving', { text: 'farewell banana' });
    expect(texts(await search({ q: 'banana' }, u('bob')))).toEqual(['farewell banana']);
    const left = await call(t.baseUrl, '/api/channels/leaving/members/bob', { ...u('bob'), method: 'DELETE' });
    expect(left.status).toBe(204);
    expect(texts(await search({ q: 'banana' }, u('bob')))).toEqual([]);
    expect(texts(await search({ q: 'banana' }, u('alice')))).toEqual(['farewell banana']);
  });

  it('answers bad input with 400, never a 500', async () => {
    const cases: Record<string, string>[] = [
      {},
      { q: '' },
      { q: '   ' },
      { q: '!!! ??? 🎉' },
      { q: 'x'.repeat(201) },
      { q: 'a b c d e f g h i' },
      { q: 'tick', limit: '0' },
      { q: 'tick', limit: '101' },
      { q: 'tick', limit: 'ten' },
      { q: 'tick', cursor: 'not-a-cursor' },
      { q: 'tick', cursor: Buffer.from('12.x y').toString('base64url') },
      { q: 'tick', channelId: 'bad id!' },
      { q: 'tick', channelId: ',' },
      { q: 'tick', channelId: Array.from({ length: 51 }, (_, i) => `c${i}`).join(',') },
      { q: 'tick', extra: '1' },
      { q: 'AND OR NOT "* ( ) : ^ -' },
    ];
    for (const params of cases) {
      const reply = await search(params, u('bob'));
      if (params.q === 'AND OR NOT "* ( ) : ^ -') {
        // Query syntax is never passed through: these are plain words.
        expect(reply.status, JSON.stringify(reply.body)).toBe(200);
        continue;
      }
      expectError(reply, 'validation_failed', 400);
    }
    expectError(await call(t.baseUrl, '/api/search?q=tick'), 'unauthorized', 401);
  });
});
