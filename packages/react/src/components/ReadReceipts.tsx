import { memo, type ReactNode } from 'react';
import { useReadReceipts } from '../hooks/use-read-receipts.js';
import { useStoreSelector } from '../hooks/use-store.js';
import { userCache } from '../internal/user-cache.js';
import { useChatClient } from '../hooks/use-chat-client.js';
import { Avatar } from './Avatar.js';
import { useChannelContext } from './channel-context.js';

/** Props of `<ReadReceipts>`. */
export interface ReadReceiptsProps {
  messageId: string;
  /** The message's author, who is not shown as a reader of their own message. */
  authorId?: string | null;
  /** Avatars shown before "+N". */
  max?: number;
}

/** The others whose read position is this message, as small avatars ("seen by"). */
export const ReadReceipts = memo(function ReadReceipts({ messageId, authorId = null, max = 5 }: ReadReceiptsProps): ReactNode {
  const { channel } = useChannelContext();
  const all = useReadReceipts(channel, messageId);
  const readers = authorId ? all.filter((id) => id !== authorId) : all;
  const names = useStoreSelector(userCache(useChatClient()), (users) => readers.map((id) => users[id]?.name ?? id).join(', '));
  if (readers.length === 0) return null;
  return (
    <div className="chat-read-receipts" aria-label={`Seen by ${names}`} role="img">
      {readers.slice(0, max).map((id) => (
        <Avatar key={id} userId={id} size={16} />
      ))}
      {readers.length > max ? <span className="chat-read-receipts-more">+{readers.length - max}</span> : null}
    </div>
  );
});
