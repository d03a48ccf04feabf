import type { ChatError, SendState } from '@chatsdk/core';
import type { ReactNode } from 'react';
import { useCountdown } from '../../hooks/use-send-state.js';
import { formatWhen } from '../../internal/format.js';

/** Props of `<ComposerNotice>`. */
export interface ComposerNoticeProps {
  /** The channel's send state (`useSendState`). */
  state: SendState;
  /** The last send the server refused for its content (`message_blocked`), shown until the text changes. */
  refusal?: ChatError | null;
}

function Cooldown({ until }: { until: number }): ReactNode {
  const seconds = useCountdown(until);
  if (seconds <= 0) return null;
  return (
    <p className="chat-composer-notice" data-kind="cooldown" role="status">
      Slow mode: you can send again in <strong className="chat-composer-countdown">{seconds}s</strong>.
    </p>
  );
}

/** Why the composer cannot send now: banned (until when), frozen, slow mode (counting down), or a blocked message. */
export function ComposerNotice({ state, refusal }: ComposerNoticeProps): ReactNode {
  if (state.status === 'banned') {
    const where = state.channelId ? 'this channel' : 'this app';
    return (
      <p className="chat-composer-notice" data-kind="banned" role="status">
        You are banned from {where}
        {state.expiresAt ? (
          <>
            {' '}until <time dateTime={state.expiresAt}>{formatWhen(state.expiresAt)}</time>
          </>
        ) : (
          ' until a moderator lifts the ban'
        )}
        : you cannot send messages.
      </p>
    );
  }
  if (state.status === 'frozen') {
    return (
      <p className="chat-composer-notice" data-kind="frozen" role="status">
        This channel is frozen: only moderators can send messages.
      </p>
    );
  }
  if (state.status === 'cooldown') return <Cooldown until={state.until} />;
  if (refusal?.code === 'message_blocked') {
    return (
      <p className="chat-composer-notice" data-kind="blocked" role="alert">
        Not sent: your message contains words this channel does not allow.
      </p>
    );
  }
  return null;
}
