import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserEvent } from '@chatsdk/protocol';
import type { ChatClient } from '../src/index.js';
import { type Harness, network, snapshotWhere, startHarness } from './helpers.js';

describe('the personal stream', () => {
  let h: Harness;
  let ann: ChatClient;
  let bob: ChatClient;
  const net = network();

  beforeAll(async () => {
    h = await startHarness({ offlineDelayMs: 50 });
    for (const user of ['ann', 'bob', 'cy']) await h.tokens(user);
    ann = await h.client('ann', { WebSocket: net.WebSocket, fetch: net.fetch });
    bob = await h.client('bob');
    await Promise.all([ann.connect(), bob.connect()]);
    await ann.channels.query();
  });
  afterAll(() => h.close());

  it('adds channels, moves them up on new messages and counts unread, for channels not watched', async () => {
    const events: UserEvent[] = [];
    ann.on('user.event', (event) => events.push(event));
    await bob.channels.create({ type: 'messaging', id: 'p-one', members: ['ann', 'bob'] });
    await bob.channels.create({ type: 'messaging', id: 'p-two', members: ['ann', 'bob'] });
    await snapshotWhere(ann.channels.list, (s) => s.channels.length === 2);

    await bob.channel('p-one').sendMessage('to the older channel');
    const list = await snapshotWhere(ann.channels.list, (s) => s.channels[0]?.channel.id === 'p-one' && s.channels[0].lastMessage !== null);
    expect(list.channels[0]?.lastMessage?.text).toBe('to the older channel');
    expect(list.channels[0]?.membership?.unreadCount).toBe(1);
    await snapshotWhere(ann.unread, (s) => s.total === 1 && s.channels['p-one']?.unreadCount === 1);
    await bob.channel('p-two').sendMessage({ text: '@ann look', mentionedUsers: ['ann'] });
    // The server's figures, mentions included.
    await snapshotWhere(ann.unread, (s) => s.total === 2 && s.unreadChannels === 2 && s.totalMentions === 1 && s.channels['p-two']?.unreadMentions === 1);
    expect(ann.channels.list.getSnapshot().channels[0]?.channel.id).toBe('p-two');
    expect(events.some((event) => event.type === 'notification.message_new')).toBe(true);
  });

  it('follows reads made on another device of the same user', async () => {
    const annElsewhere = await h.client('ann');
    await annElsewhere.channel('p-one').markRead();
    await snapshotWhere(ann.unread, (s) => s.channels['p-one'] === undefined && s.total === 1);
    const listed = ann.channels.list.getSnapshot().channels.find((item) => item.channel.id === 'p-one');
    expect(listed?.membership?.unreadCount).toBe(0);
  });

  it('takes removed and deleted channels out of the list', async () => {
    await bob.channel('p-one').removeMember('ann');
    await snapshotWhere(ann.channels.list, (s) => !s.channels.some((item) => item.channel.id === 'p-one'));
    await bob.channel('p-two').delete();
    await snapshotWhere(ann.channels.list, (s) => s.channels.length === 0);
    await snapshotWhere(ann.unread, (s) => s.total === 0);
  });

  it('shows presence of members, live', async () => {
    await bob.channels.create({ type: 'messaging', id: 'p-three', members: ['ann', 'bob', 'cy'] });
    const channel = ann.channel('p-three');
    await channel.watch();
    await snapshotWhere(channel.presence, (p) => p.bob?.online === true && p.cy?.online === false && p.ann?.online === true);
    const cy = await h.client('cy');
    await cy.connect();
    await snapshotWhere(channel.presence, (p) => p.cy?.online === true);
    await cy.disconnect();
    const gone = await snapshotWhere(channel.presence, (p) => p.cy?.online === false);
    expect(gone.cy?.lastActiveAt).not.toBeNull();
    expect(ann.users.presence.getSnapshot().cy?.online).toBe(false);
  });

  it('reloads the channel list after a reconnect: what the stream said meanwhile is not replayed', async () => {
    net.offline();
    await snapshotWhere(ann.connection, (s) => s.status === 'connecting');
    await bob.channels.create({ type: 'messaging', id: 'p-while-away', members: ['ann', 'bob'] });
    await bob.channel('p-while-away').sendMessage('you were away');
    net.online();
    const list = await snapshotWhere(ann.channels.list, (s) => s.channels.some((item) => item.channel.id === 'p-while-away'));
    expect(list.channels[0]?.lastMessage?.text).toBe('you were away');
    await snapshotWhere(ann.unread, (s) => s.channels['p-while-away']?.unreadCount === 1);
  });
});
