// @vitest-environment jsdom
import { type ChatChannel, type ChatClient, MessageWindow } from '@chatsdk/core';
import type { Message as WireMessage } from '@chatsdk/protocol';
import { act, render, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import './rtl.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Channel, ChatProvider, Message, MessageList, type MessageProps } from '../src/index.js';
import { type Harness, startHarness, until } from '../../core/test/helpers.js';
import { fakeLayout } from './layout.js';

const VIEWPORT = 600;
const ROW = 40;
const OVERSCAN = 4;

function wire(channelId: string, seq: number, userId: string, at: number): WireMessage {
  const createdAt = new Date(at).toISOString();
  return {
    id: `m${seq}`, channelId, seq, userId, text: `message ${seq}`, attachments: [], mentionedUsers: [], quotedMessageId: null, quotedMessage: null,
    parentId: null, showInChannel: false, replyCount: 0, lastReplyAt: null, threadParticipants: [], custom: {}, silent: false, pinnedAt: null, pinnedBy: null,
    reactionCounts: {}, reactionScores: {}, latestReactions: [], ownReactions: [], createdAt, updatedAt: createdAt, editedAt: null, deletedAt: null,
  };
}

describe('<MessageList> virtualised', () => {
  let h: Harness;
  let client: ChatClient;
  let channel: ChatChannel;
  let restore: () => void;
  beforeAll(async () => {
    restore = fakeLayout({ viewport: VIEWPORT, row: ROW });
    h = await startHarness();
    client = await h.client('ann');
    channel = await client.channels.create({ type: 'messaging', id: 'big', members: ['ann'] });
  });
  afterAll(async () => {
    restore();
    await h.close();
  });

  it('renders a screenful of 10,000 messages, and an appended message renders only its own row', async () => {
    const renders = new Map<string, number>();
    function Counting(props: MessageProps): ReactNode {
      renders.set(props.message.id, (renders.get(props.message.id) ?? 0) + 1);
      return <Message {...props} />;
    }
    // A window of the core whose one page is 10,000 messages made here (the server's pages hold at most 200).
    const start = Date.UTC(2026, 0, 1);
    const history = Array.from({ length: 10_000 }, (_, i) => wire(channel.id, 10_000 - i, (10_000 - i) % 3 === 0 ? 'bob' : 'ann', start + (10_000 - i) * 60_000));
    const window = new MessageWindow(async () => ({ messages: history, hasMore: false }), (m) => m.parentId === null);
    const view = render(
      <ChatProvider client={client} connect={false}>
        <Channel channel={channel}>
          <MessageList messages={window} Message={Counting} estimateSize={ROW} overscan={OVERSCAN} />
        </Channel>
      </ChatProvider>,
    );
    await waitFor(() => expect(screen.getByText('message 10000')).toBeTruthy());
    const rows = () => document.querySelectorAll('[role="listitem"]');
    const screenful = VIEWPORT / ROW + 2 * OVERSCAN + 1;
    expect(rows().length).toBeGreaterThan(0);
    expect(rows().length).toBeLessThanOrEqual(screenful);
    expect(screen.queryByText('message 1')).toBeNull();

    renders.clear();
    act(() => window.putServer(wire(channel.id, 10_001, 'bob', start + 10_001 * 60_000), true));
    await waitFor(() => expect(screen.getByText('message 10001')).toBeTruthy());
    // Followed to the end: the new row is in view, and it is the only message component that rendered
    // (a row scrolled out of the overscan unmounts, which is not a render).
    expect([...renders.keys()]).toEqual(['m10001']);
    expect(renders.get('m10001')).toBe(1);
    expect(rows().length).toBeLessThanOrEqual(screenful);
    await until(() => channel.messages.getSnapshot().ready);
    view.unmount();
  });

  it('loads older pages when scrolled to the top and keeps the reader on the same message', async () => {
    const start = Date.UTC(2026, 0, 1);
    const all = Array.from({ length: 300 }, (_, i) => wire(channel.id, i + 1, 'ann', start + (i + 1) * 60_000));
    const pages: number[] = [];
    const window = new MessageWindow(async ({ before, limit = 100 }) => {
      const older = all.filter((m) => before === undefined || m.seq < before);
      const page = older.slice(-limit).reverse();
      pages.push(page.length);
      return { messages: page, hasMore: older.length > limit };
    }, () => true, 100);
    const view = render(
      <ChatProvider client={client} connect={false}>
        <Channel channel={channel}>
          <MessageList messages={window} estimateSize={ROW} overscan={OVERSCAN} />
        </Channel>
      </ChatProvider>,
    );
    await waitFor(() => expect(screen.getByText('message 300')).toBeTruthy());
    expect(pages).toEqual([100]);
    const scroller = document.querySelector<HTMLElement>('[data-chat-scroller]') as HTMLElement;
    // The reader scrolls to the top: message 201 is the first row in view.
    act(() => scroller.scrollTo({ top: 0 }));
    await waitFor(() => expect(window.getSnapshot().messages.length).toBe(200));
    expect(pages).toEqual([100, 100]);
    // A page of 100 rows came in above: the view moved down by their height, so message 201 is still first in view.
    await waitFor(() => expect(scroller.scrollTop).toBe(100 * ROW));
    await waitFor(() => expect(screen.getByText('message 201')).toBeTruthy());
    expect(screen.queryByText('message 101')).toBeNull();
    view.unmount();
  });
});
