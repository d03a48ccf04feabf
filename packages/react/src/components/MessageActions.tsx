import type { LocalMessage } from '@chatsdk/core';
import { type ReactNode, useState } from 'react';
import { useChatClient } from '../hooks/use-chat-client.js';
import { useStoreSelector } from '../hooks/use-store.js';
import { useChannelContext } from './channel-context.js';
import { ReactionPicker } from './reactions.js';
import { ReportForm } from './ReportForm.js';

const quiet = (work: Promise<unknown>) => void work.catch(() => undefined);

/** The toolbar of a message: react, reply in thread, pin, edit and delete (own messages), report (others'). */
export function MessageActions({ message, inThread }: { message: LocalMessage; inThread: boolean }): ReactNode {
  const { channel, view } = useChannelContext();
  const me = useChatClient().userId;
  const [picking, setPicking] = useState(false);
  const [reporting, setReporting] = useState(false);
  const reported = useStoreSelector(channel.moderation.reported, (ids) => ids.has(message.id));
  const own = message.userId === me;
  if (message.deletedAt || message.status !== 'sent') return null;
  return (
    <div className="chat-message-actions" role="toolbar" aria-label="Message actions">
      <button type="button" className="chat-icon-button" aria-label="Add reaction" aria-expanded={picking} onClick={() => setPicking(!picking)}>
        ☺
      </button>
      {picking ? (
        <ReactionPicker
          onPick={(type) => {
            setPicking(false);
            quiet(message.ownReactions.some((reaction) => reaction.type === type) ? channel.unreact(message.id, type) : channel.react(message.id, type));
          }}
          onClose={() => setPicking(false)}
        />
      ) : null}
      {!inThread && message.parentId === null ? (
        <button type="button" className="chat-icon-button" aria-label="Reply in thread" onClick={() => view.update((state) => ({ ...state, threadId: message.id }))}>
          ↩
        </button>
      ) : null}
      <button type="button" className="chat-icon-button" aria-label={message.pinnedAt ? 'Unpin' : 'Pin'} onClick={() => quiet(message.pinnedAt ? channel.unpin(message.id) : channel.pin(message.id))}>
        📌
      </button>
      {own ? (
        <>
          <button type="button" className="chat-icon-button" aria-label="Edit" onClick={() => view.update((state) => ({ ...state, editing: { id: message.id, parentId: message.parentId } }))}>
            ✎
          </button>
          <button type="button" className="chat-icon-button" aria-label="Delete" onClick={() => quiet(channel.deleteMessage(message.id))}>
            🗑
          </button>
        </>
      ) : (
        <button
          type="button"
          className="chat-icon-button"
          aria-label={reported ? 'Reported' : 'Report'}
          title={reported ? 'You reported this message' : 'Report to the moderators'}
          aria-expanded={reporting}
          disabled={reported}
          onClick={() => setReporting(!reporting)}
        >
          ⚑
        </button>
      )}
      {reporting ? <ReportForm onReport={(reason) => channel.moderation.flagMessage(message.id, reason ? { reason } : {})} onClose={() => setReporting(false)} /> : null}
    </div>
  );
}
