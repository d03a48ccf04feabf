import type { ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ChatProvider, useChannel, useChannels, useConnectionState, useMessages, useUnreadCount } from '../src/index.js';

function Screen(): ReactNode {
  const { status } = useConnectionState();
  const { channels } = useChannels();
  const channel = useChannel('general');
  const messages = useMessages(channel as NonNullable<typeof channel>);
  const unread = useUnreadCount();
  return <p>{`${status} ${channels.length} ${messages.messages.length} ${unread.count}`}</p>;
}

describe('server rendering', () => {
  it('renders the initial state without connecting or fetching', () => {
    const fetch = () => Promise.reject(new Error('no fetch during a server render'));
    const html = renderToString(
      <ChatProvider apiUrl="http://chat.invalid" token="t" wsToken="w" options={{ fetch }}>
        <Screen />
      </ChatProvider>,
    );
    expect(html).toBe('<p>idle 0 0 0</p>');
  });
});
