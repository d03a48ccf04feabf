import type { ChannelListState } from '@chatsdk/core';
import type { ChannelState, ListChannelsQuery } from '@chatsdk/protocol';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useChatClient } from './use-chat-client.js';
import { useStore } from './use-store.js';

/** How `useChannels` orders the list: the server's order (last message first), unread first, by name, or a comparator. */
export type ChannelSort = 'lastMessageAt' | 'unread' | 'name' | ((a: ChannelState, b: ChannelState) => number);

/** What `useChannels` answers. */
export interface UseChannelsResult extends Omit<ChannelListState, 'next'> {
  /** More channels can be loaded. */
  hasMore: boolean;
  /** Loads the next page. */
  loadMore: () => Promise<void>;
  /** The last load failed with this. */
  error: unknown;
}

const byName = (a: ChannelState, b: ChannelState) => (a.channel.name ?? a.channel.id).localeCompare(b.channel.name ?? b.channel.id);
const byUnread = (a: ChannelState, b: ChannelState) => (b.membership?.unreadCount ?? 0) - (a.membership?.unreadCount ?? 0);

function comparator(sort: ChannelSort | undefined): ((a: ChannelState, b: ChannelState) => number) | undefined {
  if (sort === 'name') return byName;
  if (sort === 'unread') return byUnread;
  if (typeof sort === 'function') return sort;
  return undefined;
}

/**
 * The user's channels, loaded with `filters` (reloaded when they change) and
 * kept live by the client. The client holds one list: two lists with
 * different filters on one screen would share it.
 */
export function useChannels(filters: ListChannelsQuery = {}, sort?: ChannelSort): UseChannelsResult {
  const client = useChatClient();
  const state = useStore(client.channels.list);
  const [error, setError] = useState<unknown>(null);
  const key = JSON.stringify(filters);
  useEffect(() => {
    setError(null);
    client.channels.query(JSON.parse(key) as ListChannelsQuery).catch(setError);
  }, [client, key]);
  const loadMore = useCallback(async () => {
    await client.channels.loadMore().catch(setError);
  }, [client]);
  const compare = comparator(sort);
  const channels = useMemo(() => (compare ? [...state.channels].sort(compare) : state.channels), [state.channels, compare]);
  return { channels, loading: state.loading, ready: state.ready, hasMore: state.next !== null, loadMore, error };
}
