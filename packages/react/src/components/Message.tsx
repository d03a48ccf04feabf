import type { LocalMessage } from '@chatsdk/core';
import type { ReactNode } from 'react';
import { useChatClient } from '../hooks/use-chat-client.js';
import { useStoreSelector } from '../hooks/use-store.js';
import { useUserName } from '../hooks/use-user.js';
import { formatTime } from '../internal/format.js';
import { MessageText } from '../text/MessageText.js';
import { Attachments } from './attachments/Attachments.js';
import { PendingFiles } from './attachments/PendingFiles.js';
import { Avatar } from './Avatar.js';
import { useChannelContext } from './channel-context.js';
import { MessageActions } from './MessageActions.js';
import { ReactionBar } from './reactions.js';
import { ReadReceipts } from './ReadReceipts.js';

/** Props every message component gets from `MessageList` (give your own with `MessageList`'s `Message` prop). */
export interface MessageProps {
  message: LocalMessage;
  /** First of a group of consecutive messages by one author: show who and when. */
  showHeader: boolean;
  /** Shown in a thread's list (no reply button). */
  inThread?: boolean;
}

function Status({ message }: { message: LocalMessage }): ReactNode {
  const { channel } = useChannelContext();
  if (message.status === 'sending') return <span className="chat-message-status">Sending…</span>;
  if (message.status !== 'failed') return null;
  return (
    <span className="chat-message-status" data-failed="true" role="alert">
      Not sent.{' '}
      <button type="button" className="chat-link-button" onClick={() => void channel.retry(message.id).catch(() => undefined)}>
        Retry
      </button>{' '}
      <button type="button" className="chat-link-button" onClick={() => channel.discard(message.id)}>
        Discard
      </button>
    </span>
  );
}

function Reported({ messageId }: { messageId: string }): ReactNode {
  const { channel } = useChannelContext();
  const reported = useStoreSelector(channel.moderation.reported, (ids) => ids.has(messageId));
  return reported ? <span className="chat-message-status chat-message-reported">Reported to the moderators.</span> : null;
}

function Quote({ quoted }: { quoted: NonNullable<LocalMessage['quotedMessage']> }): ReactNode {
  const name = useUserName(quoted.userId);
  return (
    <blockquote className="chat-quote">
      <span className="chat-message-author">{name}</span>
      <span className="chat-quote-text">{quoted.deletedAt ? 'This message was deleted.' : <MessageText text={quoted.text} />}</span>
    </blockquote>
  );
}

function ThreadLink({ message }: { message: LocalMessage }): ReactNode {
  const { view } = useChannelContext();
  if (message.replyCount === 0) return null;
  return (
    <button type="button" className="chat-link-button chat-thread-link" onClick={() => view.update((state) => ({ ...state, threadId: message.id }))}>
      {message.replyCount} {message.replyCount === 1 ? 'reply' : 'replies'}
    </button>
  );
}

/** One message: author and time (first of a group), text rendered safely, attachments (and files being sent), status, reactions, thread link, read receipts, actions. */
export function Message({ message, showHeader, inThread = false }: MessageProps): ReactNode {
  const me = useChatClient().userId;
  const name = useUserName(message.userId);
  const time = formatTime(message.createdAt);
  return (
    <article
      className="chat-message"
      data-own={message.userId === me ? 'true' : undefined}
      data-grouped={showHeader ? undefined : 'true'}
      data-status={message.status}
      aria-label={`${name}, ${time}`}
      tabIndex={0}
    >
      <div className="chat-message-gutter">{showHeader ? <Avatar userId={message.userId} /> : null}</div>
      <div className="chat-message-main">
        {showHeader ? (
          <div className="chat-message-header">
            <span className="chat-message-author">{name}</span>{' '}
            <time className="chat-message-time" dateTime={message.createdAt}>
              {time}
            </time>
            {message.pinnedAt ? <span className="chat-message-pinned"> · pinned</span> : null}
          </div>
        ) : null}
        {message.deletedAt ? (
          <p className="chat-message-text chat-message-deleted">This message was deleted.</p>
        ) : message.hidden ? (
          <p className="chat-message-text chat-message-hidden">This message is hidden for review.</p>
        ) : message.text || message.editedAt ? (
          <div className="chat-message-text">
            <MessageText text={message.text} mentionedUsers={message.mentionedUsers} />
            {message.editedAt ? <span className="chat-message-edited"> (edited)</span> : null}
          </div>
        ) : null}
        {message.quotedMessage && !message.deletedAt ? <Quote quoted={message.quotedMessage} /> : null}
        {message.deletedAt ? null : <Attachments attachments={message.attachments} messageId={message.id} parentId={message.parentId} />}
        {message.files ? <PendingFiles message={message} /> : null}
        <Status message={message} />
        <Reported messageId={message.id} />
        {/* Only moderators see others' shadowed messages; the author must never learn of it, so they get no mark. */}
        {message.shadowed && message.userId !== me ? <span className="chat-message-status chat-message-shadowed">Hidden from others: its author is shadow-banned.</span> : null}
        <ReactionBar message={message} />
        {inThread ? null : <ThreadLink message={message} />}
        <ReadReceipts messageId={message.id} authorId={message.userId} />
      </div>
      <MessageActions message={message} inThread={inThread} />
    </article>
  );
}
