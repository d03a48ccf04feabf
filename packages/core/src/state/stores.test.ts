import type { Message } from '@chatsdk/protocol';
import { describe, expect, it } from 'vitest';
import { Store } from '../store.js';
import { MessageWindow } from './message-window.js';
import { UnreadStore } from './unread.js';

const message = (seq: number, id = `m${seq}`): Message =>
  ({ id, seq, channelId: 'c', parentId: null, showInChannel: false, text: `t${seq}`, createdAt: new Date(seq * 1000).toISOString(), ownReactions: [] }) as unknown as Message;

describe('stores', () => {
  it('never change a snapshot in place', () => {
    const window = new MessageWindow(async () => ({ messages: [message(2), message(1)], hasMore: false }), () => true);
    window.putServer(message(1), true);
    const before = window.getSnapshot();
    const list = before.messages;
    window.putServer(message(2), true);
    window.patch('m1', (m) => ({ ...m, text: 'changed' }));
    window.remove('m2');
    expect(before.messages).toBe(list);
    expect(list.map((m) => [m.id, m.text])).toEqual([['m1', 't1']]);
    expect(window.getSnapshot()).not.toBe(before);
  });

  it('keeps sent messages by sequence and unsent ones after them, without duplicates', () => {
    const window = new MessageWindow(async () => ({ messages: [], hasMore: false }), () => true);
    window.putLocal({ ...message(0, 'local'), status: 'sending', clientId: 'local' });
    window.putServer(message(3), true);
    window.putServer(message(1), true);
    expect(window.getSnapshot().messages.map((m) => m.id)).toEqual(['m1', 'm3', 'local']);
    // The server's copy of the local message (the echo) replaces it in place of its sequence.
    window.putServer(message(2, 'local'), true);
    expect(window.getSnapshot().messages.map((m) => [m.id, m.status, m.clientId])).toEqual([
      ['m1', 'sent', undefined],
      ['local', 'sent', 'local'],
      ['m3', 'sent', undefined],
    ]);
  });

  it('notifies subscribers only on change, and they can unsubscribe', () => {
    const store = new Store(1);
    let calls = 0;
    const stop = store.subscribe(() => calls++);
    store.set(1);
    store.set(2);
    stop();
    store.set(3);
    expect(calls).toBe(1);
  });

  it('does not count twice a message the unread summary had already counted', () => {
    const unread = new UnreadStore(() => 'me', async () => ({ total: 0, totalMentions: 0, channels: [] }));
    const from = (seq: number): Message => ({ ...message(seq), userId: 'other', showInChannel: true, silent: false, deletedAt: null, mentionedUsers: [] }) as Message;
    unread.load({ total: 1, totalMentions: 0, channels: [{ channelId: 'c', unreadCount: 1, unreadMentions: 0, lastMessageSeq: 5 }] });
    // The summary's answer outran the push of message 5.
    unread.messageNew(from(5));
    expect(unread.getSnapshot().total).toBe(1);
    unread.messageNew(from(6));
    expect(unread.getSnapshot()).toMatchObject({ total: 2, channels: { c: { unreadCount: 2 } } });
  });
});
