import type { Channel } from '@chatsdk/protocol';
import { useEffect, useState } from 'react';
import { userCache } from '../internal/user-cache.js';
import { useChatClient } from './use-chat-client.js';
import { shallowArrayEqual, useStore, useStoreSelector } from './use-store.js';

const NONE: readonly string[] = [];

/** What to call a channel: its name, else (a direct conversation) the other members' names. */
export function useChannelName(channel: Channel): string {
  const client = useChatClient();
  const me = client.userId;
  const members = useStore(client.channel(channel.id).members);
  const [loaded, setLoaded] = useState<readonly string[] | null>(null);
  const unnamed = !channel.name;
  const known = members.length > 0 ? members.map((member) => member.userId) : loaded;
  useEffect(() => {
    if (!unnamed || known) return;
    let live = true;
    client
      .channel(channel.id)
      .loadMembers({ limit: 10 })
      .then(
        (page) => live && setLoaded(page.members.map((member) => member.userId)),
        () => undefined,
      );
    return () => {
      live = false;
    };
  }, [client, channel.id, unnamed, known]);
  const others = unnamed && known ? known.filter((id) => id !== me) : NONE;
  const cache = userCache(client);
  const names = useStoreSelector(cache, (users) => others.map((id) => users[id]?.name ?? id), shallowArrayEqual);
  useEffect(() => {
    for (const id of others) cache.want(id);
  }, [cache, others]);
  if (channel.name) return channel.name;
  if (names.length > 0) return names.join(', ');
  return known ? 'Just you' : channel.id;
}
