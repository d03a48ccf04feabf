import type { ReactNode } from 'react';
import { useStoreSelector } from '../hooks/use-store.js';
import { useChannelContext, useChannelView } from './channel-context.js';
import { Message } from './Message.js';
import { MessageInput } from './MessageInput.js';
import { MessageList } from './MessageList.js';
import { TypingIndicator } from './TypingIndicator.js';

function Parent({ id }: { id: string }): ReactNode {
  const { channel } = useChannelContext();
  const parent = useStoreSelector(channel.messages, (state) => state.messages.find((message) => message.id === id));
  if (!parent) return null;
  return (
    <div className="chat-thread-parent">
      <Message message={parent} showHeader inThread />
    </div>
  );
}

/** The open thread (see the "Reply in thread" action): its parent, replies, typing and composer; nothing when none is open. */
export function Thread(): ReactNode {
  const { view } = useChannelContext();
  const threadId = useChannelView((state) => state.threadId);
  if (!threadId) return null;
  return (
    <aside className="chat-thread" aria-label="Thread">
      <header className="chat-thread-header">
        <h3>Thread</h3>
        <button type="button" className="chat-icon-button" aria-label="Close thread" onClick={() => view.update((state) => ({ ...state, threadId: null }))}>
          ✕
        </button>
      </header>
      <Parent id={threadId} />
      <MessageList key={threadId} parentId={threadId} />
      <TypingIndicator parentId={threadId} />
      <MessageInput key={`input-${threadId}`} parentId={threadId} placeholder="Reply in thread" />
    </aside>
  );
}
