import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatClient, LocalMessage } from '../src/index.js';
import { type Harness, snapshotWhere, startHarness, until } from './helpers.js';

const texts = (messages: readonly LocalMessage[]) => messages.map((message) => message.text);

describe('two clients chat', () => {
  let h: Harness;
  let ann: ChatClient;
  let bob: ChatClient;

  beforeAll(async () => {
    h = await startHarness();
    await h.tokens('cat');
    ann = await h.client('ann');
    bob = await h.client('bob');
    await Promise.all([ann.connect(), bob.connect()]);
  });
  afterAll(() => h.close());

  it('sends optimistically, delivers live, and never shows a message twice', async () => {
    const dm = await ann.channels.dm('bob');
    expect(dm.id).toBe((await bob.channels.dm('ann')).id);
    const annChannel = ann.channel(dm.id);
    const bobChannel = bob.channel(dm.id);
    await Promise.all([annChannel.watch(), bobChannel.watch()]);

    const before = annChannel.messages.getSnapshot();
    const sending = annChannel.sendMessage('hello bob');
    // At once: the message shows as sending, with its client id; the old snapshot did not change.
    const optimistic = annChannel.messages.getSnapshot().messages.at(-1);
    expect(optimistic).toMatchObject({ text: 'hello bob', status: 'sending', userId: 'ann', seq: 0 });
    expect(optimistic?.clientId).toBe(optimistic?.id);
    expect(before.messages).toHaveLength(0);

    const sent = await sending;
    expect(sent).toMatchObject({ id: optimistic?.id, status: 'sent', text: 'hello bob' });
    expect(sent.seq).toBeGreaterThan(0);
    const onBob = await snapshotWhere(bobChannel.messages, (s) => s.messages.length === 1);
    expect(onBob.messages[0]).toMatchObject({ id: sent.id, text: 'hello bob', status: 'sent' });

    await bobChannel.sendMessage('hi ann');
    await bobChannel.sendMessage({ text: 'how are you?' });
    const annSees = await snapshotWhere(annChannel.messages, (s) => s.messages.length === 3 && s.messages.every((m) => m.status === 'sent'));
    expect(texts(annSees.messages)).toEqual(['hello bob', 'hi ann', 'how are you?']);
    // The realtime echo of ann's own message did not add a second copy.
    await until(() => texts(annChannel.messages.getSnapshot().messages).length === 3);
    expect(new Set(annSees.messages.map((m) => m.id)).size).toBe(3);
  });

  it('edits, deletes, reacts, pins and threads, on both sides', async () => {
    const channel = await ann.channels.create({ type: 'messaging', id: 'project', name: 'Project', members: ['ann', 'bob'] });
    const a = ann.channel(channel.id);
    const b = bob.channel(channel.id);
    await Promise.all([a.watch(), b.watch()]);
    const first = await a.sendMessage('first draft');
    await snapshotWhere(b.messages, (s) => s.messages.some((m) => m.id === first.id));

    await a.editMessage(first.id, 'final text');
    await snapshotWhere(b.messages, (s) => s.messages.find((m) => m.id === first.id)?.text === 'final text');

    const reacting = b.react(first.id, 'like');
    // At once on the reacting side; the server's answer then confirms the figures.
    expect(b.messages.get(first.id)).toMatchObject({ reactionCounts: { like: 1 }, ownReactions: [{ type: 'like', userId: 'bob' }] });
    await reacting;
    const liked = await snapshotWhere(a.messages, (s) => s.messages.find((m) => m.id === first.id)?.reactionCounts.like === 1);
    expect(liked.messages.find((m) => m.id === first.id)?.ownReactions).toEqual([]);
    expect(b.messages.get(first.id)?.ownReactions.map((r) => r.type)).toEqual(['like']);
    const unreacting = b.unreact(first.id, 'like');
    expect(b.messages.get(first.id)).toMatchObject({ reactionCounts: {}, ownReactions: [] });
    await unreacting;
    await snapshotWhere(a.messages, (s) => (s.messages.find((m) => m.id === first.id)?.reactionCounts.like ?? 0) === 0);

    await a.pin(first.id);
    await snapshotWhere(b.messages, (s) => s.messages.find((m) => m.id === first.id)?.pinnedBy === 'ann');
    expect((await b.pinned()).messages.map((m) => m.id)).toEqual([first.id]);

    const thread = b.thread(first.id);
    await thread.reload();
    const reply = await b.sendMessage({ text: 'a reply', parentId: first.id });
    expect(thread.getSnapshot().messages.map((m) => m.id)).toEqual([reply.id]);
    // The parent shows the reply count; the reply itself stays out of the channel's list.
    const parent = await snapshotWhere(a.messages, (s) => s.messages.find((m) => m.id === first.id)?.replyCount === 1);
    expect(parent.messages.some((m) => m.id === reply.id)).toBe(false);
    const annThread = a.thread(first.id);
    await annThread.reload();
    expect(texts(annThread.getSnapshot().messages)).toEqual(['a reply']);
    await b.sendMessage({ text: 'second reply', parentId: first.id });
    await snapshotWhere(annThread, (s) => s.messages.length === 2);

    const doomed = await a.sendMessage('oops');
    await snapshotWhere(b.messages, (s) => s.messages.some((m) => m.id === doomed.id));
    await a.deleteMessage(doomed.id);
    const tomb = await snapshotWhere(b.messages, (s) => s.messages.find((m) => m.id === doomed.id)?.deletedAt != null);
    expect(tomb.messages.find((m) => m.id === doomed.id)?.text).toBe('');
  });

  it('shows typing, read receipts, members and unread counts', async () => {
    const created = await ann.channels.create({ type: 'messaging', id: 'room', members: ['ann', 'bob'] });
    const a = ann.channel(created.id);
    const b = bob.channel(created.id);
    await Promise.all([a.watch(), b.watch()]);
    expect(a.members.getSnapshot().map((m) => m.userId)).toEqual(['ann', 'bob']);

    a.keystroke();
    await snapshotWhere(b.typing, (users) => users.some((u) => u.userId === 'ann'));
    a.keystroke(); // throttled: no second start, still typing
    a.stopTyping();
    await snapshotWhere(b.typing, (users) => users.length === 0);

    await bob.channels.query();
    await bob.unread.refresh();
    const unreadBefore = bob.unread.getSnapshot().channels.room?.unreadCount ?? 0;
    await a.sendMessage('unread for bob');
    await snapshotWhere(bob.unread, (s) => s.channels.room?.unreadCount === unreadBefore + 1);
    const listed = await snapshotWhere(bob.channels.list, (s) => s.channels[0]?.channel.id === 'room');
    expect(listed.channels[0]?.lastMessage?.text).toBe('unread for bob');
    expect(listed.channels[0]?.membership?.unreadCount).toBe(unreadBefore + 1);

    await b.markRead();
    await snapshotWhere(bob.unread, (s) => s.channels.room === undefined);
    expect(b.state.getSnapshot()?.membership?.unreadCount).toBe(0);
    const seq = b.state.getSnapshot()?.channel.lastMessageSeq;
    await snapshotWhere(a.reads, (reads) => reads.bob?.lastReadSeq === seq);

    await a.addMembers(['cat']);
    await snapshotWhere(b.members, (members) => members.some((m) => m.userId === 'cat'));
    expect(b.state.getSnapshot()?.channel.memberCount).toBe(3);

    const mention = await a.sendMessage({ text: 'ping @bob', mentionedUsers: ['bob'] });
    await snapshotWhere(bob.unread, (s) => s.channels.room?.unreadMentions === 1 && s.totalMentions >= 1);
    expect((await bob.mentions.query()).messages.map((m) => m.id)).toContain(mention.id);
    const missing = await bob.users.get('nobody').catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'user_not_found', status: 404 });
    expect((missing as { requestId: string }).requestId).toMatch(/^req_/);
  });

  it('lets a third client join and page back through the history', async () => {
    const a = ann.channel('project');
    for (let i = 0; i < 70; i++) await a.sendMessage(`history ${i}`);
    const cat = await h.client('cat');
    await cat.connect();
    await ann.channel('project').addMembers(['cat']);
    const c = cat.channel('project');
    await c.watch();
    const server = (await a.messages.getSnapshot()).messages.filter((m) => m.status === 'sent').map((m) => m.id);
    expect(c.messages.getSnapshot().messages.length).toBe(30);
    expect(c.messages.getSnapshot().hasOlder).toBe(true);
    while (await c.loadOlder(25));
    const all = c.messages.getSnapshot().messages.map((m) => m.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all.slice(-server.length)).toEqual(server);
    expect(texts(c.messages.getSnapshot().messages).filter((t) => t.startsWith('history'))).toEqual(Array.from({ length: 70 }, (_, i) => `history ${i}`));
  });

  it('searches the user\'s channels, pages with the cursor, and narrows to named channels', async () => {
    const team = await ann.channels.create({ type: 'messaging', id: 'search-team', members: ['bob'] });
    const aside = await ann.channels.create({ type: 'messaging', id: 'search-aside', members: ['cat'] });
    const t = ann.channel(team.id);
    for (const text of ['Quarterly planning notes', 'planning the offsite', 'lunch?']) await t.sendMessage(text);
    await ann.channel(aside.id).sendMessage('planning with cat');

    // bob is not in search-aside: its message never shows for him.
    const first = await bob.search('planning', { limit: 1 });
    expect(first.results.map((m) => m.text)).toEqual(['planning the offsite']);
    expect(first.next).toBeDefined();
    const second = await bob.search('planning', { limit: 1, ...(first.next ? { cursor: first.next } : {}) });
    expect(second.results.map((m) => m.text)).toEqual(['Quarterly planning notes']);
    expect(second.next).toBeUndefined();

    const narrowed = await ann.search('PLAN', { channelIds: [aside.id] });
    expect(narrowed.results.map((m) => m.text)).toEqual(['planning with cat']);
  });
});
