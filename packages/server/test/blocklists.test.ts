import type { AuditEntry, Blocklist, BlocklistResponse, BlocklistsResponse, ChannelState, ErrorBody, Flag, FlagsPage, MessageResponse } from '@chatsdk/protocol';
import { LIMITS } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError, issueTokens, type Reply } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

describe.each(storeKinds)('blocklists on %s', (kind) => {
  let t: TestServer;
  let chat: ChatApp;
  let modToken = '';
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const key = () => ({ apiKey: chat.apiKey });

  const create = (body: Record<string, unknown>, auth: { token?: string; apiKey?: string } = key()): Promise<Reply<BlocklistResponse>> =>
    call<BlocklistResponse>(t.baseUrl, '/api/moderation/blocklists', { ...auth, body });
  const patchList = (name: string, body: Record<string, unknown>): Promise<Reply<BlocklistResponse>> =>
    call<BlocklistResponse>(t.baseUrl, `/api/moderation/blocklists/${name}`, { ...key(), method: 'PATCH', body });
  const attach = async (channelId: string, blocklists: string[]): Promise<void> => {
    const reply = await call<ChannelState>(t.baseUrl, `/api/channels/${channelId}`, { ...key(), method: 'PATCH', body: { blocklists } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  };
  const sendAs = (user: string, channelId: string, text: string): Promise<Reply<MessageResponse>> =>
    call<MessageResponse>(t.baseUrl, `/api/channels/${channelId}/messages`, { ...u(user), body: { text } });
  const edit = (user: string, id: string, text: string): Promise<Reply<MessageResponse>> =>
    call<MessageResponse>(t.baseUrl, `/api/messages/${id}`, { ...u(user), method: 'PATCH', body: { text } });

  /** What a channel holds, to prove a refused send or edit wrote nothing (no message, no event). */
  async function footprint(channelId: string): Promise<{ messages: number; offset: number; texts: string[] }> {
    const db = t.server.context.store.db;
    const rows = await db.selectFrom('messages').select(['text']).where('app_id', '=', chat.appId).where('channel_id', '=', channelId).orderBy('seq').execute();
    const channel = await db.selectFrom('channels').select('last_offset').where('app_id', '=', chat.appId).where('id', '=', channelId).executeTakeFirstOrThrow();
    return { messages: rows.length, offset: Number(channel.last_offset), texts: rows.map((r) => r.text) };
  }

  async function storedText(id: string): Promise<string> {
    const row = await t.server.context.store.db.selectFrom('messages').select('text').where('app_id', '=', chat.appId).where('id', '=', id).executeTakeFirstOrThrow();
    return row.text;
  }

  async function version(): Promise<number> {
    const row = await t.server.context.store.db.selectFrom('apps').select('blocklists_version').where('id', '=', chat.appId).executeTakeFirstOrThrow();
    return Number(row.blocklists_version);
  }

  async function audit(targetId: string): Promise<Array<Pick<AuditEntry, 'action' | 'actorId'>>> {
    const rows = await t.server.context.store.db
      .selectFrom('moderation_audit')
      .select(['action', 'actor_id'])
      .where('app_id', '=', chat.appId)
      .where('target_type', '=', 'blocklist')
      .where('target_id', '=', targetId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ action: r.action, actorId: r.actor_id }));
  }

  /** The review queue's flag of a message, if any (the queue is the flags work's; a blocklist only feeds it). */
  async function flagOf(messageId: string): Promise<Flag | undefined> {
    const page = await call<FlagsPage>(t.baseUrl, '/api/moderation/flags?status=pending&limit=100', key());
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    return page.body.flags.find((f) => f.messageId === messageId);
  }

  const errorOf = (reply: Reply<unknown>): ErrorBody['error'] => (reply.body as ErrorBody).error;

  function blockedBy(reply: Reply, name: string): void {
    expectError(reply, 'message_blocked', 400);
    expect(errorOf(reply).details).toEqual({ blocklist: name });
  }

  beforeAll(async () => {
    t = await startTestServer(kind);
    chat = await chatApp(t, ['alice', 'bob', 'carol']);
    modToken = (await issueTokens(t.baseUrl, chat.apiKey, { userId: 'mod', name: 'mod', role: 'moderator' })).token;
  });
  afterAll(() => t.close());

  it('creates, lists by name, reads, replaces fields and deletes a list, moving the version and auditing each change', async () => {
    expect(await version()).toBe(0);
    const created = await create({ name: 'zeta', words: ['one', 'two'], patterns: ['th+ree'], mode: 'mask', channelTypes: ['team', 'team'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.blocklist).toEqual({
      name: 'zeta',
      words: ['one', 'two'],
      patterns: ['th+ree'],
      mode: 'mask',
      channelTypes: ['team'],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const byMod = await create({ name: 'alpha', words: ['x'], mode: 'flag' }, { token: modToken });
    expect(byMod.status, JSON.stringify(byMod.body)).toBe(201);
    expect(byMod.body.blocklist).toMatchObject({ patterns: [], channelTypes: [] });
    expect(await version()).toBe(2);

    const listed = await call<BlocklistsResponse>(t.baseUrl, '/api/moderation/blocklists', { token: modToken });
    expect(listed.body.blocklists.map((b: Blocklist) => b.name)).toEqual(['alpha', 'zeta']);
    const one = await call<BlocklistResponse>(t.baseUrl, '/api/moderation/blocklists/zeta', key());
    expect(one.body.blocklist).toEqual(created.body.blocklist);

    const patched = await patchList('zeta', { words: ['three'], mode: 'block' });
    expect(patched.status).toBe(200);
    // What is given replaces what was; what is not given stays.
    expect(patched.body.blocklist).toMatchObject({ words: ['three'], patterns: ['th+ree'], mode: 'block', channelTypes: ['team'] });
    expect(await version()).toBe(3);

    const deleted = await call(t.baseUrl, '/api/moderation/blocklists/zeta', { ...key(), method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expectError(await call(t.baseUrl, '/api/moderation/blocklists/zeta', key()), 'blocklist_not_found', 404);
    expect(await version()).toBe(4);
    expect(await audit('zeta')).toEqual([
      { action: 'blocklist.create', actorId: null },
      { action: 'blocklist.update', actorId: null },
      { action: 'blocklist.delete', actorId: null },
    ]);
    expect(await audit('alpha')).toEqual([{ action: 'blocklist.create', actorId: 'mod' }]);
    await call(t.baseUrl, '/api/moderation/blocklists/alpha', { ...key(), method: 'DELETE' });
  });

  it('refuses a duplicate name (409), unknown names (404) and users without an app moderator role (403), writing nothing', async () => {
    expect((await create({ name: 'dup', words: ['a'], mode: 'block' })).status).toBe(201);
    const before = await version();
    expectError(await create({ name: 'dup', words: ['b'], mode: 'mask' }), 'blocklist_exists', 409);
    expectError(await create({ name: 'dup', words: ['b'], mode: 'mask' }, { token: modToken }), 'blocklist_exists', 409);
    for (const method of ['GET', 'DELETE']) expectError(await call(t.baseUrl, '/api/moderation/blocklists/nope', { ...key(), method }), 'blocklist_not_found', 404);
    expectError(await patchList('nope', { mode: 'flag' }), 'blocklist_not_found', 404);

    expectError(await create({ name: 'mine', words: ['a'], mode: 'block' }, u('alice')), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/moderation/blocklists', u('alice')), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/moderation/blocklists/dup', u('alice')), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/moderation/blocklists/dup', { ...u('alice'), method: 'PATCH', body: { mode: 'flag' } }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/moderation/blocklists/dup', { ...u('alice'), method: 'DELETE' }), 'forbidden', 403);
    expectError(await call(t.baseUrl, '/api/moderation/blocklists'), 'unauthorized', 401);
    expect(await version()).toBe(before);
    const kept = await call<BlocklistResponse>(t.baseUrl, '/api/moderation/blocklists/dup', key());
    expect(kept.body.blocklist).toMatchObject({ words: ['a'], mode: 'block' });
    await call(t.baseUrl, '/api/moderation/blocklists/dup', { ...key(), method: 'DELETE' });
  });

  it('refuses bad input with 400 validation_failed naming it: a pattern RE2 cannot run, a word with nothing to match, a bad name or mode, an empty change', async () => {
    for (const pattern of ['(unclosed', '(a)\\1', '(?=x)y', 'x*']) {
      const reply = await create({ name: 'pat', words: [], patterns: ['ok', pattern], mode: 'block' });
      expectError(reply, 'validation_failed', 400);
      expect(errorOf(reply).message).toContain(`patterns/1 ${JSON.stringify(pattern)}`);
      expect(errorOf(reply).details).toEqual({ pattern });
    }
    expectError(await create({ name: 'w', words: ['fine', '...'], mode: 'block' }), 'validation_failed', 400);
    expectError(await create({ name: 'bad name', words: ['a'], mode: 'block' }), 'validation_failed', 400);
    expectError(await create({ name: 'm', words: ['a'], mode: 'shout' }), 'validation_failed', 400);
    expectError(await create({ name: 'm', words: ['x'.repeat(LIMITS.blocklistWordLength + 1)], mode: 'block' }), 'validation_failed', 400);
    expectError(await create({ name: 'm', words: ['a'], mode: 'block', channelTypes: ['nope'] }), 'validation_failed', 400);
    expect((await create({ name: 'm', words: ['a'], mode: 'block' })).status).toBe(201);
    expectError(await patchList('m', {}), 'validation_failed', 400);
    expectError(await patchList('m', { patterns: ['(a)\\1'] }), 'validation_failed', 400);
    expectError(await patchList('m', { words: [' '] }), 'validation_failed', 400);
    await call(t.baseUrl, '/api/moderation/blocklists/m', { ...key(), method: 'DELETE' });
    const left = await call<BlocklistsResponse>(t.baseUrl, '/api/moderation/blocklists', key());
    expect(left.body.blocklists).toEqual([]);
  });

  it('answers racing creates of one name with one 201 and 409s, never a 500', async () => {
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => create({ name: 'race', words: [`w${i}`], mode: 'mask' })));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const reply of replies.filter((r) => r.status === 409)) expectError(reply, 'blocklist_exists', 409);
    expect(await audit('race')).toEqual([{ action: 'blocklist.create', actorId: null }]);
    await call(t.baseUrl, '/api/moderation/blocklists/race', { ...key(), method: 'DELETE' });
  });

  it(`holds at most ${LIMITS.blocklistsPerApp} lists per app`, async () => {
    const other = await chatApp(t, [], 'Many lists');
    for (let i = 0; i < LIMITS.blocklistsPerApp; i++) {
      const reply = await create({ name: `l${i}`, words: ['w'], mode: 'mask' }, { apiKey: other.apiKey });
      expect(reply.status).toBe(201);
    }
    expectError(await create({ name: 'one-more', words: ['w'], mode: 'mask' }, { apiKey: other.apiKey }), 'validation_failed', 400);
    // Lists are per app: this app still has room.
    const mine = await create({ name: 'l0', words: ['w'], mode: 'mask' });
    expect(mine.status).toBe(201);
    await call(t.baseUrl, '/api/moderation/blocklists/l0', { ...key(), method: 'DELETE' });
  });

  it('blocks a send that holds a listed word in any case or accent (400, nothing stored, no event), and passes longer words that contain it', async () => {
    await createChannel(t, u('alice'), { type: 'messaging', id: 'blocked-room', members: ['alice', 'bob'] });
    expect((await create({ name: 'rude', words: ['bad', 'very ugly'], mode: 'block' })).status).toBe(201);
    await attach('blocked-room', ['rude']);
    const before = await footprint('blocked-room');
    for (const text of ['this is bad', 'Bad!', 'so BÁD', 'bád news', 'you are Very   Ugly']) blockedBy(await sendAs('bob', 'blocked-room', text), 'rude');
    expect(await footprint('blocked-room')).toEqual(before);

    for (const text of ['badminton tonight?', 'abad', 'ugly but not very']) await send(t, u('bob'), 'blocked-room', { text });
    // The app's server speaks for the app: its sends are not screened.
    await send(t, key(), 'blocked-room', { text: 'bad news from the server', userId: 'alice' });
    expect((await footprint('blocked-room')).messages).toBe(before.messages + 4);
  });

  it('masks matched words in the stored and served text, as typed', async () => {
    await createChannel(t, u('alice'), { type: 'messaging', id: 'masked-room', members: ['alice', 'bob'] });
    expect((await create({ name: 'soft', words: ['darn', 'heck'], patterns: ['fr[i1]ck'], mode: 'mask' })).status).toBe(201);
    await attach('masked-room', ['soft']);
    const message = await send(t, u('bob'), 'masked-room', { text: 'Darn it, what the HÉCK, fr1cking badminton' });
    expect(message.text).toBe('*** it, what the ***, ***ing badminton');
    expect(await storedText(message.id)).toBe(message.text);
    const read = await call<MessageResponse>(t.baseUrl, `/api/messages/${message.id}`, u('alice'));
    expect(read.body.message.text).toBe(message.text);
  });

  it('stores a flag-mode match as sent and puts it in the review queue, flagged by the system with the list named', async () => {
    await createChannel(t, u('alice'), { type: 'messaging', id: 'flag-room', members: ['alice', 'bob'] });
    expect((await create({ name: 'watch', words: ['scam'], mode: 'flag' })).status).toBe(201);
    await attach('flag-room', ['watch']);
    const before = await footprint('flag-room');
    const message = await send(t, u('bob'), 'flag-room', { text: 'not a SCAM, promise' });
    expect(message.text).toBe('not a SCAM, promise');
    const after = await footprint('flag-room');
    expect(after.messages).toBe(before.messages + 1);
    // Flagged, not hidden: the message and its event are there.
    expect(after.offset).toBe(before.offset + 1);
    const flag = await flagOf(message.id);
    expect(flag).toMatchObject({ targetType: 'message', status: 'pending', flagCount: 1, reasons: ['blocklist: watch'] });
    expect(flag?.reports.map((r) => r.userId)).toEqual([null]);
    // A clean message is not flagged: the check above can fail.
    const clean = await send(t, u('bob'), 'flag-room', { text: 'scammer' });
    expect(await flagOf(clean.id)).toBeUndefined();
  });

  it('screens edits as sends: a blocked edit changes nothing, a masked edit stores ***, a flagged one is stored', async () => {
    await createChannel(t, u('alice'), { type: 'messaging', id: 'edit-room', members: ['alice', 'bob'] });
    await attach('edit-room', ['rude', 'soft', 'watch']);
    const message = await send(t, u('bob'), 'edit-room', { text: 'clean' });
    const before = await footprint('edit-room');
    blockedBy(await edit('bob', message.id, 'now it is BAD'), 'rude');
    expect(await footprint('edit-room')).toEqual(before);
    expect(await storedText(message.id)).toBe('clean');

    const masked = await edit('bob', message.id, 'oh heck');
    expect(masked.status, JSON.stringify(masked.body)).toBe(200);
    expect(masked.body.message.text).toBe('oh ***');
    expect(await storedText(message.id)).toBe('oh ***');

    expect(await flagOf(message.id)).toBeUndefined();
    const flagged = await edit('bob', message.id, 'a scam');
    expect(flagged.body.message.text).toBe('a scam');
    expect(await flagOf(message.id)).toMatchObject({ reasons: ['blocklist: watch'] });
    expect((await footprint('edit-room')).offset).toBe(before.offset + 2);
    // An edit of other fields leaves the text, and its screening, alone.
    const custom = await call<MessageResponse>(t.baseUrl, `/api/messages/${message.id}`, { ...u('bob'), method: 'PATCH', body: { custom: { k: 1 } } });
    expect(custom.status).toBe(200);
  });

  it('applies a list to every channel of its channel types, and not to others', async () => {
    await createChannel(t, u('alice'), { type: 'team', id: 'team-room', members: ['alice', 'bob'] });
    await createChannel(t, u('alice'), { type: 'messaging', id: 'plain-room', members: ['alice', 'bob'] });
    expect((await create({ name: 'team-words', words: ['secret'], mode: 'block', channelTypes: ['team'] })).status).toBe(201);
    blockedBy(await sendAs('bob', 'team-room', 'the Secret plan'), 'team-words');
    await send(t, u('bob'), 'plain-room', { text: 'the secret plan' });
    // Changing its types moves it: the next send sees the new version.
    expect((await patchList('team-words', { channelTypes: ['messaging'] })).status).toBe(200);
    await send(t, u('bob'), 'team-room', { text: 'the secret plan' });
    blockedBy(await sendAs('bob', 'plain-room', 'the secret plan'), 'team-words');
  });

  it('sees a changed list at once: new words after a PATCH, none after a DELETE, which also leaves the channels naming it', async () => {
    await createChannel(t, u('alice'), { type: 'messaging', id: 'change-room', members: ['alice', 'bob'] });
    expect((await create({ name: 'moving', words: ['first'], mode: 'block' })).status).toBe(201);
    await attach('change-room', ['moving', 'soft']);
    blockedBy(await sendAs('bob', 'change-room', 'first'), 'moving');
    await patchList('moving', { words: ['second'] });
    await send(t, u('bob'), 'change-room', { text: 'first' });
    blockedBy(await sendAs('bob', 'change-room', 'second'), 'moving');
    await patchList('moving', { mode: 'mask' });
    expect((await send(t, u('bob'), 'change-room', { text: 'second' })).text).toBe('***');

    expect((await call(t.baseUrl, '/api/moderation/blocklists/moving', { ...key(), method: 'DELETE' })).status).toBe(204);
    expect((await send(t, u('bob'), 'change-room', { text: 'second' })).text).toBe('second');
    const channel = await call<ChannelState>(t.baseUrl, '/api/channels/change-room', key());
    expect(channel.body.channel.blocklists).toEqual(['soft']);
    // A new list of the old name is not applied to the channels that named the old one.
    expect((await create({ name: 'moving', words: ['second'], mode: 'block' })).status).toBe(201);
    expect((await send(t, u('bob'), 'change-room', { text: 'second' })).text).toBe('second');
  });

  it('bounds a catastrophic-backtracking pattern: (a+)+$ against a long run of a and a "!" answers at once', async () => {
    await createChannel(t, u('alice'), { type: 'messaging', id: 'regex-room', members: ['alice', 'bob'] });
    expect((await create({ name: 'evil', words: [], patterns: ['(a+)+$'], mode: 'block' })).status).toBe(201);
    await attach('regex-room', ['evil']);
    const text = `${'a'.repeat(LIMITS.messageTextLength - 1)}!`;
    const started = performance.now();
    const reply = await sendAs('bob', 'regex-room', text);
    const elapsed = performance.now() - started;
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    // The whole request, HTTP and the store included; the engine's own time is timed in blocklist-matching.test.ts.
    expect(elapsed).toBeLessThan(1000);
    blockedBy(await sendAs('bob', 'regex-room', 'aaaa'), 'evil');
  });

  it('writes no message.updated event and no mention for an edit of a shadowed message', async () => {
    await createChannel(t, u('alice'), { type: 'messaging', id: 'shadow-room', members: ['alice', 'carol'] });
    const message = await send(t, u('carol'), 'shadow-room', { text: 'hello' });
    // Marked as a shadow ban's send would leave it (the ban itself is the bans work's).
    await t.server.context.store.db.updateTable('messages').set({ shadowed: 1 }).where('app_id', '=', chat.appId).where('id', '=', message.id).execute();
    const updates = async () =>
      (
        await t.server.context.store.db
          .selectFrom('channel_events')
          .select('stream_offset')
          .where('app_id', '=', chat.appId)
          .where('channel_id', '=', 'shadow-room')
          .where('type', '=', 'message.updated')
          .execute()
      ).length;
    const before = await footprint('shadow-room');
    const mentions = async () =>
      (await t.server.context.store.db.selectFrom('mentions').select('user_id').where('app_id', '=', chat.appId).where('channel_id', '=', 'shadow-room').execute()).length;
    const edited = await edit('carol', message.id, 'hello again @alice');
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(await storedText(message.id)).toBe('hello again @alice');
    expect((await footprint('shadow-room')).offset).toBe(before.offset);
    expect(await updates()).toBe(0);
    expect(await mentions()).toBe(0);
    // The same edit of a message nobody shadows is an event: the check above can fail.
    const seen = await send(t, u('carol'), 'shadow-room', { text: 'seen' });
    expect((await edit('carol', seen.id, 'seen again @alice')).status).toBe(200);
    expect(await updates()).toBe(1);
    expect(await mentions()).toBe(1);
  });
});
