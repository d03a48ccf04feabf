import type { UserPresence } from '@chatsdk/protocol';
import { useEffect } from 'react';
import { useChatClient } from './use-chat-client.js';
import { useStoreSelector } from './use-store.js';

/** One user's presence (online, last active); loads it when unknown, then follows it. */
export function usePresence(userId: string | null | undefined): UserPresence | undefined {
  const client = useChatClient();
  const presence = useStoreSelector(client.users.presence, (all) => (userId ? all[userId] : undefined));
  const known = presence !== undefined;
  useEffect(() => {
    if (userId && !known) client.users.loadPresence([userId]).catch(() => undefined);
  }, [client, userId, known]);
  return presence;
}
