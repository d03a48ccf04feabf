import type { ChannelState, ChannelsPage, CreateChannelBody } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('channel list and channel administration on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const server = () => ({ apiKey: chat.apiKey });
  const pause = () => new Promise((resolve) => setTimeout(resolve, 3));

  async function list(query: string, auth: { token?: string; apiKey?: string }): Promise<ChannelState[]> {
    const all: ChannelState[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const sep = query ? '&' : '';
      const page: Awaited<ReturnType<typeof call<ChannelsPage>>> = await call<ChannelsPage>(
        t.baseUrl,
        `/api/channels?${query}${cursor ? `${sep}cursor=${cursor}` : ''}`,
        auth,
      );
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      all.push(...page.body.channels);
      cursor = page.body.next;
      if (!cursor) break;
    }
    return all;
  }
  const ids = (states: ChannelState[]) => states.map((s) => s.channel.id);

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['ann', 'ben', 'cat', 'dan']);
    // Created in this order, a few ms apart, so createdAt order is known.
    const seeds: Array<[string, Omit<CreateChannelBody, 'type' | 'id'>]> = [
      ['c1', { name: 'Alpha', custom: { topic: 'ops', size: 3 } }],
      ['c2', { name: 'Beta', custom: { topic: 'dev' } }],
      ['c3', { name: 'alpine', custom: { topic: 'ops' }, members: ['ben'] }],
      ['c4', { name: 'Gamma', members: ['ben', 'cat'] }],
      ['c5', { name: 'Delta' }],
    ];
    for (const [id, extra] of seeds) {
      await createChannel(t, u('ann'), { type: 'messaging', id, ...extra });
      await pause();
    }
    await createChannel(t, server(), { type: 'team', id: 'team-x', name: 'Team X', members: ['dan'] });
    await createChannel(t, server(), { type: 'public', id: 'pub-y', name: 'Public Y' });
    await createChannel(t, server(), { type: 'messaging', id: 'hidden-z', name: 'Hidden Z', members: ['dan'] });
  });
  afterAll(() => t.close());

  it('lists the caller’s channels by last activity, newest first, in keyset pages without gaps', async () => {
    await send(t, u('ann'), 'c2', { text: 'bump c2' });
    await pause();
    await send(t, u('ann'), 'c4', { text: 'bump c4' });
    const all = await list('limit=2', u('ann'));
    expect(ids(all)).toEqual(['c4', 'c2', 'c5', 'c3', 'c1']);
    expect(all[0]?.lastMessage?.text).toBe('bump c4');
    expect(all[0]?.membership?.role).toBe('owner');
    expect(ids(await list('sort=createdAt&limit=3', u('ann')))).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
  });

  it('filters by type, name prefix, member and custom field', async () => {
    expect(ids(await list('q=alp', u('ann'))).sort()).toEqual(['c1', 'c3']);
    expect(ids(await list('member=cat', u('ann')))).toEqual(['c4']);
    expect(ids(await list('custom.topic=ops', u('ann'))).sort()).toEqual(['c1', 'c3']);
    expect(ids(await list('custom.size=3', u('ann')))).toEqual(['c1']);
    expect(ids(await list('type=team', u('ann')))).toEqual([]);
    expect(ids(await list('type=team', u('dan')))).toEqual(['team-x']);
  });

  it('filters and sorts by the caller’s exact unread count', async () => {
    await send(t, u('ann'), 'c3', { text: 'one' });
    await send(t, u('ann'), 'c4', { text: 'two' });
    await send(t, u('ann'), 'c4', { text: 'three' });
    const ben = await list('hasUnread=true', u('ben'));
    expect(ids(ben).sort()).toEqual(['c3', 'c4']);
    expect(ben.find((s) => s.channel.id === 'c4')?.membership?.unreadCount).toBe(3);
    expect(ids(await list('sort=unread&limit=1', u('ben')))).toEqual(['c4', 'c3']);
    expect(ids(await list('hasUnread=false', u('ann'))).length).toBe(5);
    expect(ids(await list('hasUnread=true', u('ann')))).toEqual([]);
  });

  it('archived channels leave the default list and have their own', async () => {
    await call(t.baseUrl, '/api/channels/c5/membership', { ...u('ann'), method: 'PATCH', body: { archived: true } });
    expect(ids(await list('', u('ann')))).not.toContain('c5');
    expect(ids(await list('archived=true', u('ann')))).toEqual(['c5']);
  });

  it('joined=false lists the listed channels not joined; members-only ones stay hidden', async () => {
    expect(ids(await list('joined=false', u('ann'))).sort()).toEqual(['pub-y', 'team-x']);
    expect(ids(await list('joined=false', u('dan')))).toEqual(['pub-y']);
    const team = await call<ChannelState>(t.baseUrl, '/api/channels/team-x', u('ann'));
    expect(team.status).toBe(200);
    expect(team.body.membership).toBeNull();
    expectError(await call(t.baseUrl, '/api/channels/team-x/messages', { ...u('ann'), body: { text: 'x' } }), 'channel_not_found', 404);
    expectError(await call(t.baseUrl, '/api/channels/hidden-z', u('ann')), 'channel_not_found', 404);
  });

  it('the server lists every channel of its app and nothing of another app', async () => {
    expect(ids(await list('sort=createdAt', server())).length).toBe(8);
    expectError(await call(t.baseUrl, '/api/channels?hasUnread=true', server()), 'validation_failed', 400);
    const other = await chatApp(t, ['ann'], 'Other');
    expect(await list('', { apiKey: other.apiKey })).toEqual([]);
    expectError(await call(t.baseUrl, '/api/channels/c1', { apiKey: other.apiKey }), 'channel_not_found', 404);
    expectError(await call(t.baseUrl, '/api/channels?cursor=nope', server()), 'validation_failed', 400);
    // A forged cursor with numbers no store can compare is a bad cursor, not a 500.
    for (const key of [[1e30, 1e30, 'c1'], [1.5, 2, 'c1'], [0, -1e300, 'c1']]) {
      const forged = Buffer.from(JSON.stringify(key)).toString('base64url');
      for (const sort of ['lastMessageAt', 'createdAt']) {
        expectError(await call(t.baseUrl, `/api/channels?sort=${sort}&cursor=${forged}`, server()), 'validation_failed', 400);
      }
    }
  });

  it('owners and admins rename; members may not', async () => {
    expectError(await call(t.baseUrl, '/api/channels/c4', { ...u('ben'), method: 'PATCH', body: { name: 'Mine now' } }), 'forbidden', 403);
    const renamed = await call<ChannelState>(t.baseUrl, '/api/channels/c4', { ...u('ann'), method: 'PATCH', body: { name: 'Gamma 2', custom: { topic: 'new' } } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.channel).toMatchObject({ name: 'Gamma 2', custom: { topic: 'new' } });
    const types = await t.server.context.store.db.selectFrom('channel_events').select('type').where('channel_id', '=', 'c4').orderBy('stream_offset', 'desc').limit(1).execute();
    expect(types[0]?.type).toBe('channel.updated');
  });

  it('truncate removes every message for admins and the server; unread goes to 0', async () => {
    expectError(await call(t.baseUrl, '/api/channels/c4/truncate', { ...u('ben'), method: 'POST' }), 'forbidden', 403);
    const truncated = await call<ChannelState>(t.baseUrl, '/api/channels/c4/truncate', { ...server(), method: 'POST' });
    expect(truncated.status).toBe(200);
    expect(truncated.body.lastMessage).toBeNull();
    const ben = await call<ChannelState>(t.baseUrl, '/api/channels/c4', u('ben'));
    expect(ben.body.membership?.unreadCount).toBe(0);
    const next = await send(t, u('ann'), 'c4', { text: 'after truncate' });
    // Three messages were sent before: the sequence continues past them.
    expect(next.seq).toBe(4);
  });

  it('delete: only the owner or the server; then it is gone', async () => {
    await call(t.baseUrl, '/api/channels/c3/members/ben', { ...u('ann'), method: 'PATCH', body: { role: 'admin' } });
    expectError(await call(t.baseUrl, '/api/channels/c3', { ...u('ben'), method: 'DELETE' }), 'forbidden', 403);
    expect((await call(t.baseUrl, '/api/channels/c3', { ...u('ann'), method: 'DELETE' })).status).toBe(204);
    expectError(await call(t.baseUrl, '/api/channels/c3', u('ann')), 'channel_not_found', 404);
    expect(ids(await list('', u('ben')))).not.toContain('c3');
    expect((await call(t.baseUrl, '/api/channels/c2', { ...server(), method: 'DELETE' })).status).toBe(204);
  });
});
