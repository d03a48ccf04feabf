// @vitest-environment jsdom
import { ChatChannel, ChatClient } from '@chatsdk/core';
import { act, render, screen, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import './rtl.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Channel, ChatProvider, useChannel, useChannels, useChatClient, useConnectionState, useMessages, usePresence, useReadReceipts, useSendMessage, useTypingUsers, useUnreadCount } from '../src/index.js';
import { type Harness, startHarness, until } from '../../core/test/helpers.js';
import { TaskPerMessageWebSocket } from '../../server/test/helpers/realtime.js';

describe('<ChatProvider> against a real server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  function Status(): ReactNode {
    return <p data-testid="status">{useConnectionState().status}</p>;
  }

  it('connects once under StrictMode with the guide\'s props, and disconnects on unmount', async () => {
    const { token, wsToken } = await h.tokens('ann');
    const connect = vi.spyOn(ChatClient.prototype, 'connect');
    const disconnect = vi.spyOn(ChatClient.prototype, 'disconnect');
    const watch = vi.spyOn(ChatChannel.prototype, 'watch');
    const unwatch = vi.spyOn(ChatChannel.prototype, 'unwatch');
    const annClient = await h.client('ann');
    await annClient.channels.create({ type: 'messaging', id: 'strict', members: ['ann'] });
    let client: ChatClient | undefined;
    function Grab(): ReactNode {
      client = useChatClient();
      return null;
    }
    const view = render(
      <StrictMode>
        <ChatProvider apiUrl={h.t.baseUrl} wsUrl={`${h.t.baseUrl.replace('http', 'ws')}/ws`} token={token} wsToken={wsToken} options={{ WebSocket: TaskPerMessageWebSocket }}>
          <Status />
          <Grab />
          <Channel id="strict">
            <p>in the channel</p>
          </Channel>
        </ChatProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    await until(() => client?.channel('strict').watched && client.channel('strict').messages.getSnapshot().ready);
    expect(connect).toHaveBeenCalledTimes(1);
    expect(disconnect).not.toHaveBeenCalled();
    // StrictMode mounted, unmounted and mounted the channel again: one watch, no unwatch.
    expect(watch).toHaveBeenCalledTimes(1);
    expect(unwatch).not.toHaveBeenCalled();
    view.unmount();
    await until(() => disconnect.mock.calls.length === 1);
    await until(() => client?.connection.getSnapshot().status === 'disconnected');
    expect(unwatch).toHaveBeenCalled();
    for (const spy of [connect, disconnect, watch, unwatch]) spy.mockRestore();
  });

  it('makes a new client for another user, and hands new tokens of the same user to the client', async () => {
    let client: ChatClient | undefined;
    function Who(): ReactNode {
      client = useChatClient();
      return <p data-testid="who">{`${client.userId} ${useConnectionState().status}`}</p>;
    }
    const tree = (tokens: { token: string; wsToken: string }) => (
      <ChatProvider apiUrl={h.t.baseUrl} token={tokens.token} wsToken={tokens.wsToken} options={{ WebSocket: TaskPerMessageWebSocket }}>
        <Who />
      </ChatProvider>
    );
    const view = render(tree(await h.tokens('eve')));
    await waitFor(() => expect(screen.getByTestId('who').textContent).toBe('eve connected'));
    const first = client as ChatClient;
    view.rerender(tree(await h.tokens('eve')));
    expect(client).toBe(first);
    view.rerender(tree(await h.tokens('fay')));
    await waitFor(() => expect(screen.getByTestId('who').textContent).toBe('fay connected'));
    expect(client).not.toBe(first);
    await until(() => first.connection.getSnapshot().status === 'disconnected');
    view.unmount();
  });

  it('takes a tokenProvider alone, and an existing client', async () => {
    const provider = vi.fn(async () => h.tokens('bob'));
    const view = render(
      <ChatProvider apiUrl={h.t.baseUrl} tokenProvider={provider} options={{ WebSocket: TaskPerMessageWebSocket }} fallback={<p>loading</p>}>
        <Status />
      </ChatProvider>,
    );
    expect(screen.getByText('loading')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    expect(provider).toHaveBeenCalledTimes(1);
    view.unmount();

    const client = await h.client('cat');
    const second = render(
      <ChatProvider client={client}>
        <Status />
      </ChatProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    second.unmount();
    await until(() => client.connection.getSnapshot().status === 'disconnected');
  });

  it('hooks follow the stores: channels, messages, sending and unread counts', async () => {
    const { token, wsToken } = await h.tokens('dan');
    const bob = await h.client('bob');
    await bob.connect();
    const dm = await bob.channels.dm('dan');

    let client: ChatClient | undefined;
    function Chat(): ReactNode {
      client = useChatClient();
      const { channels, ready } = useChannels({}, 'name');
      const channel = useChannel(channels[0]?.channel.id);
      const unread = useUnreadCount();
      return (
        <div>
          <p data-testid="ready">{String(ready)}</p>
          <p data-testid="unread">{unread.count}</p>
          {channel && <Messages channelId={channel.id} />}
        </div>
      );
    }
    function Messages({ channelId }: { channelId: string }): ReactNode {
      const channel = useChannel(channelId);
      if (!channel) return null;
      return <MessageTexts channel={channel} />;
    }
    function MessageTexts({ channel }: { channel: NonNullable<ReturnType<typeof useChannel>> }): ReactNode {
      const { messages, ready } = useMessages(channel);
      const send = useSendMessage(channel);
      return (
        <div>
          <ul data-testid="messages" data-ready={String(ready)}>
            {messages.map((m) => (
              <li key={m.id}>{m.text}</li>
            ))}
          </ul>
          <button type="button" onClick={() => void send('from dan')}>
            send
          </button>
        </div>
      );
    }
    render(
      <ChatProvider apiUrl={h.t.baseUrl} token={token} wsToken={wsToken} options={{ WebSocket: TaskPerMessageWebSocket }}>
        <Chat />
      </ChatProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('messages').dataset.ready).toBe('true'));
    // The unread figures loaded at connect are settled first: the core client counts a message that arrives
    // while that load is in flight twice (reported).
    await until(() => client?.unread.getSnapshot().ready);
    await bob.channel(dm.id).sendMessage('hi dan');
    await waitFor(() => expect(screen.getByTestId('messages').textContent).toBe('hi dan'));
    await waitFor(() => expect(screen.getByTestId('unread').textContent).toBe('1'));
    act(() => screen.getByText('send').click());
    // Optimistic: at once.
    expect(screen.getByTestId('messages').textContent).toBe('hi danfrom dan');
    await waitFor(() => expect(screen.getByTestId('unread').textContent).toBe('0'));
  });
});

describe('hooks re-render only when their slice changes', () => {
  it('unread counts, presence, typing and read receipts', async () => {
    // A real client, not connected: the test drives its stores as events would.
    const client = new ChatClient({ apiUrl: 'http://127.0.0.1:9', token: 't', wsToken: 'w' });
    const channel = client.channel('c');
    const renders: Record<string, number> = {};
    const counted = (name: string) => {
      renders[name] = (renders[name] ?? 0) + 1;
    };
    function UnreadOfB(): ReactNode {
      counted('unread-b');
      return <p>{useUnreadCount('b').count}</p>;
    }
    function PresenceOfBob(): ReactNode {
      counted('presence-bob');
      return <p>{String(usePresence('bob')?.online ?? 'unknown')}</p>;
    }
    function ThreadTyping(): ReactNode {
      counted('typing-thread');
      return <p>{useTypingUsers(channel, 'p1').length}</p>;
    }
    function SeenAtM1(): ReactNode {
      counted('seen-m1');
      return <p>{useReadReceipts(channel, 'm1').join(',')}</p>;
    }
    render(
      <ChatProvider client={client} connect={false}>
        <UnreadOfB />
        <PresenceOfBob />
        <ThreadTyping />
        <SeenAtM1 />
      </ChatProvider>,
    );
    const before = { ...renders };
    const at = new Date().toISOString();
    act(() => {
      client.unread.setChannel('a', { unreadCount: 3, unreadMentions: 0 });
      client.users.presence.load([{ userId: 'cat', online: true, lastActiveAt: at }]);
      channel.typing.apply({ type: 'typing.start', channelId: 'c', userId: 'cat', createdAt: at });
      channel.reads.set({ cat: { userId: 'cat', lastReadSeq: 2, lastReadMessageId: 'm2', lastReadAt: at } });
    });
    // Other channels, users, the channel's own typing and other messages' readers changed: nothing here re-rendered.
    expect(renders).toEqual(before);
    act(() => {
      client.unread.setChannel('b', { unreadCount: 1, unreadMentions: 0 });
      client.users.presence.load([{ userId: 'bob', online: true, lastActiveAt: at }]);
      channel.typing.apply({ type: 'typing.start', channelId: 'c', userId: 'cat', parentId: 'p1', createdAt: at });
      channel.reads.set({ cat: { userId: 'cat', lastReadSeq: 1, lastReadMessageId: 'm1', lastReadAt: at } });
    });
    for (const name of Object.keys(before)) expect(renders[name]).toBe((before[name] ?? 0) + 1);
    channel.typing.reset();
  });
});
