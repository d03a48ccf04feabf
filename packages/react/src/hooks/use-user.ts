import type { User } from '@chatsdk/protocol';
import { useEffect } from 'react';
import { userCache } from '../internal/user-cache.js';
import { useChatClient } from './use-chat-client.js';
import { useStoreSelector } from './use-store.js';

/** A user's profile (name, image), loaded on first use and shared by every component; undefined until loaded. */
export function useUser(userId: string | null | undefined): User | undefined {
  const cache = userCache(useChatClient());
  const user = useStoreSelector(cache, (all) => (userId ? all[userId] : undefined));
  useEffect(() => {
    if (userId && !user) cache.want(userId);
  }, [cache, userId, user]);
  return user;
}

/** The name to show for a user: their name, else their id. */
export function useUserName(userId: string | null | undefined): string {
  const user = useUser(userId);
  return user?.name ?? userId ?? '';
}
