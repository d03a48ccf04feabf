import type { LocalMessage } from '@chatsdk/core';
import { type ComponentType, memo, type ReactNode } from 'react';
import type { MessageProps } from './Message.js';

/** What `MessageList` gives a row: every prop a primitive or a stable reference. */
export interface MessageRowProps {
  message: LocalMessage;
  index: number;
  showHeader: boolean;
  day: string | null;
  unread: boolean;
  inThread: boolean;
  measure: (node: Element | null) => void;
  Message: ComponentType<MessageProps>;
}

/** One row; memoised, and placed by the virtualizer straight in the DOM, so an append renders only the new row. */
export const MessageRow = memo(function MessageRow({ message, index, showHeader, day, unread, inThread, measure, Message }: MessageRowProps): ReactNode {
  return (
    <div role="listitem" className="chat-message-row" data-index={index} ref={measure} style={{ position: 'absolute', top: 0, left: 0, width: '100%' }}>
      {day ? (
        <div className="chat-date-separator" role="separator" aria-label={day}>
          <span>{day}</span>
        </div>
      ) : null}
      {unread ? (
        <div className="chat-unread-separator" role="separator" aria-label="New messages">
          <span>New messages</span>
        </div>
      ) : null}
      <Message message={message} showHeader={showHeader} inThread={inThread} />
    </div>
  );
});
