import type { User } from '@chatsdk/protocol';
import { useEffect } from 'react';
import { useChatClient } from './use-chat-client.js';
import { useStore } from './use-store.js';

const asked = new WeakSet<object>();

/** The signed-in user as the server has them (name, image, app `role`), read once per client; null until read. */
export function useCurrentUser(): User | null {
  const client = useChatClient();
  const user = useStore(client.users.current);
  useEffect(() => {
    if (user || asked.has(client)) return;
    asked.add(client);
    client.users.me().catch(() => asked.delete(client));
  }, [client, user]);
  return user;
}

/** Whether the signed-in user moderates the whole app (app role `moderator` or `admin`); false until known. */
export function useIsAppModerator(): boolean {
  const role = useCurrentUser()?.role;
  return role === 'moderator' || role === 'admin';
}
