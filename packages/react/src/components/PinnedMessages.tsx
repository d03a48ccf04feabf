import type { Message } from '@chatsdk/protocol';
import type { ReactNode } from 'react';
import { usePinnedMessages } from '../hooks/use-pinned-messages.js';
import { useUserName } from '../hooks/use-user.js';
import { formatDay } from '../internal/format.js';
import { MessageText } from '../text/MessageText.js';
import { useChannelContext } from './channel-context.js';

function Pinned({ message }: { message: Message }): ReactNode {
  const name = useUserName(message.userId);
  return (
    <li className="chat-pinned-message">
      <div className="chat-message-header">
        <span className="chat-message-author">{name}</span> <time dateTime={message.createdAt}>{formatDay(message.createdAt)}</time>
      </div>
      <div className="chat-message-text">
        <MessageText text={message.text} mentionedUsers={message.mentionedUsers} />
      </div>
    </li>
  );
}

/** The channel's pinned messages, live. */
export function PinnedMessages(): ReactNode {
  const { channel } = useChannelContext();
  const { messages, loading } = usePinnedMessages(channel);
  return (
    <section className="chat-pinned-messages" aria-label="Pinned messages" aria-busy={loading}>
      <h3>Pinned</h3>
      {!loading && messages.length === 0 ? <p className="chat-empty">Nothing pinned yet.</p> : null}
      <ul>
        {messages.map((message) => (
          <Pinned key={message.id} message={message} />
        ))}
      </ul>
    </section>
  );
}
