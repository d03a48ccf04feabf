import { type ChatError, isChatError } from '@chatsdk/core';
import type { Flag, ReviewFlagBody } from '@chatsdk/protocol';
import { type ReactNode, useState } from 'react';
import { useChatClient } from '../hooks/use-chat-client.js';
import { useModerationQueue } from '../hooks/use-moderation-queue.js';
import { formatWhen } from '../internal/format.js';
import { MessageText } from '../text/MessageText.js';
import { Avatar } from './Avatar.js';

/** Props of `<ModerationQueue>`. */
export interface ModerationQueueProps {
  /** Minutes the Ban and Shadow ban buttons ban for; default: until lifted. */
  banTimeoutMinutes?: number;
  /** Bans from the flagged message's channel only, instead of the whole app. */
  channelOnly?: boolean;
  /** Shown when nothing waits for review. */
  empty?: ReactNode;
}

type Action = ReviewFlagBody['action'];

function What({ flag }: { flag: Flag }): ReactNode {
  const message = flag.message;
  if (flag.targetType === 'user') return <p className="chat-flag-what">The user was reported.</p>;
  if (!message) return <p className="chat-flag-what chat-message-deleted">The message is gone.</p>;
  if (message.deletedAt) return <p className="chat-flag-what chat-message-deleted">This message was deleted.</p>;
  return (
    <blockquote className="chat-flag-what chat-quote">
      <MessageText text={message.text} mentionedUsers={message.mentionedUsers} />
      {message.hidden ? <span className="chat-flag-badge">hidden for review</span> : null}
    </blockquote>
  );
}

function FlagItem({ flag, options }: { flag: Flag; options: Omit<ModerationQueueProps, 'empty'> }): ReactNode {
  const client = useChatClient();
  const [busy, setBusy] = useState<Action | null>(null);
  const [failure, setFailure] = useState<ChatError | null>(null);
  const author = flag.user?.name ?? flag.targetUserId ?? 'someone';
  const review = (action: Action) => {
    setBusy(action);
    setFailure(null);
    const bans = action === 'ban_user' || action === 'shadow_ban_user';
    const extra = bans ? { ...(options.banTimeoutMinutes ? { timeoutMinutes: options.banTimeoutMinutes } : {}), ...(options.channelOnly && flag.channelId ? { channelOnly: true } : {}) } : {};
    client.moderation.review(flag.id, action, extra).then(
      () => setBusy(null),
      (error: unknown) => {
        setBusy(null);
        if (isChatError(error)) setFailure(error);
      },
    );
  };
  const button = (action: Action, label: string, aria: string) => (
    <button type="button" className="chat-button" data-action={action} aria-label={aria} disabled={busy !== null} onClick={() => review(action)}>
      {busy === action ? '…' : label}
    </button>
  );
  const duration = options.banTimeoutMinutes ? ` for ${options.banTimeoutMinutes} minutes` : '';
  return (
    <li className="chat-flag" aria-label={`Report about ${author}`}>
      <div className="chat-flag-header">
        <Avatar userId={flag.targetUserId} size={24} />
        <span className="chat-message-author">{author}</span>
        <span className="chat-flag-count">
          {flag.flagCount} {flag.flagCount === 1 ? 'report' : 'reports'}
        </span>
      </div>
      <div className="chat-flag-where">
        {flag.channelId ? `in #${flag.channelId} · ` : ''}
        <time dateTime={flag.updatedAt}>{formatWhen(flag.updatedAt)}</time>
      </div>
      <What flag={flag} />
      {flag.reasons.length > 0 ? (
        <ul className="chat-flag-reasons" aria-label="Reasons">
          {flag.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      ) : (
        <p className="chat-flag-reasons chat-empty">No reason given.</p>
      )}
      <div className="chat-flag-actions" role="group" aria-label="Review">
        {button('dismiss', 'Dismiss', `Dismiss the report about ${author}`)}
        {flag.targetType === 'message' && flag.message && !flag.message.deletedAt ? button('delete_message', 'Delete', `Delete ${author}'s message`) : null}
        {button('ban_user', 'Ban', `Ban ${author}${duration}`)}
        {button('shadow_ban_user', 'Shadow ban', `Shadow-ban ${author}${duration}`)}
      </div>
      {failure ? (
        <p className="chat-flag-error" role="alert">
          {failure.message}
        </p>
      ) : null}
    </li>
  );
}

/**
 * The moderators' review queue: pending reports, oldest first, each with the
 * message, its author, how many reported it and why, and Dismiss, Delete
 * message, Ban and Shadow ban. Live: a new report joins it (`moderation.flagged`),
 * a reviewed one leaves it. For app moderators and admins (others get a notice).
 */
export function ModerationQueue({ empty = <p className="chat-empty">Nothing to review.</p>, ...options }: ModerationQueueProps): ReactNode {
  const { flags, ready, loading, error, next } = useModerationQueue();
  const queue = useChatClient().moderation.queue;
  const forbidden = isChatError(error) && error.code === 'forbidden';
  return (
    <section className="chat-moderation-queue" aria-label="Moderation queue" aria-busy={loading}>
      <h3>
        Review queue {ready ? <span className="chat-flag-total">({flags.length}{next ? '+' : ''})</span> : null}
      </h3>
      {forbidden ? <p className="chat-empty">Only moderators see the review queue.</p> : null}
      {error && !forbidden ? (
        <p className="chat-flag-error" role="alert">
          Could not load the queue.{' '}
          <button type="button" className="chat-link-button" onClick={() => void queue.reload().catch(() => undefined)}>
            Retry
          </button>
        </p>
      ) : null}
      {ready && flags.length === 0 ? empty : null}
      <ul className="chat-flags">
        {flags.map((flag) => (
          <FlagItem key={flag.id} flag={flag} options={options} />
        ))}
      </ul>
      {next ? (
        <button type="button" className="chat-button" onClick={() => void queue.loadMore().catch(() => undefined)}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
