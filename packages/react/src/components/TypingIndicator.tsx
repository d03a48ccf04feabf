import type { ReactNode } from 'react';
import { useStoreSelector } from '../hooks/use-store.js';
import { useTypingUsers } from '../hooks/use-typing-users.js';
import { useChatClient } from '../hooks/use-chat-client.js';
import { userCache } from '../internal/user-cache.js';
import { useChannelContext } from './channel-context.js';

function sentence(names: readonly string[]): string {
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names[0]} and ${names.length - 1} others are typing…`;
}

/** "Ann is typing…" for the channel, or for the thread of `parentId`; a polite live region. */
export function TypingIndicator({ parentId }: { parentId?: string }): ReactNode {
  const { channel } = useChannelContext();
  const typing = useTypingUsers(channel, parentId);
  const names = useStoreSelector(userCache(useChatClient()), (users) => typing.map((user) => users[user.userId]?.name ?? user.userId).join('\n'));
  return (
    <div className="chat-typing-indicator" role="status" aria-live="polite">
      {typing.length > 0 ? sentence(names.split('\n')) : null}
    </div>
  );
}
